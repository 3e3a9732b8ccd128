"""What the programme sees: money per municipality, and proof that each budget adds up.

Aggregates only: no grant id, name or amount of a single household appears in the
programme report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lgnet_payments.application.errors import BudgetNotFoundError
from lgnet_payments.application.ports import BudgetRepository, GrantRepository
from lgnet_payments.domain.budget import Balance, Budget, LedgerOperation, balance_from_ledger
from lgnet_payments.domain.grant import GrantStatus
from lgnet_payments.domain.reconciliation import Discrepancy, DiscrepancyCode, reconcile

# Grants that were granted money (whatever happened after, except a bank return).
GRANTED = (GrantStatus.APPROVED, GrantStatus.BATCHED, GrantStatus.DISBURSED)


@dataclass(frozen=True, slots=True)
class MunicipalityLine:
    istat: str
    name: str
    allocation_cents: int
    reserved_cents: int
    disbursed_cents: int
    available_cents: int
    grants_granted: int
    grants_by_status: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class ProgrammeReport:
    lines: list[MunicipalityLine]

    def total(self, attribute: str) -> int:
        return sum(int(getattr(line, attribute)) for line in self.lines)


class ProgrammeReporting:
    def __init__(self, grants: GrantRepository, budgets: BudgetRepository, names: Mapping[str, str]) -> None:
        self._grants = grants
        self._budgets = budgets
        self._names = names

    async def report(self, scope: frozenset[str]) -> ProgrammeReport:
        budgets = {b.municipality: b for b in await self._budgets.all(scope)}
        counts = await self._grants.status_counts(scope)
        lines = []
        for istat in sorted(scope & set(self._names)):
            budget = budgets.get(istat)
            by_status = counts.get(istat, {})
            lines.append(
                MunicipalityLine(
                    istat=istat,
                    name=self._names[istat],
                    allocation_cents=budget.allocation_cents if budget else 0,
                    reserved_cents=budget.reserved_cents if budget else 0,
                    disbursed_cents=budget.committed_cents if budget else 0,
                    available_cents=budget.available_cents if budget else 0,
                    grants_granted=sum(by_status.get(s.value, 0) for s in GRANTED),
                    grants_by_status=dict(sorted(by_status.items())),
                )
            )
        return ProgrammeReport(lines)


@dataclass(frozen=True, slots=True)
class GrantMismatch:
    grant_id: str
    grant_status: str
    ledger_state: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    municipality: str
    counters: Balance
    stored_available_cents: int | None
    ledger: Balance
    ledger_entries: int
    discrepancies: list[Discrepancy]
    grant_mismatches: list[GrantMismatch] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.discrepancies and not self.grant_mismatches


def _ledger_states(budget: Budget) -> dict[str, tuple[str, int]]:
    """Per grant: what the ledger holds for it now, and the amount it reserved."""
    states: dict[str, tuple[str, int]] = {}
    for entry in budget.ledger:
        if entry.operation is LedgerOperation.RESERVE:
            states[entry.subject] = ("reserved", entry.reserved_delta_cents)
        elif entry.operation is LedgerOperation.COMMIT:
            states[entry.subject] = ("committed", states.get(entry.subject, ("", 0))[1])
        elif entry.operation is LedgerOperation.RELEASE:
            states[entry.subject] = ("released", states.get(entry.subject, ("", 0))[1])
    return states


_EXPECTED = {
    GrantStatus.APPROVED.value: "reserved",
    GrantStatus.BATCHED.value: "reserved",
    GrantStatus.DISBURSED.value: "committed",
}


class BudgetReconciliation:
    def __init__(self, grants: GrantRepository, budgets: BudgetRepository) -> None:
        self._grants = grants
        self._budgets = budgets

    async def __call__(self, municipality: str) -> Reconciliation:
        budget = await self._budgets.get(municipality)
        if budget is None:
            raise BudgetNotFoundError(municipality)
        found = reconcile(budget)
        stored = await self._budgets.stored_available_cents(municipality)
        if stored is not None and stored != budget.available_cents:
            found.append(
                Discrepancy(
                    DiscrepancyCode.COUNTER_MISMATCH,
                    f"available: counter {stored}, derived {budget.available_cents}",
                )
            )
        ledger = _ledger_states(budget)
        holdings = await self._grants.budget_holdings(municipality)
        mismatches = []
        for grant_id in sorted(set(ledger) | set(holdings)):
            status, amount = holdings.get(grant_id, ("absent", 0))
            state, reserved = ledger.get(grant_id, ("none", 0))
            expected = _EXPECTED.get(status, "released" if state == "released" else "none")
            if state != expected or (state in ("reserved", "committed") and amount != reserved):
                mismatches.append(GrantMismatch(grant_id, status, state))
        return Reconciliation(
            municipality=municipality,
            counters=budget.balance,
            stored_available_cents=stored,
            ledger=balance_from_ledger(budget.ledger),
            ledger_entries=len(budget.ledger),
            discrepancies=found,
            grant_mismatches=mismatches,
        )
