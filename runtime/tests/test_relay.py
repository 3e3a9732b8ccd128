"""The relay publishes every waiting event at least once, whatever crashes, and never concurrently."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from lgnet_runtime.outbox import AggregateCollection
from lgnet_runtime.relay import OutboxRelay

from .conftest import closed_event

pytestmark = pytest.mark.engines


class RecordingPublisher:
    def __init__(self, *, fail_after_publish: bool = False, delay: float = 0.0) -> None:
        self.sent: list[str] = []
        self.in_flight: Counter[str] = Counter()
        self.overlaps = 0
        self.fail_after_publish = fail_after_publish
        self.delay = delay

    async def publish_all(self, entries: Sequence[dict[str, Any]]) -> None:
        ids = [e["id"] for e in entries]
        for i in ids:
            self.in_flight[i] += 1
            if self.in_flight[i] > 1:
                self.overlaps += 1
        await asyncio.sleep(self.delay)
        self.sent.extend(ids)
        for i in ids:
            self.in_flight[i] -= 1
        if self.fail_after_publish:
            raise ConnectionError("crash after Kafka acknowledged, before the outbox was marked")


async def _seed(store: AggregateCollection, docs: int, events_each: int) -> set[str]:
    ids: set[str] = set()
    for d in range(docs):
        events = [closed_event() for _ in range(events_each)]
        ids |= {str(e.event_id) for e in events}
        await store.insert({"_id": f"d{d}"}, events=events)
    return ids


async def test_written_events_survive_a_crash_before_publishing(mongo_db) -> None:  # type: ignore[no-untyped-def]
    store = AggregateCollection(mongo_db["cases"])
    expected = await _seed(store, docs=30, events_each=3)
    # The writer "crashed": no relay ran. A relay started later publishes everything.
    publisher = RecordingPublisher()
    relay = OutboxRelay([store.collection], publisher, service="t", batch_size=7)
    while await relay.drain_once():
        pass
    assert set(publisher.sent) == expected
    assert len(publisher.sent) == len(expected)
    assert await store.collection.count_documents({"_outbox.0": {"$exists": True}}) == 0


async def test_crash_after_publish_means_publish_again_never_lose(mongo_db) -> None:  # type: ignore[no-untyped-def]
    store = AggregateCollection(mongo_db["cases"])
    expected = await _seed(store, docs=5, events_each=2)
    crashing = RecordingPublisher(fail_after_publish=True)
    relay = OutboxRelay([store.collection], crashing, service="t", lease_seconds=0.3)
    with pytest.raises(ConnectionError):
        await relay.drain_once()
    assert set(crashing.sent) == expected  # went out, but not marked
    await asyncio.sleep(0.4)  # the crashed instance's lease runs out; another takes over
    healthy = RecordingPublisher()
    while await OutboxRelay([store.collection], healthy, service="t").drain_once():
        pass
    assert set(healthy.sent) == expected  # at least once: sent again, nothing lost


async def test_events_added_while_publishing_are_kept(mongo_db) -> None:  # type: ignore[no-untyped-def]
    relay: OutboxRelay | None = None
    # The writer hints the relay, as the runtime wires it.
    store = AggregateCollection(
        mongo_db["cases"], on_commit=lambda name, key: relay and relay.wake(name, key)
    )
    first = closed_event()
    await store.insert({"_id": "c"}, events=[first])
    late = closed_event()

    class AddsDuringPublish(RecordingPublisher):
        async def publish_all(self, entries: Sequence[dict[str, Any]]) -> None:
            await super().publish_all(entries)
            if len(self.sent) == 1:
                await store.update("c", expected_version=None, events=[late])

    publisher = AddsDuringPublish()
    relay = OutboxRelay([store.collection], publisher, service="t")
    while await relay.drain_once():
        pass
    assert publisher.sent == [str(first.event_id), str(late.event_id)]
    assert (await store.collection.find_one({"_id": "c"}) or {})["_outbox"] == []


async def test_concurrent_relays_never_publish_the_same_event_at_once(mongo_db) -> None:  # type: ignore[no-untyped-def]
    store = AggregateCollection(mongo_db["cases"])
    expected = await _seed(store, docs=60, events_each=1)
    shared = RecordingPublisher(delay=0.05)
    relays = [OutboxRelay([store.collection], shared, service=f"r{i}", batch_size=10) for i in range(4)]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.drain_once():
            pass

    await asyncio.gather(*(drain(r) for r in relays))
    assert shared.overlaps == 0
    assert set(shared.sent) == expected
    assert len(shared.sent) == len(expected)
