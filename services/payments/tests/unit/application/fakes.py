"""In-memory fakes of the application's repository ports (unit tests only: no I/O).

They keep the same promises as the Mongo adapters: versioned saves answer CONFLICT when the
record moved on, budget writes apply only while their guard holds, a household claim is taken
only while the domain's rule admits it, ids collide.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lgnet_payments.application.ports import Cause, GrantChange, SaveOutcome
from lgnet_payments.application.records import AWAITING_DETAILS, BatchRecord, BatchStatus, GrantFile
from lgnet_payments.domain.budget import Budget, BudgetEvent, BudgetWrite, GuardRejected
from lgnet_payments.domain.eligibility import PreviousGrant
from lgnet_payments.domain.grant import GrantAction, GrantStatus
from lgnet_payments.domain.household_claim import ClaimRequest, HouseholdClaim

GRANTED = (GrantStatus.APPROVED.value, GrantStatus.BATCHED.value, GrantStatus.DISBURSED.value)


async def _yield() -> None:
    # Give other tasks a turn, as a real database round trip would.
    await asyncio.sleep(0)


@dataclass
class FakeGrants:
    files: dict[str, GrantFile] = field(default_factory=dict)
    handled: dict[str, set[str]] = field(default_factory=dict)
    published: list[tuple[str, Any]] = field(default_factory=list)

    async def add(
        self, file: GrantFile, events: Sequence[GrantChange], *, cause: Cause | None = None
    ) -> SaveOutcome:
        await _yield()
        if file.grant_id in self.files:
            if cause is not None and str(cause.event_id) in self.handled.get(file.grant_id, set()):
                return SaveOutcome.ALREADY_HANDLED
            return SaveOutcome.CONFLICT
        file.version = 1
        self.files[file.grant_id] = copy.deepcopy(file)
        self.handled[file.grant_id] = {str(cause.event_id)} if cause is not None else set()
        self.published.extend((file.grant_id, e) for e in events)
        return SaveOutcome.SAVED

    async def get(self, grant_id: str) -> GrantFile | None:
        await _yield()
        stored = self.files.get(grant_id)
        return copy.deepcopy(stored) if stored is not None else None

    async def status_of(self, grant_id: str) -> str | None:
        await _yield()
        stored = self.files.get(grant_id)
        return stored.status if stored is not None else None

    async def save(self, file: GrantFile, events: Sequence[GrantChange]) -> SaveOutcome:
        await _yield()
        stored = self.files.get(file.grant_id)
        if stored is None:
            return SaveOutcome.NOT_FOUND
        if stored.version != file.version:
            return SaveOutcome.CONFLICT
        file.version += 1
        self.files[file.grant_id] = copy.deepcopy(file)
        self.published.extend((file.grant_id, e) for e in events)
        return SaveOutcome.SAVED

    async def open_request_for_case(self, case_id: str) -> str | None:
        undecided = (AWAITING_DETAILS, GrantStatus.REQUESTED.value, GrantStatus.PENDING_REVIEW.value)
        for f in self.files.values():
            if f.intake.case_id == case_id and f.status in undecided:
                return f.grant_id
        return None

    async def previous_grants(self, household_key: str, *, excluding: str) -> Sequence[PreviousGrant]:
        found = []
        for f in self.files.values():
            g = f.grant
            if g is None or g.household_key != household_key or f.grant_id == excluding:
                continue
            if f.personal_erased_at is not None:
                continue  # the household key went with the beneficiary, as in the Mongo document
            if f.status in GRANTED:
                at = [d.at for d in g.decisions if d.action is GrantAction.APPROVE][-1]
                found.append(PreviousGrant(f.grant_id, at))
        return found

    async def approved(self, municipality: str, limit: int) -> Sequence[GrantFile]:
        return [
            copy.deepcopy(f)
            for f in self.files.values()
            if f.municipality == municipality and f.status == GrantStatus.APPROVED.value
        ][:limit]

    async def ids_for_case(self, case_id: str) -> Sequence[str]:
        return sorted(f.grant_id for f in self.files.values() if f.intake.case_id == case_id)

    async def in_batch(self, batch_id: str) -> Sequence[GrantFile]:
        return [copy.deepcopy(f) for f in self.files.values() if f.grant and f.grant.batch_id == batch_id]

    async def search(
        self, municipalities: frozenset[str], status: str | None, limit: int
    ) -> Sequence[GrantFile]:
        return [
            copy.deepcopy(f)
            for f in self.files.values()
            if f.municipality in municipalities and (status is None or f.status == status)
        ][:limit]

    async def status_counts(self, municipalities: frozenset[str]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for f in self.files.values():
            if f.municipality in municipalities:
                by_status = counts.setdefault(f.municipality, {})
                by_status[f.status] = by_status.get(f.status, 0) + 1
        return counts

    async def budget_holdings(self, municipality: str) -> dict[str, tuple[str, int]]:
        holding = (*GRANTED, GrantStatus.RETURNED.value, GrantStatus.CANCELLED.value)
        return {
            f.grant_id: (f.status, f.grant.amount_cents)
            for f in self.files.values()
            if f.municipality == municipality and f.grant is not None and f.status in holding
        }

    def events_of(self, kind: type) -> list[Any]:
        return [e for _, e in self.published if isinstance(e, kind)]


@dataclass
class FakeBudgets:
    budgets: dict[str, Budget] = field(default_factory=dict)
    published: list[BudgetEvent] = field(default_factory=list)

    async def get(self, municipality: str) -> Budget | None:
        await _yield()
        return self.budgets.get(municipality)

    async def create(self, budget: Budget, events: Sequence[BudgetEvent]) -> bool:
        await _yield()
        if budget.municipality in self.budgets:
            return False
        self.budgets[budget.municipality] = budget
        self.published.extend(events)
        return True

    async def apply(self, municipality: str, write: BudgetWrite, events: Sequence[BudgetEvent]) -> bool:
        await _yield()
        try:
            self.budgets[municipality] = self.budgets[municipality].apply_write(write)
        except GuardRejected:
            return False
        self.published.extend(events)
        return True

    async def all(self, municipalities: frozenset[str]) -> Sequence[Budget]:
        return [b for m, b in self.budgets.items() if m in municipalities]

    async def stored_available_cents(self, municipality: str) -> int | None:
        budget = self.budgets.get(municipality)
        return budget.available_cents if budget else None


@dataclass
class FakeHouseholdClaims:
    claims: dict[str, HouseholdClaim] = field(default_factory=dict)
    # Taken, lost: what the tests look at to see the enforcement at work.
    taken: int = 0
    lost: int = 0

    async def take(self, request: ClaimRequest) -> bool:
        await _yield()
        if not request.admits(self.claims.get(request.household_key)):
            self.lost += 1
            return False
        self.claims[request.household_key] = request.taken()
        self.taken += 1
        return True

    async def get(self, household_key: str) -> HouseholdClaim | None:
        await _yield()
        return self.claims.get(household_key)

    async def release(self, household_key: str, grant_id: str, at: datetime) -> bool:
        await _yield()
        current = self.claims.get(household_key)
        released = current.release(grant_id, at) if current is not None else None
        if released is None:
            return False
        self.claims[household_key] = released
        return True

    async def forget(self, grant_id: str) -> int:
        gone = [key for key, claim in self.claims.items() if claim.grant_id == grant_id]
        for key in gone:
            del self.claims[key]
        return len(gone)


@dataclass
class FakeBatches:
    records: dict[str, BatchRecord] = field(default_factory=dict)

    async def add(self, record: BatchRecord) -> bool:
        if record.batch_id in self.records:
            return False
        record.version = 1
        self.records[record.batch_id] = copy.deepcopy(record)
        return True

    async def get(self, batch_id: str) -> BatchRecord | None:
        stored = self.records.get(batch_id)
        return copy.deepcopy(stored) if stored is not None else None

    async def save(self, record: BatchRecord) -> SaveOutcome:
        stored = self.records.get(record.batch_id)
        if stored is None:
            return SaveOutcome.NOT_FOUND
        if stored.version != record.version:
            return SaveOutcome.CONFLICT
        record.version += 1
        self.records[record.batch_id] = copy.deepcopy(record)
        return SaveOutcome.SAVED

    async def assembling(self, municipality: str) -> Sequence[BatchRecord]:
        return [
            copy.deepcopy(r)
            for r in self.records.values()
            if r.batch.municipality == municipality and r.status is BatchStatus.ASSEMBLING
        ]

    async def ids_starting_with(self, prefix: str) -> Sequence[str]:
        return [i for i in self.records if i.startswith(prefix)]
