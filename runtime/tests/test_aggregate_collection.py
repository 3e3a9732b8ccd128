"""Contract of the aggregate store, run against the MongoDB-wire engine in use."""

import asyncio

import pytest

from lgnet_runtime.outbox import HANDLED_KEPT, AggregateCollection, WriteResult
from lgnet_runtime.relay import PENDING

from .conftest import closed_event

pytestmark = pytest.mark.engines


@pytest.fixture
def store(mongo_db) -> AggregateCollection:  # type: ignore[no-untyped-def]
    return AggregateCollection(mongo_db["aggregates"])


async def test_insert_keeps_state_events_and_cause_together(store: AggregateCollection) -> None:
    event = closed_event()
    assert (
        await store.insert({"_id": "a1", "status": "open"}, events=[event], handled="cause-1")
        == WriteResult.APPLIED
    )
    raw = await store.collection.find_one({"_id": "a1"})
    assert raw is not None
    assert raw["status"] == "open"
    assert raw["_v"] == 1
    assert raw["_handled"] == ["cause-1"]
    assert await store.collection.count_documents(PENDING) == 1
    assert [e["id"] for e in raw["_outbox"]] == [str(event.event_id)]
    assert raw["_outbox"][0]["topic"] == "lgnet.referral.cases"


async def test_redelivered_creation_is_recognised(store: AggregateCollection) -> None:
    await store.insert({"_id": "a2"}, handled="cause-1")
    assert await store.insert({"_id": "a2"}, handled="cause-1") == WriteResult.ALREADY_HANDLED
    assert await store.insert({"_id": "a2"}, handled="cause-2") == WriteResult.CONFLICT


async def test_update_is_applied_once_per_cause(store: AggregateCollection) -> None:
    await store.insert({"_id": "a3", "n": 0})
    first = await store.update(
        "a3", expected_version=None, inc={"n": 1}, events=[closed_event()], handled="e1"
    )
    again = await store.update(
        "a3", expected_version=None, inc={"n": 1}, events=[closed_event()], handled="e1"
    )
    assert (first, again) == (WriteResult.APPLIED, WriteResult.ALREADY_HANDLED)
    raw = await store.collection.find_one({"_id": "a3"})
    assert raw is not None
    assert raw["n"] == 1
    assert len(raw["_outbox"]) == 1


async def test_stale_version_is_a_conflict(store: AggregateCollection) -> None:
    await store.insert({"_id": "a4", "status": "open"})
    assert await store.update("a4", expected_version=1, set_fields={"status": "x"}) == WriteResult.APPLIED
    assert await store.update("a4", expected_version=1, set_fields={"status": "y"}) == WriteResult.CONFLICT
    assert (
        await store.update("missing", expected_version=1, set_fields={"status": "y"}) == WriteResult.NOT_FOUND
    )


async def test_guarded_counter_never_goes_below_zero_under_concurrency(store: AggregateCollection) -> None:
    await store.insert({"_id": "beds", "available": 25})

    async def take(i: int) -> WriteResult:
        return await store.update(
            "beds",
            expected_version=None,
            condition={"available": {"$gte": 1}},
            inc={"available": -1},
            events=[closed_event()],
            handled=f"take-{i}",
        )

    results = await asyncio.gather(*(take(i) for i in range(200)))
    assert results.count(WriteResult.APPLIED) == 25
    assert results.count(WriteResult.CONFLICT) == 175
    raw = await store.collection.find_one({"_id": "beds"})
    assert raw is not None
    assert raw["available"] == 0
    assert len(raw["_outbox"]) == 25


async def test_handled_marks_are_bounded(store: AggregateCollection) -> None:
    await store.insert({"_id": "a5", "n": 0})
    for i in range(HANDLED_KEPT + 5):
        await store.update("a5", expected_version=None, inc={"n": 1}, handled=f"e{i}")
    raw = await store.collection.find_one({"_id": "a5"})
    assert raw is not None
    assert len(raw["_handled"]) == HANDLED_KEPT
    assert raw["_handled"][-1] == f"e{HANDLED_KEPT + 4}"
