"""The budget ledger as the use cases drive it: load, decide in the domain, one guarded write, retry.

The domain's ``BudgetWrite`` guards are commutative (``available >= amount``, ledger keys
present or absent), so concurrent reservations only collide when money runs out; a write
that no longer matches is simply decided again on the fresh document.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from enum import StrEnum

from lgnet_payments.application.errors import BudgetNotFoundError, ConcurrentUpdateError
from lgnet_payments.application.ports import BudgetRepository, Clock
from lgnet_payments.domain.budget import (
    Budget,
    BudgetOutcome,
    InsufficientFunds,
    LedgerOperation,
    OperationResult,
    ledger_key,
)

MAX_ATTEMPTS = 100


class Reservation(StrEnum):
    RESERVED = "reserved"  # now held for the grant (or held already by an earlier attempt)
    INSUFFICIENT_FUNDS = "insufficient_funds"
    # The grant reserved once and gave it back: a reservation per grant id happens only once.
    RELEASED_BEFORE = "released_before"


class BudgetLedger:
    def __init__(self, budgets: BudgetRepository, clock: Clock, *, max_attempts: int = MAX_ATTEMPTS) -> None:
        self._budgets = budgets
        self._clock = clock
        self._max_attempts = max_attempts

    async def get(self, municipality: str) -> Budget:
        budget = await self._budgets.get(municipality)
        if budget is None:
            raise BudgetNotFoundError(municipality)
        return budget

    async def reserve(
        self, municipality: str, grant_id: str, amount_cents: int, *, actor: str
    ) -> Reservation:
        try:
            outcome = await self._run(
                municipality, lambda b: b.reserve(grant_id, amount_cents, actor=actor, at=self._clock())
            )
        except InsufficientFunds:
            await self.report_exhaustion(municipality)
            return Reservation.INSUFFICIENT_FUNDS
        if outcome.result is OperationResult.DUPLICATE and outcome.budget.has_entry(
            ledger_key(LedgerOperation.RELEASE, grant_id)
        ):
            return Reservation.RELEASED_BEFORE
        if outcome.applied:
            await self.report_exhaustion(municipality)
        return Reservation.RESERVED

    async def commit(self, municipality: str, grant_id: str, *, actor: str) -> BudgetOutcome:
        return await self._run(municipality, lambda b: b.commit(grant_id, actor=actor, at=self._clock()))

    async def release(self, municipality: str, grant_id: str, *, actor: str, reason: str) -> BudgetOutcome:
        return await self._run(
            municipality, lambda b: b.release(grant_id, actor=actor, reason=reason, at=self._clock())
        )

    async def set_allocation(
        self, municipality: str, allocation_cents: int, *, change_id: str, actor: str, reason: str
    ) -> Budget:
        await self._run(
            municipality,
            lambda b: b.set_allocation(
                allocation_cents, change_id=change_id, actor=actor, reason=reason, at=self._clock()
            ),
        )
        await self.report_exhaustion(municipality)
        return await self.get(municipality)

    async def open_budget(
        self,
        municipality: str,
        allocation_cents: int,
        *,
        minimum_grant_cents: int,
        change_id: str,
        actor: str,
    ) -> OperationResult:
        """Start of service: create the budget from configuration, or apply a new configuration
        version once (the change id names the version, so a restart changes nothing)."""
        fresh = Budget(municipality, minimum_grant_cents)
        first = fresh.set_allocation(
            allocation_cents,
            change_id=change_id,
            actor=actor,
            reason="allocation from configuration",
            at=self._clock(),
        )
        if await self._budgets.create(first.budget, first.events):
            return OperationResult.APPLIED
        current = await self.get(municipality)
        if current.has_entry(ledger_key(LedgerOperation.ALLOCATE, change_id)):
            return OperationResult.DUPLICATE
        await self.set_allocation(
            municipality,
            allocation_cents,
            change_id=change_id,
            actor=actor,
            reason="allocation from a new configuration version",
        )
        return OperationResult.APPLIED

    async def report_exhaustion(self, municipality: str) -> None:
        """The latch: exactly one writer flips ``exhausted_reported`` and publishes the event."""
        budget = await self.get(municipality)
        outcome = budget.check_exhaustion(self._clock())
        if outcome.write is not None:
            await self._budgets.apply(municipality, outcome.write, outcome.events)

    async def _run(self, municipality: str, decide: Callable[[Budget], BudgetOutcome]) -> BudgetOutcome:
        for attempt in range(self._max_attempts):
            budget = await self.get(municipality)
            outcome = decide(budget)
            if outcome.write is None:
                return outcome
            if await self._budgets.apply(municipality, outcome.write, outcome.events):
                return outcome
            if attempt >= 3:
                # Many writers at once on one budget: spread the retries out.
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))
        raise ConcurrentUpdateError(f"budget {municipality} kept changing; try again")
