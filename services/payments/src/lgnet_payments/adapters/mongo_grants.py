"""The grant repository on MongoDB, through the runtime's aggregate collection (state + outbox, one write)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel

from lgnet_payments.adapters.contract_events import grant_envelopes
from lgnet_payments.adapters.grant_document import GRANTED_STATUSES, from_document, to_document
from lgnet_payments.adapters.personal_seal import PersonalSeal
from lgnet_payments.application.ports import Cause, GrantChange, SaveOutcome
from lgnet_payments.application.records import AWAITING_DETAILS, GrantFile
from lgnet_payments.domain.eligibility import PreviousGrant
from lgnet_payments.domain.grant import GrantStatus
from lgnet_runtime.outbox import AggregateCollection, WriteResult

_OUTCOMES = {
    WriteResult.APPLIED: SaveOutcome.SAVED,
    WriteResult.CONFLICT: SaveOutcome.CONFLICT,
    WriteResult.ALREADY_HANDLED: SaveOutcome.ALREADY_HANDLED,
    WriteResult.NOT_FOUND: SaveOutcome.NOT_FOUND,
}
_UNDECIDED = [AWAITING_DETAILS, GrantStatus.REQUESTED.value, GrantStatus.PENDING_REVIEW.value]
_WITH_BUDGET = [*GRANTED_STATUSES, GrantStatus.RETURNED.value, GrantStatus.CANCELLED.value]

INDEXES = [
    IndexModel(
        [("municipality", ASCENDING), ("status", ASCENDING), ("granted_at", ASCENDING)], name="by_status"
    ),
    IndexModel([("household_key", ASCENDING), ("status", ASCENDING)], name="by_household"),
    IndexModel([("case_id", ASCENDING), ("status", ASCENDING)], name="by_case"),
    IndexModel([("batch_id", ASCENDING)], name="by_batch"),
]


class MongoGrantRepository:
    def __init__(self, grants: AggregateCollection, seal: PersonalSeal) -> None:
        self._grants = grants
        self._seal = seal

    async def ensure_indexes(self) -> None:
        await self._grants.ensure_indexes(INDEXES)

    async def add(
        self, file: GrantFile, events: Sequence[GrantChange], *, cause: Cause | None = None
    ) -> SaveOutcome:
        doc = to_document(file, self._seal)
        result = await self._grants.insert(
            doc,
            events=grant_envelopes(file, events, cause),
            handled=str(cause.event_id) if cause is not None else None,
        )
        outcome = _OUTCOMES[result]
        if outcome is SaveOutcome.SAVED:
            file.version = 1
        return outcome

    async def get(self, grant_id: str) -> GrantFile | None:
        doc = await self._grants.load(grant_id)
        return from_document(doc, self._seal) if doc else None

    async def status_of(self, grant_id: str) -> str | None:
        doc = await self._grants.collection.find_one({"_id": grant_id}, {"status": 1})
        return str(doc["status"]) if doc else None

    async def save(self, file: GrantFile, events: Sequence[GrantChange]) -> SaveOutcome:
        doc = to_document(file, self._seal)
        doc.pop("_id")
        result = await self._grants.update(
            file.grant_id, expected_version=file.version, set_fields=doc, events=grant_envelopes(file, events)
        )
        outcome = _OUTCOMES[result]
        if outcome is SaveOutcome.SAVED:
            file.version += 1
        return outcome

    async def open_request_for_case(self, case_id: str) -> str | None:
        found = await self._grants.collection.find_one(
            {"case_id": case_id, "status": {"$in": _UNDECIDED}}, {"_id": 1}
        )
        return str(found["_id"]) if found else None

    async def previous_grants(self, household_key: str, *, excluding: str) -> Sequence[PreviousGrant]:
        cursor = self._grants.collection.find(
            {"household_key": household_key, "status": {"$in": GRANTED_STATUSES}, "_id": {"$ne": excluding}},
            {"_id": 1, "granted_at": 1},
        )
        return [PreviousGrant(doc["_id"], doc["granted_at"]) async for doc in cursor if doc.get("granted_at")]

    async def approved(self, municipality: str, limit: int) -> Sequence[GrantFile]:
        cursor = (
            self._grants.collection.find(
                # An erased beneficiary cannot be paid (erasure cancels approved grants anyway).
                {
                    "municipality": municipality,
                    "status": GrantStatus.APPROVED.value,
                    "personal_erased_at": None,
                },
                {"_outbox": 0},
            )
            .sort([("granted_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc, self._seal) async for doc in cursor]

    async def ids_for_case(self, case_id: str) -> Sequence[str]:
        cursor = self._grants.collection.find({"case_id": case_id}, {"_id": 1}).sort("_id", ASCENDING)
        return [str(doc["_id"]) async for doc in cursor]

    async def in_batch(self, batch_id: str) -> Sequence[GrantFile]:
        cursor = self._grants.collection.find({"batch_id": batch_id}, {"_outbox": 0})
        return [from_document(doc, self._seal) async for doc in cursor]

    async def search(
        self, municipalities: frozenset[str], status: str | None, limit: int
    ) -> Sequence[GrantFile]:
        query: dict[str, Any] = {"municipality": {"$in": sorted(municipalities)}}
        if status is not None:
            query["status"] = status
        cursor = (
            self._grants.collection.find(query, {"_outbox": 0})
            .sort([("opened_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc, self._seal) async for doc in cursor]

    async def status_counts(self, municipalities: frozenset[str]) -> dict[str, dict[str, int]]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"municipality": {"$in": sorted(municipalities)}}},
            {"$group": {"_id": {"m": "$municipality", "s": "$status"}, "n": {"$sum": 1}}},
        ]
        counts: dict[str, dict[str, int]] = {}
        cursor = await self._grants.collection.aggregate(pipeline)
        async for row in cursor:
            counts.setdefault(row["_id"]["m"], {})[row["_id"]["s"]] = int(row["n"])
        return counts

    async def budget_holdings(self, municipality: str) -> dict[str, tuple[str, int]]:
        cursor = self._grants.collection.find(
            {"municipality": municipality, "status": {"$in": _WITH_BUDGET}},
            {"_id": 1, "status": 1, "amount_cents": 1},
        )
        return {doc["_id"]: (doc["status"], int(doc["amount_cents"])) async for doc in cursor}
