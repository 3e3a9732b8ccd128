"""Table-driven tests of the triage rules with the shipped default policy (version 2026.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lgnet_referral.domain.errors import NaiveDatetimeError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage import ContributionKind, Floor, triage
from lgnet_referral.domain.triage_policy import PolicySet, TriagePolicy
from lgnet_referral.domain.vulnerability import Need
from lgnet_referral.domain.vulnerability import VulnerabilityFactor as F

ADULT = Household(adults=1)


@dataclass(frozen=True)
class Row:
    household: Household
    factors: frozenset[F] = field(default_factory=frozenset)
    needs: frozenset[Need] = field(default_factory=frozenset)
    score: int = 0
    priority: Priority = Priority.P4
    floor: Floor | None = None


def row(
    household: Household,
    factors: set[F] | None = None,
    needs: set[Need] | None = None,
    *,
    score: int,
    priority: Priority,
    floor: Floor | None = None,
) -> Row:
    return Row(household, frozenset(factors or ()), frozenset(needs or ()), score, priority, floor)


SHELTER = {Need.SHELTER_TONIGHT}
ROWS = {
    "nothing stated -> P4": row(ADULT, score=0, priority=Priority.P4),
    "adult alone needing shelter -> P2 (no second night out)": row(
        ADULT, needs=SHELTER, score=9, priority=Priority.P2
    ),
    "economic hardship only -> P4": row(ADULT, needs={Need.ECONOMIC_HARDSHIP}, score=2, priority=Priority.P4),
    "disability and legal -> P3": row(ADULT, {F.DISABILITY}, {Need.LEGAL}, score=5, priority=Priority.P3),
    "parent and child needing shelter -> P1 by floor": row(
        Household(adults=1, minor_ages=(5,)),
        needs=SHELTER,
        score=12,
        priority=Priority.P1,
        floor=Floor.MINOR_NEEDING_SHELTER,
    ),
    "declared minor factor needing shelter -> P1 by floor": row(
        ADULT, {F.MINOR}, SHELTER, score=12, priority=Priority.P1, floor=Floor.MINOR_NEEDING_SHELTER
    ),
    "single parent needing shelter -> P1 by floor": row(
        ADULT,
        {F.SINGLE_PARENT_WITH_MINORS},
        SHELTER,
        score=12,
        priority=Priority.P1,
        floor=Floor.MINOR_NEEDING_SHELTER,
    ),
    "unaccompanied minor needing shelter -> P1 by score": row(
        Household(adults=0, minor_ages=(16,), unaccompanied_minor=True),
        needs=SHELTER,
        score=22,
        priority=Priority.P1,
    ),
    "minor alone, box not ticked, counts as unaccompanied": row(
        Household(adults=0, minor_ages=(15,)), score=13, priority=Priority.P2
    ),
    "pregnancy flag and food -> P2 by floor": row(
        Household(adults=1, pregnant=True),
        needs={Need.FOOD},
        score=7,
        priority=Priority.P2,
        floor=Floor.PREGNANCY,
    ),
    "trafficking and legal -> P2 by floor": row(
        ADULT,
        {F.TRAFFICKING_VICTIM},
        {Need.LEGAL},
        score=7,
        priority=Priority.P2,
        floor=Floor.VIOLENCE_SURVIVOR,
    ),
    "torture survivor alone -> P2 by floor": row(
        ADULT, {F.TORTURE_OR_VIOLENCE_SURVIVOR}, score=6, priority=Priority.P2, floor=Floor.VIOLENCE_SURVIVOR
    ),
    "FGM alone -> P2 by floor": row(
        ADULT, {F.FGM_VICTIM}, score=4, priority=Priority.P2, floor=Floor.VIOLENCE_SURVIVOR
    ),
    "elderly, ill, medical -> P2": row(
        ADULT, {F.ELDERLY, F.SERIOUS_ILLNESS}, {Need.MEDICAL}, score=12, priority=Priority.P2
    ),
    "serious illness and shelter -> P1 by score": row(
        ADULT, {F.SERIOUS_ILLNESS}, SHELTER, score=14, priority=Priority.P1
    ),
    "two infants and hardship -> P2": row(
        Household(adults=1, minor_ages=(1, 2)), needs={Need.ECONOMIC_HARDSHIP}, score=9, priority=Priority.P2
    ),
    "pregnant violence survivor needing shelter -> P1 by score": row(
        Household(adults=1, pregnant=True),
        {F.TORTURE_OR_VIOLENCE_SURVIVOR},
        SHELTER,
        score=20,
        priority=Priority.P1,
    ),
}


@pytest.mark.parametrize("case", ROWS.values(), ids=ROWS.keys())
def test_default_policy_rules(case: Row, policy: TriagePolicy, t0: datetime) -> None:
    result = triage(
        household=case.household, factors=case.factors, needs=case.needs, policy=policy, reported_at=t0
    )

    assert (result.score, result.priority, result.floor_applied) == (case.score, case.priority, case.floor)
    assert result.policy_version == "2026.1"
    assert sum(item.points for item in result.breakdown) == result.score


SLA_ROWS = {
    "P1 in 4 hours": ({F.SERIOUS_ILLNESS}, SHELTER, timedelta(hours=4)),
    "P2 in 24 hours": (set(), SHELTER, timedelta(hours=24)),
    "P3 in 72 hours": ({F.DISABILITY}, set(), timedelta(hours=72)),
    "P4 in 7 days": (set(), set(), timedelta(days=7)),
}


@pytest.mark.parametrize(("factors", "needs", "sla"), SLA_ROWS.values(), ids=SLA_ROWS.keys())
def test_default_sla_from_report_time(
    factors: set[F], needs: set[Need], sla: timedelta, policy: TriagePolicy, t0: datetime
) -> None:
    result = triage(household=ADULT, factors=factors, needs=needs, policy=policy, reported_at=t0)

    assert result.sla_deadline == t0 + sla
    assert result.sla_deadline.utcoffset() == timedelta(0)


def test_breakdown_is_readable_and_in_a_stable_order(policy: TriagePolicy, t0: datetime) -> None:
    result = triage(
        household=Household(adults=1, minor_ages=(1,), pregnant=True),
        factors=[F.TRAFFICKING_VICTIM],
        needs=[Need.FOOD, Need.SHELTER_TONIGHT],
        policy=policy,
        reported_at=t0,
    )

    assert [item.reason for item in result.breakdown] == [
        "Minor(s) in the household (from household details): +3 points",
        "Pregnancy (from household details): +5 points",
        "Victim of trafficking: +6 points",
        "1 child(ren) under 3: +2 points (2 each)",
        "Needs shelter tonight: +9 points",
        "Needs food: +2 points",
    ]
    assert [item.kind for item in result.breakdown][-3:] == [
        ContributionKind.HOUSEHOLD,
        ContributionKind.NEED,
        ContributionKind.NEED,
    ]
    assert result.needs == (Need.SHELTER_TONIGHT, Need.FOOD)
    assert result.factors == (F.MINOR, F.PREGNANCY, F.TRAFFICKING_VICTIM)
    assert result.floors == (Floor.MINOR_NEEDING_SHELTER, Floor.PREGNANCY, Floor.VIOLENCE_SURVIVOR)
    assert result.floor_applied is None
    assert result.reasons[-1] == "Score 27 gives P1 (policy 2026.1)"


def test_reasons_name_the_floor_that_raised_the_priority(policy: TriagePolicy, t0: datetime) -> None:
    result = triage(
        household=Household(adults=1, pregnant=True), factors=(), needs=(), policy=policy, reported_at=t0
    )

    assert result.score_priority is Priority.P3
    assert result.reasons[-2:] == (
        "Score 5 gives P3 (policy 2026.1)",
        "Pregnancy: never below P2: raised to P2",
    )


def test_zero_weight_factor_still_shows_in_breakdown(t0: datetime, policy: TriagePolicy) -> None:
    zero = TriagePolicy(
        version="zero",
        factor_weights=dict(policy.factor_weights) | {F.ELDERLY: 0},
        need_weights=policy.need_weights,
        points_per_minor_under_3=2,
        thresholds=policy.thresholds,
        sla=policy.sla,
    )

    result = triage(household=ADULT, factors=[F.ELDERLY], needs=(), policy=zero, reported_at=t0)

    assert [(i.factor, i.points, i.reason) for i in result.breakdown] == [
        ("elderly", 0, "Elderly person: +0 points")
    ]


def test_roma_override_changes_only_its_weights(policy_set: PolicySet, t0: datetime) -> None:
    roma = policy_set.for_municipality("058091")
    milano = policy_set.for_municipality("015146")

    def run(policy: TriagePolicy) -> tuple[Priority, int, str]:
        result = triage(household=ADULT, factors=[F.ELDERLY], needs=SHELTER, policy=policy, reported_at=t0)
        return result.priority, result.score, result.policy_version

    assert run(milano) == (Priority.P2, 12, "2026.1")
    assert run(roma) == (Priority.P1, 14, "2026.1+058091.1")
    assert roma.municipality == "058091"
    assert roma.need_weights == milano.need_weights
    assert roma.sla == milano.sla


def test_report_time_in_another_zone_is_normalised_to_utc(policy: TriagePolicy) -> None:
    rome_winter = timezone(timedelta(hours=1))
    reported = datetime(2026, 1, 5, 23, 0, tzinfo=rome_winter)

    result = triage(household=ADULT, factors=(), needs=(), policy=policy, reported_at=reported)

    assert result.reported_at == datetime(2026, 1, 5, 22, 0, tzinfo=UTC)
    assert result.sla_deadline.tzinfo is UTC


def test_naive_report_time_is_refused(policy: TriagePolicy) -> None:
    with pytest.raises(NaiveDatetimeError):
        triage(household=ADULT, factors=(), needs=(), policy=policy, reported_at=datetime(2026, 1, 5, 23, 0))
