"""A service running on the real engines: how to publish to its topics and read what it did."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from hostile_strategies import dumps, good_envelope

from lgnet_contracts.topics import ALL_TOPICS
from lgnet_runtime.deadletter_admin import StoredDeadLetter, read_dead_letters
from lgnet_runtime.metrics import DEAD_LETTERS, EVENTS_HANDLED
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.auth import DevAuth


@dataclass
class Sent:
    """One message as published: where it landed, and what it was."""

    topic: str  # namespaced
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    item: Any = None


@dataclass
class Sentinel:
    """A valid event published after the hostile ones, and how to see it was handled."""

    event: dict[str, Any]
    topic: str  # contract name
    handled: Callable[[Any], Awaitable[bool]]


@dataclass
class Profile:
    name: str
    build: Callable[[RuntimeSettings], Any]
    settings: Callable[[str, str, str, DevAuth], RuntimeSettings]
    sentinel: Callable[[], Sentinel]
    legal: Callable[[], list[tuple[str, dict[str, Any]]]]  # (reason, event) handled, never poison


@dataclass
class Running:
    profile: Profile
    settings: RuntimeSettings
    service: Any
    client: httpx.AsyncClient
    bootstrap: str
    topics: list[str] = field(default_factory=list)  # contract names the consumer reads

    @property
    def namespace(self) -> str:
        return self.settings.topic_namespace

    @property
    def consumer(self) -> Any:
        [consumer] = self.service.runtime.consumers
        return consumer

    @property
    def event_types(self) -> list[str]:
        return sorted(self.consumer.event_types)

    def subscribers_alive(self) -> bool:
        subscribers = list(self.service.runtime.broker.subscribers)
        return bool(subscribers) and all(
            s.running and s.tasks and not any(t.done() for t in s.tasks) for s in subscribers
        )

    def handled_count(self, event_type: str, outcome: str) -> float:
        return EVENTS_HANDLED.labels(self.profile.name, event_type, outcome)._value.get()

    def dead_letter_count(self, topic: str, reason: str) -> float:
        return DEAD_LETTERS.labels(self.profile.name, self.namespace + topic, reason)._value.get()

    async def publish(
        self, messages: Sequence[tuple[str, bytes | None, bytes, list[tuple[str, bytes]], Any]]
    ) -> list[Sent]:
        """(contract topic, key, value, headers, item) in order, all to partition 0 of their topic."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            max_request_size=1_048_576,
        )
        await producer.start()
        try:
            futures = [
                (
                    await producer.send(self.namespace + topic, value, key=key, headers=headers, partition=0),
                    topic,
                    key,
                    value,
                    headers,
                    item,
                )
                for topic, key, value, headers, item in messages
            ]
            sent = []
            for future, topic, key, value, headers, item in futures:
                meta = await future
                sent.append(
                    Sent(self.namespace + topic, meta.partition, meta.offset, key, value, headers, item)
                )
            return sent
        finally:
            await producer.stop()

    async def end_markers(self) -> dict[str, str]:
        """One event of a type nobody knows at the end of each topic: seen as `ignored` once
        the consumer has gone past everything published before it on that partition."""
        markers = {topic: f"hostile.end.{uuid.uuid4().hex}" for topic in self.topics}
        await self.publish(
            [
                (topic, None, dumps({**good_envelope("case.closed"), "event_type": name}), [], None)
                for topic, name in markers.items()
            ]
        )
        return markers

    async def wait_past(self, markers: dict[str, str], sentinel: Sentinel, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            seen = {t: self.handled_count(name, "ignored") >= 1 for t, name in markers.items()}
            if all(seen.values()) and await sentinel.handled(self):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{self.profile.name}: the consumer did not get past the hostile batch in {timeout}s "
                    f"(end of topic reached: {seen}, sentinel handled: {await sentinel.handled(self)}, "
                    f"consumer alive: {self.subscribers_alive()})"
                )
            await asyncio.sleep(0.1)

    async def dead_letters(self) -> list[StoredDeadLetter]:
        topics = [self.namespace + spec.dead_letter for spec in ALL_TOPICS if spec.name in self.topics]
        return await read_dead_letters(self.bootstrap, topics)
