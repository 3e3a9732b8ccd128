"""Fixtures for the referral service on the real engines: the app in-process, a movable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from lgnet_referral.application.clock import utc_now
from lgnet_referral.bootstrap import ReferralService, build
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import DevAuth
from lgnet_testing.auth import dev_auth as dev_auth  # the session's token fixture
from lgnet_testing.harness import isolated_settings

ROMA = "058091"
MILANO = "015146"
PHONE_DIGITS = "3331234567"
GIVEN_NAME = "Zainab"
FAMILY_NAME = "Okonkwo-Haddad"


class MovableClock:
    """Shared by every instance in a test, so "five hours later" holds for all of them."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest_asyncio.fixture(loop_scope="session")
async def settings(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str, dev_auth: DevAuth
) -> AsyncIterator[ReferralSettings]:
    value = isolated_settings(
        ReferralSettings,
        kafka_bootstrap,
        mongo_uri,
        unique_name,
        **dev_auth.settings,
        sealing_keys="k1:" + Sealer.generate_key(),
        identity_pepper="integration-pepper-" + unique_name,
        sla_watchdog_interval_seconds=0.1,
    )
    yield value
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        await client.drop_database(value.database)
    finally:
        await client.close()


@asynccontextmanager
async def running(
    settings: ReferralSettings, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[tuple[ReferralService, httpx.AsyncClient]]:
    service = build(settings, clock=clock)
    async with (
        LifespanManager(service.app, startup_timeout=60, shutdown_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(service.app), base_url="http://referral") as client,
    ):
        yield service, client


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": ROMA,
        "location": "Roma Termini, near platform 24",
        "household": {"adults": ["female"], "minors_ages": [2, 7], "pregnant": False},
        "factors": ["single_parent_with_minors", "torture_or_violence_survivor"],
        "needs": ["shelter_tonight", "economic_hardship"],
        "contact": {"phone": "+39 333 123 4567", "email": "z.o@example.org", "preferred_language": "en"},
        "given_name": GIVEN_NAME,
        "family_name": FAMILY_NAME,
        "birth_date": "1991-04-02",
        "consent": {"contact": True, "data_processing": True},
        "notes": "Arrived yesterday from Lampedusa; the younger child has a fever.",
    }
    body.update(overrides)
    return body
