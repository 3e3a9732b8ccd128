"""A municipality's grant budget: counters plus an append-only, idempotent ledger.

Money: ``available = allocation - reserved - committed`` and it is never negative.
Approval *reserves*, disbursement *commits* (reserved -> committed), and rejection,
cancellation or a bank return *releases* (from reserved, or from committed after a return).

Each ledger entry carries the signed deltas it applies, so the balance is the sum of the
entries (``balance_from_ledger``) and ``reconcile`` proves counters and ledger agree.
Entries are keyed ``"<operation>:<subject>"`` (subject = grant id, or allocation change id);
an operation whose key is already in the ledger is a DUPLICATE and changes nothing.

MongoDB mapping: ONE conditional atomic update per operation on the budget document
``{_id: <istat>, allocation_cents, reserved_cents, committed_cents, available_cents,
minimum_grant_cents, exhausted_reported, ledger: [entry, ...]}``. An operation returns a
``BudgetWrite``; the repository translates it literally::

    filter = {"_id": istat,
              "available_cents": {"$gte": guard.min_available_cents},   # when > 0
              "available_cents": {"$lt": guard.max_available_cents_exclusive},  # latch only
              "ledger.key": {"$all": guard.keys_present, "$nin": guard.keys_absent},
              "allocation_cents": guard.expected_allocation_cents,        # when not None
              "exhausted_reported": guard.expected_exhausted_reported}    # when not None
    update = {"$inc": {"allocation_cents": e.allocation_delta_cents,
                       "reserved_cents": e.reserved_delta_cents,
                       "committed_cents": e.committed_delta_cents,
                       "available_cents": e.available_delta_cents},
              "$push": {"ledger": entry},
              "$set": {"exhausted_reported": write.set_exhausted_reported}}  # when not None

``available_cents`` is stored (redundantly) so the filter can test it without ``$expr``.
If the update matches nothing, reload and re-run the operation: it then comes back as a
DUPLICATE, raises InsufficientFunds, or applies against the fresh state. Concurrent
reservations therefore never overspend, with no read-modify-write lock. ``apply_write``
enforces the same guard in memory (used by tests and in-memory repositories).

Budget exhausted: after a successful reservation, call ``check_exhaustion`` on the *fresh*
document; its write is a separate latch ``exhausted_reported: false -> true`` guarded by
``available < minimum grant``, so exactly one writer publishes BudgetExhausted. A
coordinator's allocation change that brings ``available`` back to the minimum re-arms it.
The ledger array grows by at most three entries per grant: far below MongoDB's 16 MB.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from lgnet_payments.domain.moments import is_aware


class BudgetError(Exception):
    """A budget rule was broken."""


class InsufficientFunds(BudgetError):
    def __init__(self, municipality: str, available_cents: int, requested_cents: int) -> None:
        self.available_cents = available_cents
        self.requested_cents = requested_cents
        super().__init__(
            f"budget {municipality}: {requested_cents} cents requested, {available_cents} available"
        )


class GuardRejected(BudgetError):
    """The document changed since it was read: reload and re-run the operation."""


class LedgerOperation(StrEnum):
    ALLOCATE = "allocate"
    RESERVE = "reserve"
    COMMIT = "commit"
    RELEASE = "release"


def ledger_key(operation: LedgerOperation, subject: str) -> str:
    return f"{operation.value}:{subject}"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    key: str
    operation: LedgerOperation
    subject: str
    allocation_delta_cents: int
    reserved_delta_cents: int
    committed_delta_cents: int
    actor: str
    reason: str
    at: datetime

    @property
    def available_delta_cents(self) -> int:
        return self.allocation_delta_cents - self.reserved_delta_cents - self.committed_delta_cents


@dataclass(frozen=True, slots=True)
class Balance:
    allocation_cents: int = 0
    reserved_cents: int = 0
    committed_cents: int = 0

    @property
    def available_cents(self) -> int:
        return self.allocation_cents - self.reserved_cents - self.committed_cents


def balance_from_ledger(entries: Iterable[LedgerEntry]) -> Balance:
    allocation = reserved = committed = 0
    for e in entries:
        allocation += e.allocation_delta_cents
        reserved += e.reserved_delta_cents
        committed += e.committed_delta_cents
    return Balance(allocation, reserved, committed)


@dataclass(frozen=True, slots=True)
class UpdateGuard:
    """What the document must satisfy for a write to apply (the MongoDB filter)."""

    min_available_cents: int = 0
    max_available_cents_exclusive: int | None = None
    keys_present: tuple[str, ...] = ()
    keys_absent: tuple[str, ...] = ()
    expected_allocation_cents: int | None = None
    expected_exhausted_reported: bool | None = None


@dataclass(frozen=True, slots=True)
class BudgetWrite:
    guard: UpdateGuard
    entry: LedgerEntry | None = None
    set_exhausted_reported: bool | None = None


@dataclass(frozen=True, slots=True)
class BudgetAllocated:
    municipality: str
    allocation_cents: int
    previous_allocation_cents: int
    actor: str
    reason: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class BudgetExhausted:
    municipality: str
    available_cents: int
    minimum_grant_cents: int
    occurred_at: datetime


BudgetEvent: TypeAlias = BudgetAllocated | BudgetExhausted


class OperationResult(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # same (subject, operation) already in the ledger: nothing changes
    NOTHING_TO_RELEASE = "nothing_to_release"  # the grant never reserved anything
    UNCHANGED = "unchanged"  # exhaustion latch: not exhausted, or already reported


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    budget: Budget
    result: OperationResult
    write: BudgetWrite | None = None
    events: tuple[BudgetEvent, ...] = ()

    @property
    def applied(self) -> bool:
        return self.result is OperationResult.APPLIED


def _positive_cents(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BudgetError(f"{what} must be a positive integer number of cents, got {value!r}")


def _aware(at: datetime) -> None:
    if not is_aware(at):
        raise ValueError("timestamps must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Budget:
    municipality: str
    minimum_grant_cents: int
    allocation_cents: int = 0
    reserved_cents: int = 0
    committed_cents: int = 0
    exhausted_reported: bool = False
    ledger: tuple[LedgerEntry, ...] = ()

    @property
    def available_cents(self) -> int:
        return self.allocation_cents - self.reserved_cents - self.committed_cents

    @property
    def balance(self) -> Balance:
        return Balance(self.allocation_cents, self.reserved_cents, self.committed_cents)

    def entry(self, key: str) -> LedgerEntry | None:
        return next((e for e in self.ledger if e.key == key), None)

    def has_entry(self, key: str) -> bool:
        return self.entry(key) is not None

    def grant_ids(self, operation: LedgerOperation = LedgerOperation.RESERVE) -> tuple[str, ...]:
        return tuple(e.subject for e in self.ledger if e.operation is operation)

    # --- writes -------------------------------------------------------------------------

    def apply_write(self, write: BudgetWrite) -> Budget:
        """Apply a write if its guard holds, exactly as the conditional MongoDB update would."""
        g = write.guard
        keys = {e.key for e in self.ledger}
        ok = (
            self.available_cents >= g.min_available_cents
            and (
                g.max_available_cents_exclusive is None
                or self.available_cents < g.max_available_cents_exclusive
            )
            and all(k in keys for k in g.keys_present)
            and not any(k in keys for k in g.keys_absent)
            and (g.expected_allocation_cents is None or self.allocation_cents == g.expected_allocation_cents)
            and (
                g.expected_exhausted_reported is None
                or self.exhausted_reported == g.expected_exhausted_reported
            )
        )
        if not ok:
            raise GuardRejected(f"budget {self.municipality}: document changed, reload and retry")
        budget = self
        if write.entry is not None:
            e = write.entry
            budget = replace(
                budget,
                allocation_cents=budget.allocation_cents + e.allocation_delta_cents,
                reserved_cents=budget.reserved_cents + e.reserved_delta_cents,
                committed_cents=budget.committed_cents + e.committed_delta_cents,
                ledger=(*budget.ledger, e),
            )
        if write.set_exhausted_reported is not None:
            budget = replace(budget, exhausted_reported=write.set_exhausted_reported)
        return budget

    def _entry(
        self,
        op: LedgerOperation,
        subject: str,
        *,
        allocation: int = 0,
        reserved: int = 0,
        committed: int = 0,
        actor: str,
        reason: str,
        at: datetime,
    ) -> LedgerEntry:
        _aware(at)
        key = ledger_key(op, subject)
        return LedgerEntry(key, op, subject, allocation, reserved, committed, actor, reason, at)

    def _applied(self, write: BudgetWrite, events: tuple[BudgetEvent, ...] = ()) -> BudgetOutcome:
        return BudgetOutcome(self.apply_write(write), OperationResult.APPLIED, write, events)

    def set_allocation(
        self, allocation_cents: int, *, change_id: str, actor: str, reason: str, at: datetime
    ) -> BudgetOutcome:
        """Coordinator sets a new allocation; it may never fall below reserved + committed."""
        if (
            isinstance(allocation_cents, bool)
            or not isinstance(allocation_cents, int)
            or allocation_cents < 0
        ):
            raise BudgetError(f"allocation must be a non-negative integer of cents, got {allocation_cents!r}")
        if not reason.strip() or not actor.strip():
            raise BudgetError("an allocation change records who made it and why")
        key = ledger_key(LedgerOperation.ALLOCATE, change_id)
        if self.has_entry(key):
            return BudgetOutcome(self, OperationResult.DUPLICATE)
        held = self.reserved_cents + self.committed_cents
        if allocation_cents < held:
            raise BudgetError(
                f"budget {self.municipality}: allocation {allocation_cents} is below the "
                f"{held} cents already reserved or committed"
            )
        delta = allocation_cents - self.allocation_cents
        entry = self._entry(
            LedgerOperation.ALLOCATE, change_id, allocation=delta, actor=actor, reason=reason, at=at
        )
        # Re-arm the exhaustion latch only when the coordinator refills the budget.
        rearm = self.exhausted_reported and self.available_cents + delta >= self.minimum_grant_cents
        write = BudgetWrite(
            UpdateGuard(
                min_available_cents=max(0, -delta),
                keys_absent=(key,),
                expected_allocation_cents=self.allocation_cents,
            ),
            entry,
            set_exhausted_reported=False if rearm else None,
        )
        event = BudgetAllocated(self.municipality, allocation_cents, self.allocation_cents, actor, reason, at)
        return self._applied(write, (event,))

    def reserve(self, grant_id: str, amount_cents: int, *, actor: str, at: datetime) -> BudgetOutcome:
        _positive_cents(amount_cents, "reserved amount")
        key = ledger_key(LedgerOperation.RESERVE, grant_id)
        existing = self.entry(key)
        if existing is not None:
            if existing.reserved_delta_cents != amount_cents:
                raise BudgetError(f"grant {grant_id} already reserved {existing.reserved_delta_cents} cents")
            return BudgetOutcome(self, OperationResult.DUPLICATE)
        # A released grant still has its reserve entry, so a replayed approval lands on the
        # DUPLICATE branch above: one reservation per grant id, ever.
        if amount_cents > self.available_cents:
            raise InsufficientFunds(self.municipality, self.available_cents, amount_cents)
        entry = self._entry(
            LedgerOperation.RESERVE,
            grant_id,
            reserved=amount_cents,
            actor=actor,
            reason="grant approved",
            at=at,
        )
        guard = UpdateGuard(min_available_cents=amount_cents, keys_absent=(key,))
        return self._applied(BudgetWrite(guard, entry))

    def commit(self, grant_id: str, *, actor: str, at: datetime) -> BudgetOutcome:
        """The bank settled the transfer: move the reservation to committed."""
        reserve_key = ledger_key(LedgerOperation.RESERVE, grant_id)
        commit_key = ledger_key(LedgerOperation.COMMIT, grant_id)
        release_key = ledger_key(LedgerOperation.RELEASE, grant_id)
        if self.has_entry(commit_key):
            return BudgetOutcome(self, OperationResult.DUPLICATE)
        reservation = self.entry(reserve_key)
        if reservation is None:
            raise BudgetError(f"grant {grant_id} has no reservation to commit")
        if self.has_entry(release_key):
            raise BudgetError(f"grant {grant_id} was released and cannot be committed")
        amount = reservation.reserved_delta_cents
        entry = self._entry(
            LedgerOperation.COMMIT,
            grant_id,
            reserved=-amount,
            committed=amount,
            actor=actor,
            reason="grant disbursed",
            at=at,
        )
        guard = UpdateGuard(keys_present=(reserve_key,), keys_absent=(commit_key, release_key))
        return self._applied(BudgetWrite(guard, entry))

    def release(self, grant_id: str, *, actor: str, reason: str, at: datetime) -> BudgetOutcome:
        """Give the money back: from reserved, or from committed after a bank return."""
        reserve_key = ledger_key(LedgerOperation.RESERVE, grant_id)
        commit_key = ledger_key(LedgerOperation.COMMIT, grant_id)
        release_key = ledger_key(LedgerOperation.RELEASE, grant_id)
        if self.has_entry(release_key):
            return BudgetOutcome(self, OperationResult.DUPLICATE)
        reservation = self.entry(reserve_key)
        if reservation is None:
            # Rejected before approval: nothing was ever held, so nothing to write.
            return BudgetOutcome(self, OperationResult.NOTHING_TO_RELEASE)
        amount = reservation.reserved_delta_cents
        if self.has_entry(commit_key):
            entry = self._entry(
                LedgerOperation.RELEASE, grant_id, committed=-amount, actor=actor, reason=reason, at=at
            )
            guard = UpdateGuard(keys_present=(reserve_key, commit_key), keys_absent=(release_key,))
        else:
            entry = self._entry(
                LedgerOperation.RELEASE, grant_id, reserved=-amount, actor=actor, reason=reason, at=at
            )
            guard = UpdateGuard(keys_present=(reserve_key,), keys_absent=(commit_key, release_key))
        return self._applied(BudgetWrite(guard, entry))

    def check_exhaustion(self, at: datetime) -> BudgetOutcome:
        """Latch: report BudgetExhausted once when available drops below the minimum grant."""
        _aware(at)
        if self.exhausted_reported or self.available_cents >= self.minimum_grant_cents:
            return BudgetOutcome(self, OperationResult.UNCHANGED)
        write = BudgetWrite(
            UpdateGuard(
                max_available_cents_exclusive=self.minimum_grant_cents, expected_exhausted_reported=False
            ),
            set_exhausted_reported=True,
        )
        event = BudgetExhausted(self.municipality, self.available_cents, self.minimum_grant_cents, at)
        return self._applied(write, (event,))
