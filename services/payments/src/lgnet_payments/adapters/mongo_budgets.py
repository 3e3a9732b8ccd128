"""Budgets on MongoDB: each ``BudgetWrite`` becomes one conditional update, literally as
``domain.budget`` documents it, with the events it causes in the same document's outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lgnet_payments.adapters.contract_events import budget_envelopes
from lgnet_payments.domain.budget import (
    Budget,
    BudgetEvent,
    BudgetExhausted,
    BudgetWrite,
    LedgerEntry,
    LedgerOperation,
)
from lgnet_runtime.outbox import AggregateCollection, WriteResult


def entry_to_document(e: LedgerEntry) -> dict[str, Any]:
    return {
        "key": e.key,
        "operation": e.operation.value,
        "subject": e.subject,
        "allocation_delta_cents": e.allocation_delta_cents,
        "reserved_delta_cents": e.reserved_delta_cents,
        "committed_delta_cents": e.committed_delta_cents,
        "actor": e.actor,
        "reason": e.reason,
        "at": e.at,
    }


def entry_from_document(d: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        key=d["key"],
        operation=LedgerOperation(d["operation"]),
        subject=d["subject"],
        allocation_delta_cents=d["allocation_delta_cents"],
        reserved_delta_cents=d["reserved_delta_cents"],
        committed_delta_cents=d["committed_delta_cents"],
        actor=d["actor"],
        reason=d["reason"],
        at=d["at"],
    )


def to_document(budget: Budget) -> dict[str, Any]:
    return {
        "_id": budget.municipality,
        "allocation_cents": budget.allocation_cents,
        "reserved_cents": budget.reserved_cents,
        "committed_cents": budget.committed_cents,
        "available_cents": budget.available_cents,
        "minimum_grant_cents": budget.minimum_grant_cents,
        "exhausted_reported": budget.exhausted_reported,
        "ledger": [entry_to_document(e) for e in budget.ledger],
    }


def from_document(doc: dict[str, Any]) -> Budget:
    return Budget(
        municipality=doc["_id"],
        minimum_grant_cents=doc["minimum_grant_cents"],
        allocation_cents=doc["allocation_cents"],
        reserved_cents=doc["reserved_cents"],
        committed_cents=doc["committed_cents"],
        exhausted_reported=doc["exhausted_reported"],
        ledger=tuple(entry_from_document(e) for e in doc["ledger"]),
    )


def guard_filter(write: BudgetWrite) -> dict[str, Any]:
    g = write.guard
    condition: dict[str, Any] = {}
    available: dict[str, int] = {}
    if g.min_available_cents > 0:
        available["$gte"] = g.min_available_cents
    if g.max_available_cents_exclusive is not None:
        available["$lt"] = g.max_available_cents_exclusive
    if available:
        condition["available_cents"] = available
    keys: dict[str, Any] = {}
    # An empty $all matches nothing in MongoDB: only ask for keys when there are some.
    if g.keys_present:
        keys["$all"] = list(g.keys_present)
    if g.keys_absent:
        keys["$nin"] = list(g.keys_absent)
    if keys:
        condition["ledger.key"] = keys
    if g.expected_allocation_cents is not None:
        condition["allocation_cents"] = g.expected_allocation_cents
    if g.expected_exhausted_reported is not None:
        condition["exhausted_reported"] = g.expected_exhausted_reported
    return condition


class MongoBudgetRepository:
    def __init__(self, budgets: AggregateCollection) -> None:
        self._budgets = budgets

    async def get(self, municipality: str) -> Budget | None:
        doc = await self._budgets.load(municipality)
        return from_document(doc) if doc else None

    async def create(self, budget: Budget, events: Sequence[BudgetEvent]) -> bool:
        envelopes = budget_envelopes(budget.allocation_cents, events)
        return await self._budgets.insert(to_document(budget), events=envelopes) is WriteResult.APPLIED

    async def apply(self, municipality: str, write: BudgetWrite, events: Sequence[BudgetEvent]) -> bool:
        inc: dict[str, int] = {}
        push: dict[str, Any] = {}
        if write.entry is not None:
            e = write.entry
            inc = {
                "allocation_cents": e.allocation_delta_cents,
                "reserved_cents": e.reserved_delta_cents,
                "committed_cents": e.committed_delta_cents,
                "available_cents": e.available_delta_cents,
            }
            push = {"ledger": entry_to_document(e)}
        set_fields = (
            {"exhausted_reported": write.set_exhausted_reported}
            if write.set_exhausted_reported is not None
            else None
        )
        allocation = 0
        if any(isinstance(e, BudgetExhausted) for e in events):
            allocation = await self._current_allocation(municipality)
        result = await self._budgets.update(
            municipality,
            expected_version=None,
            condition=guard_filter(write),
            inc=inc,
            push=push,
            set_fields=set_fields,
            events=budget_envelopes(allocation, events),
        )
        return result is WriteResult.APPLIED

    async def _current_allocation(self, municipality: str) -> int:
        # budget.exhausted names the allocation; the exhaustion latch carries no ledger entry,
        # so the allocation it reports is the one stored now.
        doc = await self._budgets.collection.find_one({"_id": municipality}, {"allocation_cents": 1})
        return int(doc["allocation_cents"]) if doc else 0

    async def all(self, municipalities: frozenset[str]) -> Sequence[Budget]:
        cursor = self._budgets.collection.find({"_id": {"$in": sorted(municipalities)}}, {"_outbox": 0})
        return [from_document(doc) async for doc in cursor]

    async def stored_available_cents(self, municipality: str) -> int | None:
        doc = await self._budgets.collection.find_one({"_id": municipality}, {"available_cents": 1})
        return int(doc["available_cents"]) if doc else None
