"""Thousands of approvals at once against a small budget: never a cent more than it holds."""

from __future__ import annotations

import asyncio
import time

import pytest

from lgnet_contracts.topics import BUDGETS
from lgnet_payments.application.records import Applicant, GrantDetails, GrantFile
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation
from lgnet_payments.domain.grant import GrantStatus
from lgnet_payments.domain.reasons import ReasonCode
from lgnet_payments.settings import PaymentsSettings
from lgnet_testing.harness import probe
from lgnet_testing.samples import fiscal_code

from .conftest import MILANO, PAYEE_IBAN, running

pytestmark = [pytest.mark.engines, pytest.mark.slow]

GRANTS = 2_000  # "thousands of concurrent approvals at a small budget"
AMOUNT = 2_000_00  # above the auto-approval threshold: every grant waits for a reviewer
FUNDED = 37
LEFTOVER = 50_00  # below the minimum grant, so the last approval exhausts the budget
DETAILS = GrantDetails(
    household_size=2,
    isee_cents=8_000_00,
    housing=HousingSituation(no_home=True),
    requested_cents=AMOUNT,
    purpose=GrantPurpose.EMERGENCY_HOUSING,
)


async def test_concurrent_approvals_never_overspend(settings: PaymentsSettings, kafka_bootstrap: str) -> None:
    async with (
        probe(kafka_bootstrap, settings.topic_namespace, [BUDGETS]) as events,
        running(settings) as (
            service,
            _,
        ),
    ):
        allocation = FUNDED * AMOUNT + LEFTOVER
        await service.ledger.set_allocation(
            MILANO, allocation, change_id="load-test", actor="coordinator", reason="small budget for the test"
        )

        async def create(i: int) -> GrantFile:
            applicant = Applicant(f"Beneficiary {i}", PAYEE_IBAN, fiscal_code(10_000 + i))
            return await service.intake.create(
                municipality=MILANO, case_id=None, details=DETAILS, applicant=applicant, actor="officer.rossi"
            )

        files = await asyncio.gather(*(create(i) for i in range(GRANTS)))
        assert {f.status for f in files} == {GrantStatus.PENDING_REVIEW.value}

        scope = frozenset({MILANO})
        started = time.perf_counter()
        decided = await asyncio.gather(
            *(
                service.decisions.approve(f.grant_id, approver="approver.verdi", why="ok", scope=scope)
                for f in files
            )
        )
        elapsed = time.perf_counter() - started
        print(f"\n{GRANTS} concurrent approvals on the real MongoDB: {elapsed:.2f} s")

        approved = [f for f in decided if f.status == GrantStatus.APPROVED.value]
        rejected = [f for f in decided if f.status == GrantStatus.REJECTED.value]
        assert len(approved) + len(rejected) == GRANTS
        assert len(approved) == FUNDED
        for f in rejected:
            assert f.grant is not None
            assert f.grant.decisions[-1].reasons[-1].code is ReasonCode.INSUFFICIENT_FUNDS
        assert sum(f.grant.amount_cents for f in approved if f.grant) <= allocation

        budget = await service.ledger.get(MILANO)
        assert budget.reserved_cents == FUNDED * AMOUNT
        assert budget.available_cents == LEFTOVER
        assert budget.exhausted_reported
        reconciliation = await service.reconciliation(MILANO)
        assert reconciliation.clean, (reconciliation.discrepancies, reconciliation.grant_mismatches)

        await events.wait_for_type("budget.exhausted")
        await asyncio.sleep(1.0)  # a second one, were there any, would have arrived by now
        exhausted = events.of_type("budget.exhausted")
        assert len(exhausted) == 1
        assert exhausted[0].municipality == MILANO
        assert exhausted[0].payload.available_cents == LEFTOVER
        assert exhausted[0].payload.allocation_cents == allocation
