"""Household claims on MongoDB: one document per household key, taken by one conditional upsert.

``take`` is literally the write ``domain.household_claim`` documents; it and ``release`` address
the document by ``_id`` only, the one look-up every engine serves from an index. The claim
publishes nothing, so it is a plain collection, not an aggregate with an outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_payments.domain.household_claim import ClaimRequest, HouseholdClaim

INDEXES = [IndexModel([("grant_id", ASCENDING)], name="by_grant")]


def take_filter(request: ClaimRequest) -> dict[str, Any]:
    admitted: list[dict[str, Any]] = [
        {"grant_id": request.grant_id},
        {"released_at": {"$ne": None}},
        {"claimed_at": {"$lte": request.lapsed_at}},
    ]
    if request.replacing is not None:
        admitted.append({"grant_id": request.replacing})
    return {"_id": request.household_key, "$or": admitted}


def from_document(doc: dict[str, Any]) -> HouseholdClaim:
    return HouseholdClaim(doc["_id"], doc["grant_id"], doc["claimed_at"], doc.get("released_at"))


class MongoHouseholdClaimRepository:
    def __init__(self, claims: AsyncCollection[dict[str, Any]]) -> None:
        self._claims = claims

    async def ensure_indexes(self) -> None:
        # Only erasure looks claims up by grant: rare, and it must find the claim after the key is gone.
        await self._claims.create_indexes(INDEXES)

    async def take(self, request: ClaimRequest) -> bool:
        claim = request.taken()
        try:
            await self._claims.update_one(
                take_filter(request),
                {"$set": {"grant_id": claim.grant_id, "claimed_at": claim.claimed_at, "released_at": None}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists and holds another grant's live claim
        return True

    async def get(self, household_key: str) -> HouseholdClaim | None:
        doc = await self._claims.find_one({"_id": household_key})
        return from_document(doc) if doc else None

    async def release(self, household_key: str, grant_id: str, at: datetime) -> bool:
        result = await self._claims.update_one(
            {"_id": household_key, "grant_id": grant_id, "released_at": None}, {"$set": {"released_at": at}}
        )
        return result.modified_count == 1

    async def forget(self, grant_id: str) -> int:
        result = await self._claims.delete_many({"grant_id": grant_id})
        return result.deleted_count
