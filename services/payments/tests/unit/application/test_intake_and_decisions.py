"""Grant requests and decisions on in-memory fakes: eligibility, four eyes, window, money held first."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Need, Priority
from lgnet_payments.application.errors import (
    GrantNotFoundError,
    InvalidRequestStateError,
    OutsideProgrammeWindowError,
)
from lgnet_payments.application.intake import grant_id_for_event, household_key
from lgnet_payments.application.ports import SaveOutcome
from lgnet_payments.application.records import AWAITING_DETAILS, GrantRequestOpened
from lgnet_payments.domain import grant as events
from lgnet_payments.domain.grant import FourEyesViolation, GrantStatus, InvalidGrantTransition
from lgnet_payments.domain.reasons import ReasonCode

from .conftest import MILANO, ROMA, SCOPE, Payments, applicant, details


def triaged(case_id: str) -> Envelope[Any]:
    now = datetime(2025, 3, 3, 9, tzinfo=UTC)
    payload = CaseTriaged(
        priority=Priority.P2,
        score=5,
        breakdown=[],
        needs=[Need.ECONOMIC_HARDSHIP],
        sla_deadline=now + timedelta(hours=24),
        policy_version="t",
        household_size=4,
        reported_at=now,
    )
    return new_event(payload, producer="referral", municipality=ROMA, case_id=case_id)


async def open_request(p: Payments, case_id: str | None = None) -> tuple[str, SaveOutcome]:
    cause = triaged(case_id or str(uuid.uuid4()))
    outcome = await p.intake.open_from_triage(
        event_id=str(cause.event_id),
        case_id=cause.case_id,
        municipality=ROMA,
        household_size=4,
        cause=cause,
    )
    return grant_id_for_event(str(cause.event_id)), outcome


async def test_a_triaged_case_opens_one_request_even_when_redelivered(payments: Payments) -> None:
    cause = triaged(str(uuid.uuid4()))
    kwargs: dict[str, Any] = dict(
        event_id=str(cause.event_id), case_id=cause.case_id, municipality=ROMA, household_size=4, cause=cause
    )
    assert await payments.intake.open_from_triage(**kwargs) is SaveOutcome.SAVED
    assert await payments.intake.open_from_triage(**kwargs) is SaveOutcome.ALREADY_HANDLED
    # A re-triage of the same case (another event) while the request is open adds nothing either.
    again = triaged(cause.case_id or "")
    assert (
        await payments.intake.open_from_triage(
            event_id=str(again.event_id),
            case_id=again.case_id,
            municipality=ROMA,
            household_size=4,
            cause=again,
        )
        is SaveOutcome.ALREADY_HANDLED
    )
    assert len(payments.grants.files) == 1
    file = next(iter(payments.grants.files.values()))
    assert file.status == AWAITING_DETAILS
    assert len(payments.grants.events_of(GrantRequestOpened)) == 1


async def test_completing_details_assesses_and_waits_for_review(payments: Payments) -> None:
    await payments.fund()
    grant_id, _ = await open_request(payments)
    file = await payments.intake.complete_details(
        grant_id, details(), applicant(), actor="case.manager", scope=SCOPE
    )
    assert file.status == GrantStatus.PENDING_REVIEW.value
    assert file.grant is not None
    assert file.grant.amount_cents == 3_000_00
    assert file.grant.household_key == household_key(applicant().fiscal_code, b"unit-test-pepper-0123456789")
    # grant.requested went out when triage opened it: completing adds only the decision.
    assert payments.grants.events_of(events.GrantRequested) == []
    assert len(payments.grants.events_of(events.GrantPendingReview)) == 1
    with pytest.raises(InvalidRequestStateError, match="can no longer change"):
        await payments.intake.complete_details(grant_id, details(), applicant(), actor="x", scope=SCOPE)


async def test_another_municipality_cannot_see_or_complete_a_request(payments: Payments) -> None:
    grant_id, _ = await open_request(payments)
    with pytest.raises(GrantNotFoundError):
        await payments.intake.complete_details(
            grant_id, details(), applicant(), actor="x", scope=frozenset({MILANO})
        )
    with pytest.raises(GrantNotFoundError):
        await payments.decisions.approve(grant_id, approver="a", why="ok", scope=frozenset({MILANO}))


async def test_small_grants_are_approved_automatically_and_hold_their_money(payments: Payments) -> None:
    await payments.fund()
    file = await payments.create(requested_cents=1_000_00)
    assert file.status == GrantStatus.APPROVED.value
    budget = await payments.ledger.get(ROMA)
    assert budget.reserved_cents == 1_000_00
    assert [type(e) for _, e in payments.grants.published] == [events.GrantRequested, events.GrantApproved]


async def test_automatic_approval_without_money_is_a_rejection_for_lack_of_funds(payments: Payments) -> None:
    await payments.fund(cents=500_00)
    file = await payments.create(requested_cents=1_000_00)
    assert file.status == GrantStatus.REJECTED.value
    assert file.grant is not None
    assert file.grant.decisions[-1].reasons[-1].code is ReasonCode.INSUFFICIENT_FUNDS
    assert (await payments.ledger.get(ROMA)).reserved_cents == 0


async def test_four_eyes_the_preparer_cannot_approve(payments: Payments) -> None:
    await payments.fund()
    file = await payments.create(actor="officer.rossi")
    with pytest.raises(FourEyesViolation, match="cannot also approve"):
        await payments.decisions.approve(file.grant_id, approver=" Officer.Rossi", why="ok", scope=SCOPE)
    assert (await payments.ledger.get(ROMA)).reserved_cents == 0
    approved = await payments.decisions.approve(
        file.grant_id, approver="approver.verdi", why="ok", scope=SCOPE
    )
    assert approved.status == GrantStatus.APPROVED.value
    record = approved.decisions[-1]
    assert (record.actor, record.at, record.reasons[0].text) == ("approver.verdi", payments.clock.now, "ok")
    assert (await payments.ledger.get(ROMA)).reserved_cents == 3_000_00


async def test_nothing_is_approved_outside_the_programme_window(payments: Payments) -> None:
    await payments.fund()
    file = await payments.create()
    payments.clock.now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Rome
    with pytest.raises(
        OutsideProgrammeWindowError, match="outside the programme window 2024-01-16 to 2026-12-31"
    ):
        await payments.decisions.approve(file.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)
    late = await payments.create(index=1)
    assert late.status == GrantStatus.REJECTED.value
    assert late.grant is not None
    assert ReasonCode.OUTSIDE_PROGRAMME_WINDOW in [r.code for r in late.grant.decisions[-1].reasons]


async def test_rejection_and_cancellation_release_what_was_held(payments: Payments) -> None:
    await payments.fund()
    pending = await payments.create(index=0)
    rejected = await payments.decisions.reject(
        pending.grant_id, actor="approver.verdi", reasons=["Documents missing."], scope=SCOPE
    )
    assert rejected.status == GrantStatus.REJECTED.value
    with pytest.raises(InvalidGrantTransition):
        await payments.decisions.approve(pending.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)

    approved = await payments.create(index=1, requested_cents=1_000_00)
    assert (await payments.ledger.get(ROMA)).reserved_cents == 1_000_00
    cancelled = await payments.decisions.cancel(
        approved.grant_id, actor="officer", why="moved away", scope=SCOPE
    )
    assert cancelled.status == GrantStatus.CANCELLED.value
    budget = await payments.ledger.get(ROMA)
    assert budget.reserved_cents == 0
    assert budget.available_cents == 48_925_14
    assert (await payments.reconciliation(ROMA)).clean


async def test_withdrawing_a_request_still_awaiting_details(payments: Payments) -> None:
    grant_id, _ = await open_request(payments)
    file = await payments.decisions.cancel(grant_id, actor="case.manager", why="not needed", scope=SCOPE)
    assert file.status == "cancelled"
    assert file.decisions[0].actor == "case.manager"
    with pytest.raises(InvalidRequestStateError):
        await payments.decisions.cancel(grant_id, actor="case.manager", why="again", scope=SCOPE)


async def test_one_grant_per_household_in_the_window(payments: Payments) -> None:
    await payments.fund()
    first = await payments.create(index=3, requested_cents=1_000_00)
    assert first.status == GrantStatus.APPROVED.value
    second = await payments.create(index=3, requested_cents=1_000_00)
    assert second.status == GrantStatus.REJECTED.value
    payments.clock.advance(timedelta(days=366))
    third = await payments.create(index=3, requested_cents=1_000_00)
    assert third.status == GrantStatus.APPROVED.value


async def test_concurrent_approvals_never_overspend_and_exhaustion_is_reported_once(
    payments: Payments,
) -> None:
    await payments.fund(cents=5 * 3_000_00 + 50_00)
    files = [await payments.create(index=i) for i in range(40)]
    decided = await asyncio.gather(
        *(
            payments.decisions.approve(f.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)
            for f in files
        )
    )
    statuses = [f.status for f in decided]
    assert statuses.count(GrantStatus.APPROVED.value) == 5
    assert statuses.count(GrantStatus.REJECTED.value) == 35
    budget = await payments.ledger.get(ROMA)
    assert budget.available_cents == 50_00
    exhausted = [e for e in payments.budgets.published if type(e).__name__ == "BudgetExhausted"]
    assert len(exhausted) == 1
    assert (await payments.reconciliation(ROMA)).clean
