"""The local MongoDB-wire server: what our persistence relies on, and data surviving restarts."""

from __future__ import annotations

import asyncio

import pytest
from pymongo import AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from lgnet_testing.controller import LocalEngines

pytestmark = pytest.mark.engines

Db = AsyncDatabase[dict[str, object]]


async def test_unique_index_rejects_duplicate(mongo_db: Db) -> None:
    cases = mongo_db["cases"]
    await cases.create_index("case_number", unique=True)
    await cases.insert_one({"case_number": "RR-2026-0001"})

    with pytest.raises(DuplicateKeyError):
        await cases.insert_one({"case_number": "RR-2026-0001"})
    assert await cases.count_documents({}) == 1


async def test_conditional_decrement_never_goes_negative(mongo_db: Db) -> None:
    shelters = mongo_db["shelters"]
    capacity, contenders = 37, 200
    await shelters.insert_one({"_id": "shelter-1", "free_beds": capacity, "placements": []})

    async def take_bed(case: int) -> dict[str, object] | None:
        return await shelters.find_one_and_update(
            {"_id": "shelter-1", "free_beds": {"$gte": 1}},
            {"$inc": {"free_beds": -1}, "$push": {"placements": case}},
            return_document=ReturnDocument.AFTER,
        )

    results = await asyncio.gather(*(take_bed(case) for case in range(contenders)))

    granted = [result for result in results if result is not None]
    assert len(granted) == capacity
    assert all(int(result["free_beds"]) >= 0 for result in granted)  # type: ignore[call-overload]
    stored = await shelters.find_one({"_id": "shelter-1"})
    assert stored is not None
    assert stored["free_beds"] == 0
    # Every winner's update landed exactly once. (Under contention mongo-java-server may return the
    # post-image of a later update, so the returned counts themselves are not asserted unique.)
    placements = stored["placements"]
    assert isinstance(placements, list)
    assert len(placements) == len(set(placements)) == capacity


async def test_bulk_write_of_update_ones(mongo_db: Db) -> None:
    budgets = mongo_db["budgets"]
    await budgets.insert_many([{"_id": f"m-{i}", "reserved_cents": 0} for i in range(3)])

    result = await budgets.bulk_write(
        [
            UpdateOne({"_id": "m-0"}, {"$inc": {"reserved_cents": 15_000}}),
            UpdateOne({"_id": "m-1"}, {"$set": {"reserved_cents": 2_500}}),
            UpdateOne({"_id": "m-9"}, {"$setOnInsert": {"reserved_cents": 700}}, upsert=True),
        ],
        ordered=True,
    )

    assert (result.matched_count, result.modified_count, result.upserted_count) == (2, 2, 1)
    stored = {doc["_id"]: doc["reserved_cents"] async for doc in budgets.find({})}
    assert stored == {"m-0": 15_000, "m-1": 2_500, "m-2": 0, "m-9": 700}


@pytest.mark.slow
async def test_data_survives_graceful_restart(
    mongo_db: Db, mongo_uri: str, local_engines: LocalEngines
) -> None:
    await mongo_db["cases"].insert_many([{"_id": i, "status": "triaged"} for i in range(100)])

    await local_engines.restart("mongo")

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        assert await client[mongo_db.name]["cases"].count_documents({"status": "triaged"}) == 100
    finally:
        await client.close()
