"""The household claim rule, in memory: who may hold the one claim a household has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lgnet_payments.domain.eligibility import (
    EligibilityRequest,
    GrantPurpose,
    HousingSituation,
    PreviousGrant,
    decide_eligibility,
)
from lgnet_payments.domain.eligibility_policy import DEFAULT_GRANT_RULES
from lgnet_payments.domain.household_claim import ClaimRequest, HouseholdClaim, HouseholdClaimError
from lgnet_payments.domain.reasons import ReasonCode

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
WINDOW = timedelta(days=365)
KEY = "a1" * 32


def ask(grant_id: str = "g-2", at: datetime = NOW, **kw: str) -> ClaimRequest:
    return ClaimRequest(KEY, grant_id, at, WINDOW, replacing=kw.get("replacing"))


def held(grant_id: str = "g-1", at: datetime = NOW - timedelta(days=10)) -> HouseholdClaim:
    return HouseholdClaim(KEY, grant_id, at)


def test_a_free_claim_is_taken_with_the_time_of_the_approval() -> None:
    request = ask()
    assert request.admits(None)
    assert request.taken() == HouseholdClaim(KEY, "g-2", NOW)


def test_another_grants_live_claim_blocks() -> None:
    assert not ask().admits(held())


def test_the_holder_finds_its_claim_again_on_a_retry() -> None:
    assert ask("g-1").admits(held("g-1"))
    assert ask("g-1", NOW + timedelta(seconds=3)).taken().claimed_at == NOW + timedelta(seconds=3)


def test_a_released_claim_is_free_again() -> None:
    released = held().release("g-1", NOW)
    assert released is not None
    assert released.released
    assert ask().admits(released)


def test_only_the_holder_releases_and_only_once() -> None:
    assert held().release("g-2", NOW) is None
    released = held().release("g-1", NOW)
    assert released is not None
    assert released.release("g-1", NOW + timedelta(hours=1)) is None


@pytest.mark.parametrize(
    ("age", "admitted"),
    [
        (WINDOW - timedelta(seconds=1), False),
        (WINDOW, True),  # as eligibility: only ``now - granted_at < window`` blocks
        (WINDOW + timedelta(days=1), True),
        (-timedelta(hours=1), False),  # dated in the future (clock skew): still blocks
    ],
)
def test_a_claim_lapses_exactly_when_the_eligibility_rule_stops_counting_the_grant(
    age: timedelta, admitted: bool
) -> None:
    claim = held(at=NOW - age)
    assert ask().admits(claim) is admitted
    previous = (PreviousGrant(claim.grant_id, claim.claimed_at),)
    request = EligibilityRequest(
        household_size=2,
        isee_cents=9_000_00,
        requested_cents=1_000_00,
        purpose=GrantPurpose.EMERGENCY_HOUSING,
        housing=HousingSituation(no_home=True),
        previous_grants=previous,
    )
    codes = decide_eligibility(request, DEFAULT_GRANT_RULES, now=NOW).codes()
    assert (ReasonCode.PREVIOUS_GRANT_IN_WINDOW not in codes) is admitted


def test_a_final_holder_is_replaced_only_when_named() -> None:
    stale = held("g-rejected")
    assert not ask().admits(stale)
    assert ask(replacing="g-rejected").admits(stale)
    # Named wrongly (the claim moved on to someone else meanwhile): still blocked.
    assert not ask(replacing="g-rejected").admits(held("g-3"))
    assert ask().replacing_holder("g-rejected") == ask(replacing="g-rejected")


def test_claims_need_aware_times_a_positive_window_and_ids() -> None:
    with pytest.raises(HouseholdClaimError, match="timezone-aware"):
        ClaimRequest(KEY, "g", datetime(2025, 3, 3), WINDOW)
    with pytest.raises(HouseholdClaimError, match="positive"):
        ClaimRequest(KEY, "g", NOW, timedelta(0))
    with pytest.raises(HouseholdClaimError, match="household key"):
        ClaimRequest("", "g", NOW, WINDOW)
    with pytest.raises(HouseholdClaimError, match="timezone-aware"):
        held().release("g-1", datetime(2025, 3, 3))
