"""Fixtures for the payments service on the real engines: the app in-process, a clock inside the window."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Need, Priority
from lgnet_payments.bootstrap import PaymentsService, build
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import DevAuth, dev_auth  # noqa: F401  (the session's token fixture)
from lgnet_testing.harness import isolated_settings
from lgnet_testing.samples import fiscal_code

ROMA = "058091"
MILANO = "015146"
PAYEE_IBAN = "IT60X0542811101000000123456"
# Decisions happen inside the programme window whatever day the tests run.
ANCHOR = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


class AnchoredClock:
    def __init__(self) -> None:
        self._started = datetime.now(UTC)

    def __call__(self) -> datetime:
        return ANCHOR + (datetime.now(UTC) - self._started)


def details_body(index: int = 0, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "household_size": 3,
        "isee_cents": 9_500_00,
        "housing": {"rent_arrears": True, "eviction_notice": True, "lease_registered": True},
        "requested_cents": 3_000_00,
        "purpose": "rent_arrears",
        "beneficiary_name": "Amina Ouédraogo",
        "iban": PAYEE_IBAN,
        "fiscal_code": fiscal_code(index),
    }
    body.update(overrides)
    return body


def triaged(
    case_id: str | None = None, *, needs: tuple[Need, ...] = (Need.ECONOMIC_HARDSHIP,)
) -> Envelope[Any]:
    now = datetime.now(UTC)
    payload = CaseTriaged(
        priority=Priority.P2,
        score=7,
        breakdown=[],
        needs=list(needs),
        sla_deadline=now + timedelta(hours=24),
        policy_version="2025.1",
        household_size=3,
        reported_at=now - timedelta(minutes=5),
    )
    return new_event(payload, producer="referral", municipality=ROMA, case_id=case_id or str(uuid.uuid4()))


@pytest_asyncio.fixture(loop_scope="session")
async def settings(
    kafka_bootstrap: str,
    mongo_uri: str,
    unique_name: str,
    dev_auth: DevAuth,  # noqa: F811  (the fixture imported above)
) -> AsyncIterator[PaymentsSettings]:
    value = isolated_settings(
        PaymentsSettings,
        kafka_bootstrap,
        mongo_uri,
        unique_name,
        **dev_auth.settings,
        sealing_keys="k1:" + Sealer.generate_key(),
        household_pepper="integration-pepper-" + unique_name,
        allow_placeholder_debtor_accounts=True,
    )
    yield value
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        await client.drop_database(value.database)
    finally:
        await client.close()


@asynccontextmanager
async def running(settings: PaymentsSettings) -> AsyncIterator[tuple[PaymentsService, httpx.AsyncClient]]:
    service = build(settings, clock=AnchoredClock())
    async with (
        LifespanManager(service.app, startup_timeout=60, shutdown_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(service.app), base_url="http://payments") as client,
    ):
        yield service, client
