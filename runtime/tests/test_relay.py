"""The relay publishes every waiting event at least once, whatever crashes, and never concurrently."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from prometheus_client import REGISTRY

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


async def _until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_standby_instances_writes_are_published_by_the_holder(mongo_db) -> None:  # type: ignore[no-untyped-def]
    # No sweep in this test's time: only the standby's poke can tell the holder to look.
    holder_sent, standby_sent = RecordingPublisher(), RecordingPublisher()
    holder = OutboxRelay([mongo_db["cases"]], holder_sent, service="a", poll_seconds=0.05, sweep_seconds=600)
    standby = OutboxRelay(
        [mongo_db["cases"]], standby_sent, service="b", poll_seconds=0.05, sweep_seconds=600
    )
    holder.start()
    await asyncio.sleep(0.2)  # the holder has taken the lease and made its first look
    standby.start()
    store = AggregateCollection(mongo_db["cases"], on_commit=standby.wake)
    expected = await _seed(store, docs=5, events_each=2)
    try:
        await _until(lambda: set(holder_sent.sent) == expected)
    finally:
        await standby.stop(flush_timeout=1)
        await holder.stop(flush_timeout=1)
    assert standby_sent.sent == []
    assert len(holder_sent.sent) == len(expected)


async def test_what_a_writer_left_without_telling_is_found_by_the_sweep(mongo_db) -> None:  # type: ignore[no-untyped-def]
    publisher = RecordingPublisher()
    relay = OutboxRelay([mongo_db["cases"]], publisher, service="a", poll_seconds=0.05, sweep_seconds=0.3)
    relay.start()
    await asyncio.sleep(0.2)
    # A writer that crashed after its write, before any hint or poke reached a relay.
    expected = await _seed(AggregateCollection(mongo_db["cases"]), docs=3, events_each=1)
    try:
        await _until(lambda: set(publisher.sent) == expected)
    finally:
        await relay.stop(flush_timeout=1)


async def test_a_failed_pass_looks_again_for_what_its_hints_named(mongo_db) -> None:  # type: ignore[no-untyped-def]
    relay: OutboxRelay | None = None
    store = AggregateCollection(
        mongo_db["cases"], on_commit=lambda name, key: relay and relay.wake(name, key)
    )

    class FailsOnce(RecordingPublisher):
        failed = False

        async def publish_all(self, entries: Sequence[dict[str, Any]]) -> None:
            if not self.failed:
                self.failed = True
                raise ConnectionError("Kafka away for one pass")
            await super().publish_all(entries)

    publisher = FailsOnce()
    relay = OutboxRelay([store.collection], publisher, service="a", poll_seconds=0.05, sweep_seconds=600)
    relay.start()
    await asyncio.sleep(0.2)
    expected = await _seed(store, docs=4, events_each=1)
    try:
        await _until(lambda: set(publisher.sent) == expected, timeout=10)
    finally:
        await relay.stop(flush_timeout=1)
    assert publisher.failed


async def test_the_backlog_shows_while_kafka_is_away(mongo_db) -> None:  # type: ignore[no-untyped-def]
    class KafkaAway(RecordingPublisher):
        async def publish_all(self, entries: Sequence[dict[str, Any]]) -> None:
            raise ConnectionError("no broker")

    await _seed(AggregateCollection(mongo_db["cases"]), docs=3, events_each=2)
    relay = OutboxRelay([mongo_db["cases"]], KafkaAway(), service="probe", poll_seconds=0.05)
    relay.start()
    try:
        await _until(lambda: REGISTRY.get_sample_value("lgnet_outbox_backlog", {"service": "probe"}) == 3)
    finally:
        await relay.stop(flush_timeout=0.5)


async def test_hints_stay_bounded_while_kafka_is_away_and_nothing_is_lost(mongo_db) -> None:  # type: ignore[no-untyped-def]
    relay: OutboxRelay | None = None
    store = AggregateCollection(
        mongo_db["cases"], on_commit=lambda name, key: relay and relay.wake(name, key)
    )
    kafka_up = asyncio.Event()

    class KafkaAwayAWhile(RecordingPublisher):
        async def publish_all(self, entries: Sequence[dict[str, Any]]) -> None:
            if not kafka_up.is_set():
                raise ConnectionError("no broker")
            await super().publish_all(entries)

    publisher = KafkaAwayAWhile()
    relay = OutboxRelay(
        [store.collection], publisher, service="a", batch_size=5, max_hints=8, poll_seconds=0.05
    )
    relay.start()
    try:
        expected = await _seed(store, docs=30, events_each=1)
        assert all(len(hinted) <= 8 for hinted in relay._hints.values())
        kafka_up.set()
        await _until(lambda: set(publisher.sent) == expected, timeout=20)
    finally:
        await relay.stop(flush_timeout=1)
