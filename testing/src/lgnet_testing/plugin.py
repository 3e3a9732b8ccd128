"""pytest plugin: one real Kafka broker and one MongoDB-wire server per session, unique names per test."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from lgnet_cli import engines as local

from . import leftovers
from .auth import dev_auth  # noqa: F401  (a fixture, registered by being here)
from .controller import LocalEngines
from .sources import SessionEngines, session_engines

TOPIC_PARTITIONS = 3


@pytest.fixture(scope="session")
def engines() -> Iterator[SessionEngines]:
    """The session's engines: env vars, else Docker containers, else the local engines."""
    with session_engines() as found:
        yield found
        asyncio.run(leftovers.remove(found.kafka_bootstrap, found.mongodb_uri))


@pytest.fixture
def kafka_bootstrap(engines: SessionEngines) -> str:
    return engines.kafka_bootstrap


@pytest.fixture
def mongo_uri(engines: SessionEngines) -> str:
    return engines.mongodb_uri


@pytest.fixture
def unique_name() -> str:
    """A short suffix no other test shares: for topics, consumer groups and databases."""
    unique = uuid.uuid4().hex[:12]
    leftovers.created(topic_prefix=f"test-{unique}", database=f"test_{unique}")
    return unique


@pytest_asyncio.fixture(loop_scope="session")
async def mongo_db(mongo_uri: str, unique_name: str) -> AsyncIterator[AsyncDatabase[dict[str, object]]]:
    """A database of its own, dropped after the test. A client per test survives server restarts."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    name = f"test_{unique_name}"
    try:
        yield client[name]
        await client.drop_database(name)
    finally:
        await client.close()


@pytest_asyncio.fixture(loop_scope="session")
async def kafka_topic(kafka_bootstrap: str, unique_name: str) -> AsyncIterator[str]:
    """A topic of its own with three partitions, deleted after the test."""
    name = f"test-{unique_name}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        response = await admin.create_topics([NewTopic(name, TOPIC_PARTITIONS, replication_factor=1)])
        errors = [error for error in response.to_object()["topic_errors"] if error["error_code"] != 0]
        if errors:
            raise RuntimeError(f"could not create topic {name}: {errors}")
    finally:
        await admin.close()
    yield name
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    # The test may have killed the broker; a leftover topic is harmless.
    with contextlib.suppress(Exception):
        try:
            await admin.start()
            await admin.delete_topics([name])
        finally:
            await admin.close()


@pytest.fixture
def local_engines(engines: SessionEngines) -> LocalEngines:
    """Kill and restart the local engines; skips when the session uses external engines or containers."""
    if engines.source != "local":
        pytest.skip(f"needs the local engines to kill and restart them; this session uses {engines.source}")
    return LocalEngines(local.EngineConfig.from_env())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that crash or restart the engines run last, so no other test sees the aftermath."""
    items.sort(key=lambda item: "local_engines" in getattr(item, "fixturenames", ()))
