"""Helpers for tests that run services on the real engines: isolated settings, event probes."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lgnet_contracts import Envelope, decode
from lgnet_contracts.topics import TopicSpec
from lgnet_runtime.settings import RuntimeSettings
from lgnet_runtime.topics import ensure_topics
from lgnet_testing import leftovers

S = TypeVar("S", bound=RuntimeSettings)
T = TypeVar("T")


def isolated_settings(cls: type[S], kafka_bootstrap: str, mongo_uri: str, unique: str, **overrides: Any) -> S:
    """Settings whose topics, consumer group and database belong to this test alone."""
    values: dict[str, Any] = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "topic_namespace": f"t{unique}.",
        "mongodb_database": f"{cls.service_name}_{unique}",
        "consumer_group": f"{cls.service_name}-{unique}",
        "consumer_batch_timeout_ms": 50,
        "relay_poll_seconds": 0.1,
        "relay_sweep_seconds": 0.5,
        "retry_base_seconds": 0.05,
        "retry_max_seconds": 0.5,
        "graceful_timeout_seconds": 5.0,
        "log_format": "json",
    }
    values.update(overrides)
    settings = cls.model_validate(values)
    leftovers.created(topic_prefix=settings.topic_namespace or None, database=settings.database)
    return settings


async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str = "condition", timeout: float = 20.0
) -> T:
    """Poll an async check until it returns something truthy, and return it; fail naming what never came."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class EventProbe:
    """Reads topics from the beginning, without a consumer group, and keeps what it decoded."""

    def __init__(self, bootstrap: str, topics: Iterable[str]) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
            metadata_max_age_ms=500,
        )
        self.events: list[Envelope[Any]] = []
        self.raw: list[Any] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self._consumer:
            self.raw.append(record)
            with contextlib.suppress(ValueError):  # not an event: kept in `raw` only
                self.events.append(decode(record.value))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    def of_type(self, event_type: str, case_id: str | None = None) -> list[Envelope[Any]]:
        return [
            e for e in self.events if e.event_type == event_type and (case_id is None or e.case_id == case_id)
        ]

    async def wait_for(
        self, predicate: Callable[[list[Envelope[Any]]], bool], timeout: float = 20.0, what: str = "events"
    ) -> list[Envelope[Any]]:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self.events):
            if asyncio.get_running_loop().time() > deadline:
                seen = [e.event_type for e in self.events]
                raise AssertionError(f"timed out waiting for {what}; saw {seen}")
            await asyncio.sleep(0.05)
        return self.events

    async def wait_for_type(
        self, event_type: str, case_id: str | None = None, count: int = 1, timeout: float = 20.0
    ) -> list[Envelope[Any]]:
        await self.wait_for(
            lambda _: len(self.of_type(event_type, case_id)) >= count, timeout, what=f"{count} x {event_type}"
        )
        return self.of_type(event_type, case_id)


@asynccontextmanager
async def probe(bootstrap: str, namespace: str, specs: Iterable[TopicSpec]) -> AsyncIterator[EventProbe]:
    specs = list(specs)
    await ensure_topics(bootstrap, specs, namespace=namespace)
    p = EventProbe(bootstrap, [namespace + s.name for s in specs])
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


async def publish_raw(
    bootstrap: str,
    topic: str,
    value: bytes,
    key: bytes | None = None,
    headers: list[tuple[str, bytes]] | None = None,
    partition: int | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=headers or [], partition=partition)
    finally:
        await producer.stop()


async def publish_events(bootstrap: str, namespace: str, events: Iterable[Envelope[Any]]) -> None:
    from lgnet_contracts import encode

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(namespace + event.payload.topic, encode(event), key=event.key)
    finally:
        await producer.stop()
