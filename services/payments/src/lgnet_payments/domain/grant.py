"""The Grant aggregate: from request to money in the beneficiary's account (or back).

Lifecycle::

    requested ──assess──> rejected
        │                 pending_review ──approve (four eyes)──> approved
        └──assess (auto)────────────────────────────────────────> approved
    approved ──mark_batched──> batched ──mark_disbursed──> disbursed
    batched | disbursed ──mark_returned──> returned
    requested | pending_review | approved ──cancel──> cancelled

The aggregate is immutable: every transition returns ``(new_grant, event)`` so the caller
stores the new state and the event in one single-document write. Every decision is kept in
``decisions`` with who, when and why.

Budget: the application reserves the amount *before* approving (auto or by a reviewer);
when the reservation fails with InsufficientFunds it calls ``reject`` with
``ReasonCode.INSUFFICIENT_FUNDS`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from lgnet_payments.domain.eligibility import EligibilityDecision, GrantPurpose
from lgnet_payments.domain.moments import is_aware
from lgnet_payments.domain.reasons import Reason, ReasonCode

SYSTEM_ACTOR = "system:eligibility-policy"


class GrantError(Exception):
    """A domain rule about grants was broken."""


class InvalidGrantTransition(GrantError):
    pass


class FourEyesViolation(GrantError):
    """The approver is the officer who prepared the grant."""


class GrantStatus(StrEnum):
    REQUESTED = "requested"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    BATCHED = "batched"
    DISBURSED = "disbursed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({GrantStatus.REJECTED, GrantStatus.RETURNED, GrantStatus.CANCELLED})


class GrantAction(StrEnum):
    REQUEST = "request"
    SUBMIT_FOR_REVIEW = "submit_for_review"
    APPROVE = "approve"
    REJECT = "reject"
    BATCH = "batch"
    DISBURSE = "disburse"
    RETURN = "return"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    action: GrantAction
    actor: str
    at: datetime
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """Who receives the money. The IBAN is checked (schwifty) before it reaches the domain."""

    name: str
    iban: str


# --- events: plain data, mapped to contracts by the adapters ------------------------------


@dataclass(frozen=True, slots=True)
class GrantRequested:
    grant_id: str
    municipality: str
    purpose: GrantPurpose
    requested_cents: int
    prepared_by: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantPendingReview:
    grant_id: str
    municipality: str
    amount_cents: int
    reasons: tuple[Reason, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantApproved:
    grant_id: str
    municipality: str
    amount_cents: int
    approved_by: str
    automatic: bool
    reasons: tuple[Reason, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantRejected:
    grant_id: str
    municipality: str
    rejected_by: str
    reasons: tuple[Reason, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantBatched:
    """Internal progress event (not in the issue's published list)."""

    grant_id: str
    municipality: str
    batch_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantDisbursed:
    grant_id: str
    municipality: str
    amount_cents: int
    batch_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantReturned:
    grant_id: str
    municipality: str
    amount_cents: int
    batch_id: str
    bank_reason_code: str | None
    was_disbursed: bool
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GrantCancelled:
    grant_id: str
    municipality: str
    cancelled_by: str
    # True when an approved amount was reserved and the budget must release it.
    releases_budget: bool
    reasons: tuple[Reason, ...]
    occurred_at: datetime


GrantEvent: TypeAlias = (
    GrantRequested
    | GrantPendingReview
    | GrantApproved
    | GrantRejected
    | GrantBatched
    | GrantDisbursed
    | GrantReturned
    | GrantCancelled
)


def _same_person(a: str, b: str) -> bool:
    # "Anna.Rossi " and "anna.rossi" are one person: compare normalised identities.
    return a.strip().casefold() == b.strip().casefold()


def _require_aware(at: datetime) -> None:
    if not is_aware(at):
        raise ValueError("timestamps must be timezone-aware")


def _require_actor(actor: str) -> None:
    if not actor.strip():
        raise GrantError("every decision needs an identified actor")


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str
    municipality: str
    household_key: str
    purpose: GrantPurpose
    requested_cents: int
    beneficiary: Beneficiary
    prepared_by: str
    requested_at: datetime
    status: GrantStatus = GrantStatus.REQUESTED
    amount_cents: int = 0
    approved_by: str | None = None
    batch_id: str | None = None
    decisions: tuple[DecisionRecord, ...] = ()

    @classmethod
    def request(
        cls,
        *,
        grant_id: str,
        municipality: str,
        household_key: str,
        purpose: GrantPurpose,
        requested_cents: int,
        beneficiary: Beneficiary,
        prepared_by: str,
        at: datetime,
    ) -> tuple[Grant, GrantRequested]:
        _require_aware(at)
        _require_actor(prepared_by)
        if _same_person(prepared_by, SYSTEM_ACTOR):
            raise GrantError("the eligibility policy cannot prepare a grant it would also approve")
        if requested_cents <= 0:
            raise GrantError("the requested amount must be positive")
        record = DecisionRecord(GrantAction.REQUEST, prepared_by, at, ())
        grant = cls(
            grant_id=grant_id,
            municipality=municipality,
            household_key=household_key,
            purpose=purpose,
            requested_cents=requested_cents,
            beneficiary=beneficiary,
            prepared_by=prepared_by,
            requested_at=at,
            decisions=(record,),
        )
        event = GrantRequested(grant_id, municipality, purpose, requested_cents, prepared_by, at)
        return grant, event

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def holds_budget(self) -> bool:
        """True while a reservation or commitment exists for this grant in the budget ledger."""
        return self.status in (GrantStatus.APPROVED, GrantStatus.BATCHED, GrantStatus.DISBURSED)

    def _expect(self, *allowed: GrantStatus, action: GrantAction) -> None:
        if self.status not in allowed:
            names = ", ".join(s.value for s in allowed)
            raise InvalidGrantTransition(
                f"grant {self.grant_id}: cannot {action.value} from {self.status.value} (needs {names})"
            )

    def _record(self, action: GrantAction, actor: str, at: datetime, reasons: tuple[Reason, ...]) -> Grant:
        _require_aware(at)
        _require_actor(actor)
        return replace(self, decisions=(*self.decisions, DecisionRecord(action, actor, at, reasons)))

    def assess(
        self, decision: EligibilityDecision
    ) -> tuple[Grant, GrantRejected | GrantPendingReview | GrantApproved]:
        """Apply the policy's decision. Reserve the budget first when it will auto-approve."""
        if not decision.eligible:
            return self.reject(SYSTEM_ACTOR, decision.decided_at, decision.reasons)
        if decision.needs_review:
            return self.submit_for_review(decision)
        return self.approve_automatically(decision)

    def submit_for_review(self, decision: EligibilityDecision) -> tuple[Grant, GrantPendingReview]:
        self._expect(GrantStatus.REQUESTED, action=GrantAction.SUBMIT_FOR_REVIEW)
        if not decision.eligible:
            raise GrantError("an ineligible grant is rejected, not reviewed")
        at = decision.decided_at
        grant = self._record(GrantAction.SUBMIT_FOR_REVIEW, SYSTEM_ACTOR, at, decision.reasons)
        grant = replace(grant, status=GrantStatus.PENDING_REVIEW, amount_cents=decision.amount_cents)
        return grant, GrantPendingReview(
            self.grant_id, self.municipality, decision.amount_cents, decision.reasons, at
        )

    def approve_automatically(self, decision: EligibilityDecision) -> tuple[Grant, GrantApproved]:
        self._expect(GrantStatus.REQUESTED, action=GrantAction.APPROVE)
        if not decision.eligible or decision.needs_review:
            raise GrantError("only an eligible decision within the auto-approval threshold auto-approves")
        at = decision.decided_at
        grant = self._record(GrantAction.APPROVE, SYSTEM_ACTOR, at, decision.reasons)
        grant = replace(
            grant, status=GrantStatus.APPROVED, amount_cents=decision.amount_cents, approved_by=SYSTEM_ACTOR
        )
        event = GrantApproved(
            self.grant_id, self.municipality, decision.amount_cents, SYSTEM_ACTOR, True, decision.reasons, at
        )
        return grant, event

    def approve(self, approver: str, at: datetime, why: str) -> tuple[Grant, GrantApproved]:
        """A reviewer approves a pending grant; never the officer who prepared it."""
        self._expect(GrantStatus.PENDING_REVIEW, action=GrantAction.APPROVE)
        _require_actor(approver)
        if _same_person(approver, self.prepared_by):
            raise FourEyesViolation(
                f"grant {self.grant_id}: {approver} prepared this grant and cannot also approve it"
            )
        reasons = (Reason(ReasonCode.REVIEWER_APPROVED, why),)
        grant = self._record(GrantAction.APPROVE, approver, at, reasons)
        grant = replace(grant, status=GrantStatus.APPROVED, approved_by=approver)
        event = GrantApproved(
            self.grant_id, self.municipality, self.amount_cents, approver, False, reasons, at
        )
        return grant, event

    def reject(self, actor: str, at: datetime, reasons: tuple[Reason, ...]) -> tuple[Grant, GrantRejected]:
        """Reject before approval: by policy, by a reviewer, or for lack of funds."""
        self._expect(GrantStatus.REQUESTED, GrantStatus.PENDING_REVIEW, action=GrantAction.REJECT)
        if not reasons:
            raise GrantError("a rejection must say why")
        grant = self._record(GrantAction.REJECT, actor, at, reasons)
        grant = replace(grant, status=GrantStatus.REJECTED, amount_cents=0)
        return grant, GrantRejected(self.grant_id, self.municipality, actor, reasons, at)

    def mark_batched(self, batch_id: str, at: datetime) -> tuple[Grant, GrantBatched]:
        self._expect(GrantStatus.APPROVED, action=GrantAction.BATCH)
        grant = self._record(GrantAction.BATCH, SYSTEM_ACTOR, at, ())
        grant = replace(grant, status=GrantStatus.BATCHED, batch_id=batch_id)
        return grant, GrantBatched(self.grant_id, self.municipality, batch_id, at)

    def mark_disbursed(self, at: datetime, *, actor: str = "bank:pain.002") -> tuple[Grant, GrantDisbursed]:
        self._expect(GrantStatus.BATCHED, action=GrantAction.DISBURSE)
        assert self.batch_id is not None
        reasons = (Reason(ReasonCode.BANK_SETTLED, "The bank reported the transfer as settled."),)
        grant = self._record(GrantAction.DISBURSE, actor, at, reasons)
        grant = replace(grant, status=GrantStatus.DISBURSED)
        return grant, GrantDisbursed(self.grant_id, self.municipality, self.amount_cents, self.batch_id, at)

    def mark_returned(
        self, at: datetime, bank_reason_code: str | None, *, actor: str = "bank:pain.002"
    ) -> tuple[Grant, GrantReturned]:
        """The bank rejected or returned the transfer: the budget must release the amount."""
        self._expect(GrantStatus.BATCHED, GrantStatus.DISBURSED, action=GrantAction.RETURN)
        assert self.batch_id is not None
        code = bank_reason_code or "unspecified"
        reasons = (Reason(ReasonCode.BANK_RETURNED, f"The bank returned the transfer (reason {code})."),)
        grant = self._record(GrantAction.RETURN, actor, at, reasons)
        grant = replace(grant, status=GrantStatus.RETURNED)
        was_disbursed = self.status is GrantStatus.DISBURSED
        event = GrantReturned(
            self.grant_id,
            self.municipality,
            self.amount_cents,
            self.batch_id,
            bank_reason_code,
            was_disbursed,
            at,
        )
        return grant, event

    def cancel(self, actor: str, at: datetime, why: str) -> tuple[Grant, GrantCancelled]:
        # Once batched the file may already be at the bank: only a bank return undoes it.
        self._expect(
            GrantStatus.REQUESTED, GrantStatus.PENDING_REVIEW, GrantStatus.APPROVED, action=GrantAction.CANCEL
        )
        reasons = (Reason(ReasonCode.CANCELLED, why),)
        grant = self._record(GrantAction.CANCEL, actor, at, reasons)
        releases = self.status is GrantStatus.APPROVED
        grant = replace(grant, status=GrantStatus.CANCELLED)
        return grant, GrantCancelled(self.grant_id, self.municipality, actor, releases, reasons, at)
