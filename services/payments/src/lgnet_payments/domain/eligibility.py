"""Pure eligibility decision for a housing-hardship grant.

``decide_eligibility`` runs every check even after one fails, so the decision lists every
reason at once: an officer fixing a request should not discover problems one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lgnet_payments.domain.eligibility_policy import GrantRules
from lgnet_payments.domain.reasons import Reason, ReasonCode


class GrantPurpose(StrEnum):
    RENT_ARREARS = "rent_arrears"
    DEPOSIT = "deposit"
    EMERGENCY_HOUSING = "emergency_housing"
    UTILITIES = "utilities"


@dataclass(frozen=True, slots=True)
class HousingSituation:
    rent_arrears: bool = False
    eviction_notice: bool = False
    lease_registered: bool = False
    no_home: bool = False


@dataclass(frozen=True, slots=True)
class PreviousGrant:
    """A grant already given to the same household key (approved or later, not rejected)."""

    grant_id: str
    granted_at: datetime


@dataclass(frozen=True, slots=True)
class EligibilityRequest:
    household_size: int
    isee_cents: int
    requested_cents: int
    purpose: GrantPurpose
    housing: HousingSituation
    ise_cents: int | None = None
    previous_grants: tuple[PreviousGrant, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityDecision:
    eligible: bool
    amount_cents: int
    reasons: tuple[Reason, ...]
    needs_review: bool
    decided_at: datetime

    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.reasons)


def euros(cents: int) -> str:
    """Human formatting for reason texts only (integer arithmetic, no float)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"EUR {sign}{whole:,}.{frac:02d}"


def decide_eligibility(
    request: EligibilityRequest, rules: GrantRules, *, now: datetime
) -> EligibilityDecision:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("decision time must be timezone-aware")
    reasons: list[Reason] = []
    blocked = False

    def fail(code: ReasonCode, text: str) -> None:
        nonlocal blocked
        blocked = True
        reasons.append(Reason(code, text))

    def ok(code: ReasonCode, text: str) -> None:
        reasons.append(Reason(code, text))

    invalid = _invalid_inputs(request)
    for text in invalid:
        fail(ReasonCode.INVALID_REQUEST, text)

    closes = rules.programme_closes_at
    if not rules.in_programme_window(now):
        fail(
            ReasonCode.OUTSIDE_PROGRAMME_WINDOW,
            f"No grant can be approved outside the programme window "
            f"{rules.programme_start.isoformat()} to {rules.programme_end.isoformat()} (Europe/Rome); "
            f"the decision time {now.isoformat()} is "
            + ("after the programme ended." if now >= closes else "before the programme started."),
        )
    else:
        ok(
            ReasonCode.WITHIN_PROGRAMME_WINDOW,
            f"Within the programme window {rules.programme_start.isoformat()} to "
            f"{rules.programme_end.isoformat()} (Europe/Rome).",
        )

    if request.isee_cents > rules.isee_threshold_cents:
        fail(
            ReasonCode.ISEE_OVER_THRESHOLD,
            f"Declared ISEE {euros(request.isee_cents)} exceeds the threshold "
            f"{euros(rules.isee_threshold_cents)}.",
        )
    else:
        ok(
            ReasonCode.ISEE_WITHIN_THRESHOLD,
            f"Declared ISEE {euros(request.isee_cents)} is within {euros(rules.isee_threshold_cents)}.",
        )

    if rules.ise_threshold_cents is not None:
        if request.ise_cents is None:
            fail(ReasonCode.ISE_MISSING, "This municipality's rules require the declared ISE.")
        elif request.ise_cents > rules.ise_threshold_cents:
            fail(
                ReasonCode.ISE_OVER_THRESHOLD,
                f"Declared ISE {euros(request.ise_cents)} exceeds the threshold "
                f"{euros(rules.ise_threshold_cents)}.",
            )
        else:
            ok(
                ReasonCode.ISE_WITHIN_THRESHOLD,
                f"Declared ISE {euros(request.ise_cents)} is within {euros(rules.ise_threshold_cents)}.",
            )

    housing_ok = True
    if request.purpose is GrantPurpose.RENT_ARREARS:
        # Reference scheme (DL 102/2013): arrears through no fault of the tenant, proven by an
        # eviction notice for arrears, on a registered lease.
        h = request.housing
        if not h.rent_arrears:
            housing_ok = False
            fail(ReasonCode.RENT_ARREARS_MISSING, "A rent-arrears grant needs declared rent arrears.")
        if rules.rent_arrears_requires_eviction_notice and not h.eviction_notice:
            housing_ok = False
            fail(
                ReasonCode.EVICTION_NOTICE_MISSING,
                "A rent-arrears grant needs an eviction notice for arrears.",
            )
        if rules.rent_arrears_requires_registered_lease and not h.lease_registered:
            housing_ok = False
            fail(ReasonCode.LEASE_NOT_REGISTERED, "A rent-arrears grant needs a registered lease.")
    if housing_ok:
        ok(
            ReasonCode.HOUSING_REQUIREMENTS_MET,
            f"Housing requirements for purpose '{request.purpose.value}' are met.",
        )

    window = timedelta(days=rules.household_window_days)
    # A previous grant dated after `now` (clock skew, back-dated decision) still counts: safer.
    recent = [p for p in request.previous_grants if now - p.granted_at < window]
    if recent:
        latest = max(recent, key=lambda p: p.granted_at)
        fail(
            ReasonCode.PREVIOUS_GRANT_IN_WINDOW,
            f"The household already received grant {latest.grant_id} on "
            f"{latest.granted_at.date().isoformat()}; at most one grant per "
            f"{rules.household_window_days} days.",
        )
    else:
        ok(
            ReasonCode.NO_PREVIOUS_GRANT_IN_WINDOW,
            f"No grant to this household in the last {rules.household_window_days} days.",
        )

    amount = 0
    if not invalid:
        amount = _amount(request, rules, ok)
        if amount < rules.minimum_grant_cents:
            fail(
                ReasonCode.AMOUNT_BELOW_MINIMUM,
                f"The amount {euros(amount)} is below the minimum grant {euros(rules.minimum_grant_cents)}.",
            )

    if blocked:
        return EligibilityDecision(False, 0, tuple(reasons), needs_review=False, decided_at=now)
    needs_review = amount > rules.auto_approval_threshold_cents
    if needs_review:
        ok(
            ReasonCode.NEEDS_REVIEW,
            f"{euros(amount)} is above the auto-approval threshold "
            f"{euros(rules.auto_approval_threshold_cents)}: a second person must approve.",
        )
    else:
        ok(
            ReasonCode.AUTO_APPROVAL,
            f"{euros(amount)} is within the auto-approval threshold "
            f"{euros(rules.auto_approval_threshold_cents)}.",
        )
    return EligibilityDecision(True, amount, tuple(reasons), needs_review=needs_review, decided_at=now)


def _invalid_inputs(request: EligibilityRequest) -> list[str]:
    problems: list[str] = []
    if request.household_size < 1:
        problems.append("Household size must be at least 1.")
    if request.isee_cents < 0:
        problems.append("Declared ISEE cannot be negative.")
    if request.ise_cents is not None and request.ise_cents < 0:
        problems.append("Declared ISE cannot be negative.")
    if request.requested_cents <= 0:
        problems.append("The requested amount must be positive.")
    for previous in request.previous_grants:
        if previous.granted_at.tzinfo is None:
            raise ValueError("previous grant dates must be timezone-aware")
    return problems


def _amount(request: EligibilityRequest, rules: GrantRules, ok: Callable[[ReasonCode, str], None]) -> int:
    by_household = rules.amount_per_member_cents * request.household_size
    amount: int = min(request.requested_cents, by_household, rules.cap_per_grant_cents)
    if amount == request.requested_cents:
        ok(ReasonCode.AMOUNT_AS_REQUESTED, f"Amount {euros(amount)} as requested.")
    elif amount == rules.cap_per_grant_cents and by_household >= rules.cap_per_grant_cents:
        ok(
            ReasonCode.AMOUNT_LIMITED_BY_CAP,
            f"Requested {euros(request.requested_cents)}, limited to the cap per grant {euros(amount)}.",
        )
    else:
        ok(
            ReasonCode.AMOUNT_LIMITED_BY_HOUSEHOLD_SIZE,
            f"Requested {euros(request.requested_cents)}, limited to "
            f"{euros(rules.amount_per_member_cents)} x {request.household_size} members = {euros(amount)}.",
        )
    return amount
