"""Reconciliation: prove a budget's counters are what its ledger says, and that it never overspent.

Kept apart from ``budget.py`` because it reads the ledger as an auditor would, without
trusting the counters or the operations that wrote them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from lgnet_payments.domain.budget import Budget, LedgerEntry, LedgerOperation, balance_from_ledger, ledger_key


class DiscrepancyCode(StrEnum):
    COUNTER_MISMATCH = "counter_mismatch"
    NEGATIVE_BALANCE = "negative_balance"
    DUPLICATE_KEY = "duplicate_key"
    MALFORMED_ENTRY = "malformed_entry"
    ORPHAN_ENTRY = "orphan_entry"
    AMOUNT_MISMATCH = "amount_mismatch"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    code: DiscrepancyCode
    detail: str


def reconcile(budget: Budget) -> list[Discrepancy]:
    """Every way the ledger and counters disagree; an empty list means the budget is sound."""
    found: list[Discrepancy] = []

    def add(code: DiscrepancyCode, detail: str) -> None:
        found.append(Discrepancy(code, detail))

    derived = balance_from_ledger(budget.ledger)
    for name, counter, from_ledger in (
        ("allocation", budget.allocation_cents, derived.allocation_cents),
        ("reserved", budget.reserved_cents, derived.reserved_cents),
        ("committed", budget.committed_cents, derived.committed_cents),
    ):
        if counter != from_ledger:
            add(DiscrepancyCode.COUNTER_MISMATCH, f"{name}: counter {counter}, ledger {from_ledger}")

    seen: set[str] = set()
    reserved_by_grant: dict[str, int] = {}
    allocation = reserved = committed = 0
    for index, e in enumerate(budget.ledger):
        where = f"entry {index} ({e.key})"
        if e.key in seen:
            add(DiscrepancyCode.DUPLICATE_KEY, f"{where}: key appears more than once")
        seen.add(e.key)
        if e.key != ledger_key(e.operation, e.subject):
            add(DiscrepancyCode.MALFORMED_ENTRY, f"{where}: key does not match operation and subject")
        _check_shape(e, where, reserved_by_grant, seen, add)
        if e.operation is LedgerOperation.RESERVE:
            reserved_by_grant[e.subject] = e.reserved_delta_cents
        allocation += e.allocation_delta_cents
        reserved += e.reserved_delta_cents
        committed += e.committed_delta_cents
        # The ledger is in write order, so every prefix is a state the document was in.
        if min(reserved, committed, allocation - reserved - committed) < 0:
            add(DiscrepancyCode.NEGATIVE_BALANCE, f"{where}: a balance went negative")
    return found


def _check_shape(
    e: LedgerEntry,
    where: str,
    reserved_by_grant: dict[str, int],
    seen: set[str],
    add: Callable[[DiscrepancyCode, str], None],
) -> None:
    op, subject = e.operation, e.subject
    deltas = (e.allocation_delta_cents, e.reserved_delta_cents, e.committed_delta_cents)
    if op is LedgerOperation.ALLOCATE:
        if deltas[1:] != (0, 0):
            add(DiscrepancyCode.MALFORMED_ENTRY, f"{where}: an allocation may only change the allocation")
        return
    if op is LedgerOperation.RESERVE:
        if deltas[0] != 0 or deltas[2] != 0 or deltas[1] <= 0:
            add(DiscrepancyCode.MALFORMED_ENTRY, f"{where}: a reservation only adds to reserved")
        return
    amount = reserved_by_grant.get(subject)
    if amount is None:
        add(DiscrepancyCode.ORPHAN_ENTRY, f"{where}: no earlier reservation for grant {subject}")
        return
    committed_before = ledger_key(LedgerOperation.COMMIT, subject) in seen and op is LedgerOperation.RELEASE
    if op is LedgerOperation.COMMIT:
        expected = (0, -amount, amount)
    elif committed_before:
        expected = (0, 0, -amount)
    else:
        expected = (0, -amount, 0)
    if deltas != expected:
        add(DiscrepancyCode.AMOUNT_MISMATCH, f"{where}: deltas {deltas}, expected {expected}")
