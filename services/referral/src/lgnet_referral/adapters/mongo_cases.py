"""The case repository on MongoDB, through the runtime's aggregate collection (state + outbox, one write)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from lgnet_referral.adapters.case_document import from_document, to_document
from lgnet_referral.adapters.contract_events import ContractEvents
from lgnet_referral.adapters.personal_seal import ContactSeal, PersonalSeal
from lgnet_referral.application.case_file import CaseFile, Erasure, PersonalData
from lgnet_referral.application.ports import CasePage, CaseQuery, SaveOutcome
from lgnet_referral.domain.case_status import CaseStatus
from lgnet_referral.domain.duplicates import DuplicateCandidate, LookupKeys, MatchKey
from lgnet_referral.domain.events import CaseEvent
from lgnet_referral.domain.sla import SlaState
from lgnet_runtime.keyring import Erased
from lgnet_runtime.outbox import AggregateCollection, WriteResult

_OUTCOMES = {
    WriteResult.APPLIED: SaveOutcome.SAVED,
    WriteResult.CONFLICT: SaveOutcome.CONFLICT,
    WriteResult.ALREADY_HANDLED: SaveOutcome.ALREADY_HANDLED,
    WriteResult.NOT_FOUND: SaveOutcome.NOT_FOUND,
}
# Lists never need the story or the sealed personal data: leave them on the server.
_SUMMARY_PROJECTION = {"timeline": 0, "personal": 0, "linked_keys": 0, "_outbox": 0, "_handled": 0}

INDEXES = [
    # The SLA watchdog's queue; cases with nothing to watch have null and sort first, so the
    # query always bounds it from below.
    IndexModel([("next_sla_check", ASCENDING)], name="sla_queue"),
    IndexModel([("lookup.phone", ASCENDING), ("reported_at", DESCENDING)], name="dup_phone"),
    IndexModel([("lookup.fiscal_code", ASCENDING), ("reported_at", DESCENDING)], name="dup_fiscal_code"),
    IndexModel(
        [("lookup.name_and_birth_date", ASCENDING), ("reported_at", DESCENDING)], name="dup_name_birth_date"
    ),
    IndexModel(
        [("municipality", ASCENDING), ("status", ASCENDING), ("reported_at", DESCENDING)], name="by_status"
    ),
    IndexModel(
        [("municipality", ASCENDING), ("priority", ASCENDING), ("reported_at", DESCENDING)],
        name="by_priority",
    ),
    IndexModel([("municipality", ASCENDING), ("sla_deadline", ASCENDING)], name="by_deadline"),
    # The retention sweep's queue: closed cases, the longest closed first.
    IndexModel([("status", ASCENDING), ("closed_at", ASCENDING)], name="retention_queue"),
]
_NO_LOOKUP = {"phone": None, "fiscal_code": None, "name_and_birth_date": None}


class MongoCaseRepository:
    def __init__(self, cases: AggregateCollection, seal: PersonalSeal, contact: ContactSeal) -> None:
        self._cases = cases
        self._seal = seal
        self._events = ContractEvents(contact)

    async def ensure_indexes(self) -> None:
        await self._cases.ensure_indexes(INDEXES)

    async def _document(self, file: CaseFile) -> dict[str, Any]:
        doc = to_document(file)
        if file.personal_changed and file.personal is not None and file.erasure is None:
            doc["personal"] = await self._seal.seal(file.personal, case_id=file.case_id)
        return doc

    async def _open(self, doc: dict[str, Any]) -> PersonalData | None:
        if not doc.get("personal") or doc.get("erasure"):
            return None
        try:
            return await self._seal.open(doc["personal"], case_id=doc["_id"])
        except Erased:
            # Key destroyed but the case not yet marked (an erasure cut short): nothing to show.
            return None

    async def add(self, file: CaseFile, events: Sequence[CaseEvent]) -> SaveOutcome:
        doc = await self._document(file)
        result = await self._cases.insert(doc, events=self._events.envelopes(file, events))
        outcome = _OUTCOMES[result]
        if outcome is SaveOutcome.SAVED:
            file.case.version, file.personal_changed = 1, False
        return outcome

    async def get(self, case_id: str, *, open_personal: bool = False) -> CaseFile | None:
        doc = await self._cases.load(case_id)
        if doc is None:
            return None
        return from_document(doc, await self._open(doc) if open_personal else None)

    async def save(
        self, file: CaseFile, events: Sequence[CaseEvent], *, handled: str | None = None
    ) -> SaveOutcome:
        doc = await self._document(file)
        doc.pop("_id")
        result = await self._cases.update(
            file.case_id,
            expected_version=file.case.version,
            set_fields=doc,
            events=self._events.envelopes(file, events),
            handled=handled,
        )
        outcome = _OUTCOMES[result]
        if outcome is SaveOutcome.SAVED:
            file.case.version += 1
            file.personal_changed = False
        return outcome

    async def erase(self, file: CaseFile, erasure: Erasure) -> SaveOutcome:
        """Mark the case erased, drop its lookup keys and report fingerprints (keyed hashes of the
        person's data too) and publish ``case.erased``, in one write.

        The sealed personal record stays where it is: its key is destroyed already, so it is
        noise, like every copy of it in backups.
        """
        file.erasure, file.personal, file.personal_changed = erasure, None, False
        doc = to_document(file)
        doc.pop("_id")
        doc["lookup"] = dict(_NO_LOOKUP)
        result = await self._cases.update(
            file.case_id,
            expected_version=file.case.version,
            set_fields=doc,
            events=[self._events.erased(file, erasure)],
        )
        outcome = _OUTCOMES[result]
        if outcome is SaveOutcome.SAVED:
            file.case.version += 1
        return outcome

    async def closed_before(self, cutoff: datetime, limit: int) -> Sequence[str]:
        cursor = (
            self._cases.collection.find(
                {"status": str(CaseStatus.CLOSED), "closed_at": {"$lt": cutoff}, "erasure": None},
                {"_id": 1},
            )
            .sort("closed_at", ASCENDING)
            .limit(limit)
        )
        return [doc["_id"] async for doc in cursor]

    async def duplicate_candidates(
        self, municipality: str, keys: LookupKeys, since: datetime
    ) -> Sequence[DuplicateCandidate]:
        alternatives = [{f"lookup.{key}": keys.get(key)} for key in MatchKey if keys.get(key) is not None]
        if not alternatives:
            return []
        query = {
            "$or": alternatives,
            "municipality": municipality,
            "reported_at": {"$gte": since},
            "status": {"$ne": str(CaseStatus.CLOSED)},
        }
        found = self._cases.collection.find(query, {"lookup": 1, "reported_at": 1}).limit(50)
        return [
            DuplicateCandidate(
                case_id=doc["_id"],
                reported_at=doc["reported_at"],
                keys=LookupKeys(
                    phone=doc["lookup"].get("phone"),
                    fiscal_code=doc["lookup"].get("fiscal_code"),
                    name_and_birth_date=doc["lookup"].get("name_and_birth_date"),
                ),
            )
            async for doc in found
        ]

    async def due_for_sla_check(self, now: datetime, limit: int) -> Sequence[str]:
        cursor = (
            self._cases.collection.find({"next_sla_check": {"$ne": None, "$lt": now}}, {"_id": 1})
            .sort("next_sla_check", ASCENDING)
            .limit(limit)
        )
        return [doc["_id"] async for doc in cursor]

    async def search(self, query: CaseQuery) -> CasePage:
        criteria = _criteria(query)
        total = await self._cases.collection.count_documents(criteria)
        cursor = (
            self._cases.collection.find(criteria, _SUMMARY_PROJECTION)
            .sort([("reported_at", DESCENDING), ("_id", ASCENDING)])
            .skip((query.page - 1) * query.page_size)
            .limit(query.page_size)
        )
        items = [from_document(doc) async for doc in cursor]
        return CasePage(items=items, total=total, page=query.page, page_size=query.page_size)


def _criteria(query: CaseQuery) -> dict[str, Any]:
    criteria: dict[str, Any] = {"municipality": {"$in": sorted(query.municipalities)}}
    if query.status is not None:
        criteria["status"] = str(query.status)
    if query.priority is not None:
        criteria["priority"] = str(query.priority)
    if query.sla_state is not None:
        criteria.update(_sla_criteria(query))
    return criteria


def _sla_criteria(query: CaseQuery) -> dict[str, Any]:
    """The same states as ``domain.sla.sla_state``, as a query (they depend on the time of asking)."""
    state, now = query.sla_state, query.now
    if state is SlaState.CLOSED:
        return {"status": str(CaseStatus.CLOSED)}
    open_case: dict[str, Any] = {"status": {"$ne": str(CaseStatus.CLOSED)}}
    if query.status is not None:
        # A status filter was given too: both must hold (a closed status gives nothing here).
        open_case = {"status": str(query.status)} if query.status is not CaseStatus.CLOSED else {"_id": None}
    if state is SlaState.MET:
        return {**open_case, "has_open_needs": False}
    late = {**open_case, "has_open_needs": True}
    soon = now + query.due_soon_within
    if state is SlaState.BREACHED:
        return {**late, "sla_deadline": {"$lt": now}}
    if state is SlaState.DUE_SOON:
        return {**late, "sla_deadline": {"$gte": now, "$lte": soon}}
    return {**late, "sla_deadline": {"$gt": soon}}
