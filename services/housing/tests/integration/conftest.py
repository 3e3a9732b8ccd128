"""The housing service in-process on the real engines: HTTP client, event probe, helpers."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseClosed, CaseOutcome, CaseTriaged, Household, HousingRequirements
from lgnet_contracts.topics import PLACEMENTS
from lgnet_contracts.types import Gender, Need, Priority
from lgnet_housing.bootstrap import Service, build
from lgnet_housing.settings import HousingSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth, dev_auth  # noqa: F401  (the session's token minter)
from lgnet_testing.harness import EventProbe, isolated_settings, probe

ROMA = "058091"
LATINA = "059011"


@dataclass
class Housing:
    service: Service
    client: httpx.AsyncClient
    events: EventProbe
    settings: HousingSettings
    auth: DevAuth

    def coordinator(self, municipalities: tuple[str, ...] = (ROMA, LATINA)) -> dict[str, str]:
        return self.auth.headers(Role.PROGRAMME_COORDINATOR, municipalities)

    def partner(self, shelter_id: str) -> dict[str, str]:
        return self.auth.headers(Role.SHELTER_PARTNER, (ROMA,), shelter_id=shelter_id)

    async def register(
        self, shelter_id: str, beds: dict[str, int], *, municipality: str = ROMA, **extra: Any
    ) -> dict[str, Any]:
        body = {
            "id": shelter_id,
            "municipality": municipality,
            "name": f"Casa {shelter_id}",
            "address": "Via Prenestina 1, Roma",
            "phone": "+39 06 1234567",
            "guest_kinds": ["mixed", "families", "women"],
            "languages": ["it", "ar"],
            "beds": beds,
            **extra,
        }
        response = await self.client.post("/shelters", json=body, headers=self.coordinator())
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def offered_to(self, case_id: str, count: int = 1, timeout: float = 20.0) -> str:
        offers = await self.events.wait_for_type("placement.offered", case_id, count=count, timeout=timeout)
        return str(offers[count - 1].payload.shelter_id)

    async def reconciled(self, shelter_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/shelters/{shelter_id}/reconciliation", headers=self.coordinator())
        assert response.status_code == 200, response.text
        return dict(response.json())


def triaged(
    *,
    municipality: str = ROMA,
    priority: Priority = Priority.P1,
    adults: tuple[Gender, ...] = (Gender.FEMALE,),
    minors: tuple[int, ...] = (),
    reported_at: datetime | None = None,
) -> Envelope[CaseTriaged]:
    now = datetime.now(UTC)
    payload = CaseTriaged(
        priority=priority,
        score=9,
        breakdown=[],
        needs=[Need.SHELTER_TONIGHT],
        sla_deadline=now + timedelta(hours=2),
        policy_version="2025.1",
        housing=HousingRequirements(
            household=Household(adults=list(adults), minors_ages=list(minors)), language="ar"
        ),
        household_size=len(adults) + len(minors),
        reported_at=reported_at or now,
    )
    return new_event(payload, producer="referral", municipality=municipality, case_id=str(uuid.uuid4()))


def closed(case: Envelope[CaseTriaged]) -> Envelope[CaseClosed]:
    payload = CaseClosed(
        outcome=CaseOutcome.NO_LONGER_NEEDED, closed_by="operator-1", closed_at=datetime.now(UTC)
    )
    return new_event(
        payload, producer="referral", municipality=case.municipality, case_id=case.case_id, causation=case
    )


RunHousing = Callable[..., AbstractAsyncContextManager[Housing]]


@pytest.fixture
def run_housing(kafka_bootstrap: str, mongo_uri: str, unique_name: str, dev_auth: DevAuth) -> RunHousing:  # noqa: F811
    @asynccontextmanager
    async def running(**overrides: Any) -> AsyncIterator[Housing]:
        values: dict[str, Any] = {
            **dev_auth.settings,
            "expiry_sweep_interval_seconds": 0.2,
            "repair_grace_seconds": 5.0,
            "webhook_poll_seconds": 0.1,
            "webhook_backoff_base_seconds": 0.1,
            "webhook_backoff_max_seconds": 0.3,
            "log_level": "WARNING",
            **overrides,
        }
        settings = isolated_settings(HousingSettings, kafka_bootstrap, mongo_uri, unique_name, **values)
        service = build(settings)
        try:
            async with (
                probe(kafka_bootstrap, settings.topic_namespace, [PLACEMENTS]) as events,
                LifespanManager(service.app, startup_timeout=60, shutdown_timeout=30),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(service.app), base_url="http://housing"
                ) as client,
            ):
                yield Housing(service, client, events, settings, dev_auth)
        finally:
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
            await mongo.drop_database(settings.database)
            await mongo.close()

    return running
