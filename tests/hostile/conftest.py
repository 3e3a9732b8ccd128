"""Each service in-process on the real engines, and a way to throw messages at its consumer.

Test modules cannot import this file (importlib mode); they get the harness through fixtures
(built from `hostile_harness`) and the strategies from `hostile_strategies`, both packages next to
this file on `sys.path`.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).parent))

from hostile_harness import PROFILES, Running

from lgnet_testing.auth import DevAuth
from lgnet_testing.auth import dev_auth as dev_auth

SERVICES = ("referral", "housing", "payments", "notifications")


@pytest.fixture
def run_service(kafka_bootstrap: str, mongo_uri: str, dev_auth: DevAuth) -> Callable[[str], Any]:
    """`async with run_service("housing") as running:` the service, built and started, then dropped."""

    @asynccontextmanager
    async def running(name: str) -> AsyncIterator[Running]:
        profile = PROFILES[name]
        unique = uuid.uuid4().hex[:12]
        settings = profile.settings(kafka_bootstrap, mongo_uri, unique, dev_auth)
        service = profile.build(settings)
        topics = sorted(t.removeprefix(settings.topic_namespace) for t in _subscribed(service))
        try:
            async with (
                LifespanManager(service.app, startup_timeout=60, shutdown_timeout=30),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(service.app), base_url="http://svc"
                ) as client,
            ):
                yield Running(profile, settings, service, client, kafka_bootstrap, topics)
        finally:
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
            try:
                await mongo.drop_database(settings.database)
            finally:
                await mongo.close()

    return running


def _subscribed(service: Any) -> set[str]:
    names: set[str] = set()
    for subscriber in service.runtime.broker.subscribers:
        names.update(subscriber.topic_names)
    return names
