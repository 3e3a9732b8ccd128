from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_payments.domain.eligibility import EligibilityDecision
from lgnet_payments.domain.grant import (
    SYSTEM_ACTOR,
    FourEyesViolation,
    Grant,
    GrantAction,
    GrantApproved,
    GrantCancelled,
    GrantDisbursed,
    GrantError,
    GrantPendingReview,
    GrantRejected,
    GrantReturned,
    GrantStatus,
    InvalidGrantTransition,
)
from lgnet_payments.domain.reasons import Reason, ReasonCode

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
GrantFactory = Callable[..., Grant]
Decide = Callable[..., EligibilityDecision]


def test_small_grant_is_approved_automatically(make_grant: GrantFactory, approve_decision: Decide) -> None:
    grant = make_grant(approved=False)
    assert grant.status is GrantStatus.REQUESTED
    approved, event = grant.assess(approve_decision(80_000))
    assert approved.status is GrantStatus.APPROVED
    assert isinstance(event, GrantApproved)
    assert event.automatic
    assert event.approved_by == SYSTEM_ACTOR
    assert approved.amount_cents == 80_000
    assert grant.status is GrantStatus.REQUESTED  # immutable: the old state is untouched


def test_large_grant_waits_for_review_then_four_eyes_approval(
    make_grant: GrantFactory, approve_decision: Decide
) -> None:
    grant = make_grant(approved=False, amount=500_000)
    pending, event = grant.assess(approve_decision(500_000, needs_review=True))
    assert isinstance(event, GrantPendingReview)
    assert pending.status is GrantStatus.PENDING_REVIEW

    with pytest.raises(FourEyesViolation):
        pending.approve("officer.rossi", LATER, "looks fine")
    with pytest.raises(FourEyesViolation):
        pending.approve("  Officer.Rossi ", LATER, "same person, different spelling")

    approved, approval = pending.approve("coordinator.bianchi", LATER, "documents verified")
    assert approved.status is GrantStatus.APPROVED
    assert approved.approved_by == "coordinator.bianchi"
    assert approval.automatic is False
    assert approval.amount_cents == 500_000
    last = approved.decisions[-1]
    assert (last.action, last.actor, last.at) == (GrantAction.APPROVE, "coordinator.bianchi", LATER)
    assert last.reasons == (Reason(ReasonCode.REVIEWER_APPROVED, "documents verified"),)


def test_ineligible_grant_is_rejected_with_the_policy_reasons(make_grant: GrantFactory) -> None:
    grant = make_grant(approved=False)
    reasons = (Reason(ReasonCode.ISEE_OVER_THRESHOLD, "too high"),)
    from lgnet_payments.domain.eligibility import EligibilityDecision

    rejected, event = grant.assess(EligibilityDecision(False, 0, reasons, False, NOW))
    assert isinstance(event, GrantRejected)
    assert rejected.status is GrantStatus.REJECTED
    assert event.reasons == reasons
    assert rejected.is_final


def test_reviewer_rejection_for_lack_of_funds(make_grant: GrantFactory, approve_decision: Decide) -> None:
    pending, _ = make_grant(approved=False, amount=500_000).assess(
        approve_decision(500_000, needs_review=True)
    )
    why = (Reason(ReasonCode.INSUFFICIENT_FUNDS, "budget exhausted"),)
    rejected, event = pending.reject("coordinator.bianchi", LATER, why)
    assert rejected.status is GrantStatus.REJECTED
    assert event.rejected_by == "coordinator.bianchi"
    with pytest.raises(GrantError, match="must say why"):
        pending.reject("coordinator.bianchi", LATER, ())


def test_full_lifecycle_to_disbursed_records_every_decision(make_grant: GrantFactory) -> None:
    grant = make_grant()
    batched, _ = grant.mark_batched("LGN-058091-202503030930-001", LATER)
    disbursed, event = batched.mark_disbursed(LATER + timedelta(days=1))
    assert isinstance(event, GrantDisbursed)
    assert event.batch_id == "LGN-058091-202503030930-001"
    assert disbursed.status is GrantStatus.DISBURSED
    assert [d.action for d in disbursed.decisions] == [
        GrantAction.REQUEST,
        GrantAction.APPROVE,
        GrantAction.BATCH,
        GrantAction.DISBURSE,
    ]
    assert all(d.at.tzinfo is not None and d.actor for d in disbursed.decisions)


@pytest.mark.parametrize("settled_first", [False, True])
def test_bank_return_from_batched_or_disbursed(make_grant: GrantFactory, settled_first: bool) -> None:
    grant, _ = make_grant().mark_batched("B1", LATER)
    if settled_first:
        grant, _ = grant.mark_disbursed(LATER)
    returned, event = grant.mark_returned(LATER, "AC04")
    assert isinstance(event, GrantReturned)
    assert returned.status is GrantStatus.RETURNED
    assert event.was_disbursed is settled_first
    assert event.bank_reason_code == "AC04"
    assert event.amount_cents == grant.amount_cents


def test_cancel_says_whether_budget_is_released(make_grant: GrantFactory) -> None:
    _, event = make_grant(approved=False).cancel("officer.rossi", LATER, "household withdrew")
    assert isinstance(event, GrantCancelled)
    assert event.releases_budget is False
    _, event = make_grant().cancel("officer.rossi", LATER, "household withdrew")
    assert event.releases_budget is True


@pytest.mark.parametrize(
    "action",
    ["approve_again", "disburse_unbatched", "cancel_batched", "return_approved", "review_approved"],
)
def test_invalid_transitions_raise(make_grant: GrantFactory, action: str, approve_decision: Decide) -> None:
    approved = make_grant()
    attempts: dict[str, Callable[[], object]] = {
        "approve_again": lambda: approved.approve("coordinator.bianchi", LATER, "again"),
        "disburse_unbatched": lambda: approved.mark_disbursed(LATER),
        "cancel_batched": lambda: approved.mark_batched("B1", LATER)[0].cancel(
            "officer.rossi", LATER, "late"
        ),
        "return_approved": lambda: approved.mark_returned(LATER, "AC04"),
        "review_approved": lambda: approved.submit_for_review(approve_decision(1, needs_review=True)),
    }
    with pytest.raises(InvalidGrantTransition):
        attempts[action]()


def test_the_policy_cannot_prepare_grants(make_grant: GrantFactory) -> None:
    from lgnet_payments.domain.eligibility import GrantPurpose
    from lgnet_payments.domain.grant import Beneficiary, Grant

    with pytest.raises(GrantError):
        Grant.request(
            grant_id="g",
            municipality="058091",
            household_key="h",
            purpose=GrantPurpose.UTILITIES,
            requested_cents=100,
            beneficiary=Beneficiary("A", "IT60X0542811101000000123456"),
            prepared_by=SYSTEM_ACTOR,
            at=NOW,
        )


def test_naive_timestamps_are_refused(make_grant: GrantFactory) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_grant().mark_batched("B1", datetime(2025, 3, 3))
    assert make_grant().mark_batched("B1", datetime(2025, 3, 3, tzinfo=UTC))[0].batch_id == "B1"
