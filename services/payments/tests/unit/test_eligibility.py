from __future__ import annotations

from dataclasses import replace
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
from lgnet_payments.domain.reasons import ReasonCode as R

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
ARREARS_OK = HousingSituation(rent_arrears=True, eviction_notice=True, lease_registered=True)
BASE = EligibilityRequest(
    household_size=3,
    isee_cents=10_000_00,
    requested_cents=1_000_00,
    purpose=GrantPurpose.RENT_ARREARS,
    housing=ARREARS_OK,
)
RULES = DEFAULT_GRANT_RULES

# (id, request changes, rules changes, decision time, eligible, amount, needs_review, codes present)
CASES: list[tuple[str, dict[str, object], dict[str, object], datetime, bool, int, bool, set[R]]] = [
    ("auto-approved", {}, {}, NOW, True, 1_000_00, False, {R.AMOUNT_AS_REQUESTED, R.AUTO_APPROVAL}),
    ("at auto threshold", {"requested_cents": 1_500_00}, {}, NOW, True, 1_500_00, False, {R.AUTO_APPROVAL}),
    (
        "above threshold -> review",
        {"requested_cents": 1_500_01},
        {},
        NOW,
        True,
        1_500_01,
        True,
        {R.NEEDS_REVIEW},
    ),
    (
        "limited by household size",
        {"requested_cents": 9_000_00, "household_size": 2},
        {},
        NOW,
        True,
        4_000_00,
        True,
        {R.AMOUNT_LIMITED_BY_HOUSEHOLD_SIZE},
    ),
    (
        "limited by cap",
        {"requested_cents": 20_000_00, "household_size": 8},
        {},
        NOW,
        True,
        12_000_00,
        True,
        {R.AMOUNT_LIMITED_BY_CAP},
    ),
    (
        "ISEE at threshold",
        {"isee_cents": 26_000_00},
        {},
        NOW,
        True,
        1_000_00,
        False,
        {R.ISEE_WITHIN_THRESHOLD},
    ),
    ("ISEE over threshold", {"isee_cents": 26_000_01}, {}, NOW, False, 0, False, {R.ISEE_OVER_THRESHOLD}),
    (
        "municipal ISEE 28k",
        {"isee_cents": 27_500_00},
        {"isee_threshold_cents": 28_000_00},
        NOW,
        True,
        1_000_00,
        False,
        {R.ISEE_WITHIN_THRESHOLD},
    ),
    (
        "ISE required but missing",
        {},
        {"ise_threshold_cents": 35_000_00},
        NOW,
        False,
        0,
        False,
        {R.ISE_MISSING},
    ),
    (
        "ISE over threshold",
        {"ise_cents": 35_000_01},
        {"ise_threshold_cents": 35_000_00},
        NOW,
        False,
        0,
        False,
        {R.ISE_OVER_THRESHOLD},
    ),
    (
        "rent arrears without any evidence",
        {"housing": HousingSituation()},
        {},
        NOW,
        False,
        0,
        False,
        {R.RENT_ARREARS_MISSING, R.EVICTION_NOTICE_MISSING, R.LEASE_NOT_REGISTERED},
    ),
    (
        "unregistered lease only",
        {"housing": replace(ARREARS_OK, lease_registered=False)},
        {},
        NOW,
        False,
        0,
        False,
        {R.LEASE_NOT_REGISTERED},
    ),
    (
        "eviction notice not required by municipality",
        {"housing": replace(ARREARS_OK, eviction_notice=False)},
        {"rent_arrears_requires_eviction_notice": False},
        NOW,
        True,
        1_000_00,
        False,
        {R.HOUSING_REQUIREMENTS_MET},
    ),
    (
        "deposit needs no arrears evidence",
        {"purpose": GrantPurpose.DEPOSIT, "housing": HousingSituation(no_home=True)},
        {},
        NOW,
        True,
        1_000_00,
        False,
        {R.HOUSING_REQUIREMENTS_MET},
    ),
    (
        "after programme end",
        {},
        {},
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
        False,
        0,
        False,
        {R.OUTSIDE_PROGRAMME_WINDOW},
    ),
    (
        "last second of the programme",
        {},
        {},
        datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC),
        True,
        1_000_00,
        False,
        {R.WITHIN_PROGRAMME_WINDOW},
    ),
    (
        "before programme start",
        {},
        {},
        datetime(2024, 1, 1, tzinfo=UTC),
        False,
        0,
        False,
        {R.OUTSIDE_PROGRAMME_WINDOW},
    ),
    (
        "previous grant 100 days ago",
        {"previous_grants": (PreviousGrant("g-old", NOW - timedelta(days=100)),)},
        {},
        NOW,
        False,
        0,
        False,
        {R.PREVIOUS_GRANT_IN_WINDOW},
    ),
    (
        "previous grant 365 days ago",
        {"previous_grants": (PreviousGrant("g-old", NOW - timedelta(days=365)),)},
        {},
        NOW,
        True,
        1_000_00,
        False,
        {R.NO_PREVIOUS_GRANT_IN_WINDOW},
    ),
    ("below minimum grant", {"requested_cents": 99_99}, {}, NOW, False, 0, False, {R.AMOUNT_BELOW_MINIMUM}),
    (
        "invalid inputs all listed",
        {"household_size": 0, "requested_cents": 0, "isee_cents": -1},
        {},
        NOW,
        False,
        0,
        False,
        {R.INVALID_REQUEST},
    ),
    (
        "everything wrong at once",
        {
            "isee_cents": 40_000_00,
            "housing": HousingSituation(),
            "previous_grants": (PreviousGrant("g-old", datetime(2027, 5, 1, tzinfo=UTC)),),
        },
        {},
        datetime(2027, 6, 1, tzinfo=UTC),
        False,
        0,
        False,
        {
            R.OUTSIDE_PROGRAMME_WINDOW,
            R.ISEE_OVER_THRESHOLD,
            R.RENT_ARREARS_MISSING,
            R.EVICTION_NOTICE_MISSING,
            R.LEASE_NOT_REGISTERED,
            R.PREVIOUS_GRANT_IN_WINDOW,
        },
    ),
]


@pytest.mark.parametrize(
    ("changes", "rule_changes", "at", "eligible", "amount", "needs_review", "codes"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decision_table(
    changes: dict[str, object],
    rule_changes: dict[str, object],
    at: datetime,
    eligible: bool,
    amount: int,
    needs_review: bool,
    codes: set[R],
) -> None:
    request = replace(BASE, **changes)
    rules = replace(RULES, **rule_changes)
    decision = decide_eligibility(request, rules, now=at)
    assert decision.eligible is eligible
    assert decision.amount_cents == amount
    assert isinstance(decision.amount_cents, int)
    assert decision.needs_review is needs_review
    assert codes <= set(decision.codes()), decision.reasons
    assert decision.decided_at == at


def test_every_check_leaves_a_reason() -> None:
    decision = decide_eligibility(BASE, RULES, now=NOW)
    assert set(decision.codes()) == {
        R.WITHIN_PROGRAMME_WINDOW,
        R.ISEE_WITHIN_THRESHOLD,
        R.HOUSING_REQUIREMENTS_MET,
        R.NO_PREVIOUS_GRANT_IN_WINDOW,
        R.AMOUNT_AS_REQUESTED,
        R.AUTO_APPROVAL,
    }


def test_outside_window_says_so_clearly() -> None:
    decision = decide_eligibility(BASE, RULES, now=datetime(2027, 1, 10, tzinfo=UTC))
    (reason,) = [r for r in decision.reasons if r.code is R.OUTSIDE_PROGRAMME_WINDOW]
    assert "programme window 2024-01-16 to 2026-12-31" in reason.text
    assert "after the programme ended" in reason.text


def test_three_invalid_inputs_give_three_reasons() -> None:
    request = replace(BASE, household_size=0, requested_cents=0, isee_cents=-1)
    decision = decide_eligibility(request, RULES, now=NOW)
    assert decision.codes().count(R.INVALID_REQUEST) == 3


def test_naive_decision_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide_eligibility(BASE, RULES, now=datetime(2025, 3, 3))
