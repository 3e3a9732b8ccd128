"""One grant per household in the window, enforced by the household claim, on in-memory fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002, parse_pain002
from lgnet_payments.application.erasure import GrantErasureOutcome
from lgnet_payments.application.intake import household_key
from lgnet_payments.application.records import GrantFile
from lgnet_payments.domain.batch import end_to_end_id_for
from lgnet_payments.domain.budget import LedgerOperation, ledger_key
from lgnet_payments.domain.eligibility import PreviousGrant
from lgnet_payments.domain.grant import GrantStatus, InvalidGrantTransition
from lgnet_payments.domain.household_claim import ClaimRequest, HouseholdClaim
from lgnet_payments.domain.reasons import Reason, ReasonCode
from lgnet_testing.samples import fiscal_code

from .conftest import PEPPER, ROMA, SCOPE, T0, Payments

WINDOW = timedelta(days=365)
APPROVED = GrantStatus.APPROVED.value
REJECTED = GrantStatus.REJECTED.value
SMALL = 1_000_00  # approved automatically
LARGE = 3_000_00  # waits for a reviewer


def key(index: int) -> str:
    return household_key(fiscal_code(index), PEPPER)


def blind(p: Payments) -> None:
    """The eligibility read sees no previous grant, as two decisions at the same moment both do."""

    async def nothing(household_key: str, *, excluding: str) -> Sequence[PreviousGrant]:
        return []

    p.grants.previous_grants = nothing  # type: ignore[method-assign]


def last_codes(file: GrantFile) -> list[ReasonCode]:
    assert file.grant is not None
    return [r.code for r in file.grant.decisions[-1].reasons]


def granted_at(file: GrantFile) -> datetime:
    assert file.grant is not None
    return file.grant.decisions[-1].at


async def crashed_attempt(p: Payments, grant_id: str, index: int) -> None:
    """An approval that took the claim and died before anything else."""
    assert await p.claims.take(ClaimRequest(key(index), grant_id, p.clock.now, WINDOW))


async def import_answer(p: Payments, batch_id: str, *statuses: TransactionStatus) -> None:
    xml = build_pain002(
        message_id=f"STS-{len(p.batches.records[batch_id].reports) + 1}",
        created_at=p.clock.now,
        original_message_id=batch_id,
        original_payment_information_id=batch_id,
        statuses=list(statuses),
    )
    await p.disbursement.import_status_report(batch_id, parse_pain002(xml), actor="officer", scope=SCOPE)


async def test_concurrent_automatic_approvals_of_one_household_pay_once(payments: Payments) -> None:
    await payments.fund()
    files = await asyncio.gather(*(payments.create(index=7, requested_cents=SMALL) for _ in range(20)))
    approved = [f for f in files if f.status == APPROVED]
    rejected = [f for f in files if f.status == REJECTED]
    assert (len(approved), len(rejected)) == (1, 19)
    # Every one of them read "no previous grant": the claim is what stopped them.
    assert payments.claims.lost >= 19
    for f in rejected:
        codes = last_codes(f)
        assert ReasonCode.PREVIOUS_GRANT_IN_WINDOW in codes
        assert ReasonCode.NO_PREVIOUS_GRANT_IN_WINDOW not in codes
    assert (await payments.ledger.get(ROMA)).reserved_cents == SMALL
    assert payments.claims.claims[key(7)] == HouseholdClaim(
        key(7), approved[0].grant_id, granted_at(approved[0])
    )
    assert (await payments.reconciliation(ROMA)).clean


async def test_concurrent_reviewer_approvals_of_one_household_pay_once(payments: Payments) -> None:
    await payments.fund()
    files = [await payments.create(index=8) for _ in range(20)]
    assert {f.status for f in files} == {GrantStatus.PENDING_REVIEW.value}
    decided = await asyncio.gather(
        *(
            payments.decisions.approve(f.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)
            for f in files
        )
    )
    approved = [f for f in decided if f.status == APPROVED]
    rejected = [f for f in decided if f.status == REJECTED]
    assert (len(approved), len(rejected)) == (1, 19)
    for f in rejected:
        assert f.grant is not None
        (reason,) = f.grant.decisions[-1].reasons
        assert reason.code is ReasonCode.PREVIOUS_GRANT_IN_WINDOW
        assert "at most one grant per 365 days" in reason.text
    budget = await payments.ledger.get(ROMA)
    assert budget.reserved_cents == LARGE
    assert sum(1 for e in budget.ledger if e.operation is LedgerOperation.RESERVE) == 1
    assert (await payments.reconciliation(ROMA)).clean


async def test_the_window_counts_from_the_approval_even_when_the_read_sees_nothing(
    payments: Payments,
) -> None:
    blind(payments)
    await payments.fund()
    pending = await payments.create(index=4)
    payments.clock.advance(timedelta(days=3))
    approved = await payments.decisions.approve(
        pending.grant_id, approver="approver.verdi", why="ok", scope=SCOPE
    )
    assert approved.status == APPROVED
    assert payments.claims.claims[key(4)].claimed_at == granted_at(approved) == T0 + timedelta(days=3)

    payments.clock.now = granted_at(approved) + WINDOW - timedelta(seconds=1)
    early = await payments.create(index=4, requested_cents=SMALL)
    assert early.status == REJECTED
    assert ReasonCode.PREVIOUS_GRANT_IN_WINDOW in last_codes(early)
    payments.clock.now = granted_at(approved) + WINDOW
    on_time = await payments.create(index=4, requested_cents=SMALL)
    assert on_time.status == APPROVED
    assert payments.claims.claims[key(4)].grant_id == on_time.grant_id


async def test_cancelling_an_approved_grant_frees_the_household(payments: Payments) -> None:
    await payments.fund()
    first = await payments.create(index=5, requested_cents=SMALL)
    await payments.decisions.cancel(first.grant_id, actor="officer", why="moved away", scope=SCOPE)
    assert payments.claims.claims[key(5)].released
    second = await payments.create(index=5, requested_cents=SMALL)
    assert second.status == APPROVED
    assert (await payments.reconciliation(ROMA)).clean


async def test_a_rejection_for_lack_of_money_gives_the_claim_back(payments: Payments) -> None:
    await payments.fund(cents=500_00)
    poor = await payments.create(index=6, requested_cents=SMALL)
    assert poor.status == REJECTED
    assert ReasonCode.INSUFFICIENT_FUNDS in last_codes(poor)
    assert payments.claims.claims[key(6)].released
    await payments.ledger.set_allocation(ROMA, 5_000_00, change_id="more", actor="coord", reason="tranche")
    assert (await payments.create(index=6, requested_cents=SMALL)).status == APPROVED


async def test_a_reviewers_rejection_gives_back_a_claim_left_by_a_crashed_approval(
    payments: Payments,
) -> None:
    await payments.fund()
    stuck = await payments.create(index=9)
    await crashed_attempt(payments, stuck.grant_id, 9)
    blocked = await payments.create(index=9, requested_cents=SMALL)
    assert blocked.status == REJECTED  # the claim is held while the first may still be approved
    await payments.decisions.reject(stuck.grant_id, actor="approver.verdi", reasons=["no"], scope=SCOPE)
    assert (await payments.create(index=9, requested_cents=SMALL)).status == APPROVED


async def test_a_retried_approval_finds_the_claim_already_its_own(payments: Payments) -> None:
    await payments.fund()
    pending = await payments.create(index=10)
    await crashed_attempt(payments, pending.grant_id, 10)
    payments.clock.advance(timedelta(minutes=5))
    approved = await payments.decisions.approve(
        pending.grant_id, approver="approver.verdi", why="ok", scope=SCOPE
    )
    assert approved.status == APPROVED
    assert payments.claims.claims[key(10)].claimed_at == granted_at(approved)


async def test_a_claim_left_by_a_final_grant_is_taken_over(payments: Payments) -> None:
    await payments.fund()
    first = await payments.create(index=11, requested_cents=SMALL)
    await payments.decisions.cancel(first.grant_id, actor="officer", why="moved away", scope=SCOPE)
    # A crash between the cancelling write and the release: the cancelled grant still holds it.
    payments.claims.claims[key(11)] = HouseholdClaim(key(11), first.grant_id, payments.clock.now)
    second = await payments.create(index=11, requested_cents=SMALL)
    assert second.status == APPROVED
    assert payments.claims.claims[key(11)].held_by(second.grant_id)


async def test_an_approval_that_did_not_land_gives_back_claim_and_money(payments: Payments) -> None:
    await payments.fund()
    pending = await payments.create(index=12)
    take = payments.claims.take

    async def rejected_meanwhile(request: ClaimRequest) -> bool:
        # Another reviewer's rejection lands between this approval's claim and its write.
        taken = await take(request)
        stored = payments.grants.files[pending.grant_id]
        assert stored.grant is not None
        no = (Reason(ReasonCode.REVIEWER_REJECTED, "no"),)
        stored.grant, _ = stored.grant.reject("approver.bianchi", payments.clock.now, no)
        stored.version += 1
        return taken

    payments.claims.take = rejected_meanwhile  # type: ignore[method-assign]
    with pytest.raises(InvalidGrantTransition):
        await payments.decisions.approve(pending.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)
    assert payments.claims.claims[key(12)].released
    budget = await payments.ledger.get(ROMA)
    assert budget.reserved_cents == 0
    assert budget.has_entry(ledger_key(LedgerOperation.RELEASE, pending.grant_id))


async def test_a_returned_payment_frees_the_household(payments: Payments) -> None:
    await payments.fund()
    paid = await payments.create(index=13, requested_cents=SMALL)
    batch_id = (await payments.disbursement.create_batch(ROMA, actor="officer")).batch_id
    await import_answer(
        payments, batch_id, TransactionStatus(end_to_end_id_for(paid.grant_id), "RJCT", "AC04")
    )
    assert payments.claims.claims[key(13)].released
    assert (await payments.create(index=13, requested_cents=SMALL)).status == APPROVED


async def test_erasure_leaves_no_claim_linked_to_the_grant(payments: Payments) -> None:
    await payments.fund()
    paid = await payments.create(index=14, requested_cents=SMALL, case_id="case-14")
    batch_id = (await payments.disbursement.create_batch(ROMA, actor="officer")).batch_id
    await import_answer(payments, batch_id, TransactionStatus(end_to_end_id_for(paid.grant_id), "ACSC"))
    pending = await payments.create(index=15, case_id="case-14")
    await crashed_attempt(payments, pending.grant_id, 15)

    erased = await payments.erase("case-14")
    assert sorted(e.outcome for e in erased) == [GrantErasureOutcome.ERASED] * 2
    assert payments.claims.claims == {}
    # The erased grant no longer counts against the household, as for the eligibility read.
    assert (await payments.create(index=14, requested_cents=SMALL)).status == APPROVED

    # A crash between the erasing write and the deletion: the redelivered erasure repairs it.
    payments.claims.claims[key(15)] = HouseholdClaim(key(15), pending.grant_id, payments.clock.now)
    again = await payments.erase("case-14")
    assert {e.outcome for e in again} == {GrantErasureOutcome.ALREADY_ERASED}
    assert key(15) not in payments.claims.claims


async def test_an_erasure_waiting_for_the_bank_drops_the_claim_with_the_answer(payments: Payments) -> None:
    await payments.fund()
    at_bank = await payments.create(index=16, requested_cents=SMALL, case_id="case-16")
    batch_id = (await payments.disbursement.create_batch(ROMA, actor="officer")).batch_id
    (kept,) = await payments.erase("case-16")
    assert kept.outcome is GrantErasureOutcome.KEPT_UNTIL_SETTLED
    assert payments.claims.claims[key(16)].held_by(at_bank.grant_id)  # still in flight: still counts
    await import_answer(payments, batch_id, TransactionStatus(end_to_end_id_for(at_bank.grant_id), "ACSC"))
    assert payments.claims.claims == {}
