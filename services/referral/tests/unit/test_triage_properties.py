"""Invariants of triage for any valid policy, household and set of facts (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from lgnet_referral.domain.errors import OverrideError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.override import override_priority
from lgnet_referral.domain.priority import PRIORITIES, Priority
from lgnet_referral.domain.triage import triage
from lgnet_referral.domain.triage_policy import MAX_WEIGHT, TriagePolicy, parse_policy
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

weights = st.integers(min_value=0, max_value=MAX_WEIGHT)


@st.composite
def policies(draw: st.DrawFn) -> TriagePolicy:
    p1, p2, p3 = sorted(draw(st.sets(st.integers(1, 500), min_size=3, max_size=3)), reverse=True)
    sla_hours = sorted(draw(st.lists(st.integers(1, 24 * 30), min_size=4, max_size=4)))
    return TriagePolicy(
        version=draw(st.from_regex(r"\A20[0-9]{2}\.[0-9]{1,2}\Z")),
        factor_weights={factor: draw(weights) for factor in VulnerabilityFactor},
        need_weights={need: draw(weights) for need in Need},
        points_per_minor_under_3=draw(weights),
        thresholds={Priority.P1: p1, Priority.P2: p2, Priority.P3: p3},
        sla={p: timedelta(hours=h) for p, h in zip(PRIORITIES, sla_hours, strict=True)},
    )


@st.composite
def households(draw: st.DrawFn) -> Household:
    adults = draw(st.integers(0, 4))
    minor_ages = tuple(draw(st.lists(st.integers(0, 17), min_size=0 if adults else 1, max_size=4)))
    return Household(
        adults=adults,
        minor_ages=minor_ages,
        pregnant=draw(st.booleans()),
        unaccompanied_minor=adults == 0 and draw(st.booleans()),
    )


factor_sets = st.frozensets(st.sampled_from(VulnerabilityFactor))
need_sets = st.frozensets(st.sampled_from(Need))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
report_times = st.datetimes(
    min_value=datetime(2024, 1, 16), max_value=datetime(2027, 12, 31), timezones=offsets
)


@given(policies(), households(), factor_sets, need_sets, report_times)
def test_triage_is_deterministic_and_ignores_input_order(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    at: datetime,
) -> None:
    first = triage(
        household=household, factors=sorted(factors), needs=sorted(needs), policy=policy, reported_at=at
    )
    again = triage(
        household=household,
        factors=sorted(factors, reverse=True),
        needs=sorted(needs, reverse=True),
        policy=policy,
        reported_at=at,
    )

    assert first == again
    assert first.score == sum(item.points for item in first.breakdown)


@given(policies(), households(), factor_sets, need_sets)
def test_minors_needing_shelter_tonight_are_always_p1(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
) -> None:
    with_minor = Household(
        adults=household.adults, minor_ages=(*household.minor_ages, 9), pregnant=household.pregnant
    )
    at = datetime(2026, 1, 1, tzinfo=UTC)

    result = triage(
        household=with_minor,
        factors=factors,
        needs=needs | {Need.SHELTER_TONIGHT},
        policy=policy,
        reported_at=at,
    )

    assert result.priority is Priority.P1


@given(
    policies(),
    households(),
    factor_sets,
    need_sets,
    st.sampled_from(
        [
            VulnerabilityFactor.PREGNANCY,
            VulnerabilityFactor.TRAFFICKING_VICTIM,
            VulnerabilityFactor.TORTURE_OR_VIOLENCE_SURVIVOR,
            VulnerabilityFactor.FGM_VICTIM,
        ]
    ),
)
def test_pregnancy_and_violence_never_below_p2(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    protected: VulnerabilityFactor,
) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)

    result = triage(
        household=household, factors=factors | {protected}, needs=needs, policy=policy, reported_at=at
    )

    assert result.priority.rank <= 2


@given(
    policies(),
    households(),
    factor_sets,
    need_sets,
    st.sampled_from(VulnerabilityFactor),
    st.sampled_from(Need),
)
def test_adding_a_factor_or_need_never_lowers_score_or_priority(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    extra_factor: VulnerabilityFactor,
    extra_need: Need,
) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    base = triage(household=household, factors=factors, needs=needs, policy=policy, reported_at=at)

    for more in (
        triage(
            household=household, factors=factors | {extra_factor}, needs=needs, policy=policy, reported_at=at
        ),
        triage(
            household=household, factors=factors, needs=needs | {extra_need}, policy=policy, reported_at=at
        ),
    ):
        assert more.score >= base.score
        assert more.priority.rank <= base.priority.rank


@given(policies(), households(), factor_sets, need_sets, report_times)
def test_sla_deadline_is_after_report_time_and_utc(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    at: datetime,
) -> None:
    result = triage(household=household, factors=factors, needs=needs, policy=policy, reported_at=at)

    assert result.sla_deadline > at
    assert result.sla_deadline.tzinfo is UTC
    assert result.sla_deadline - at == policy.sla[result.priority]


@given(policies(), households(), factor_sets, need_sets, st.sampled_from(Priority))
def test_override_never_goes_below_a_floor(
    policy: TriagePolicy,
    household: Household,
    factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    wanted: Priority,
) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    result = triage(household=household, factors=factors, needs=needs, policy=policy, reported_at=at)
    floor_rank = min((f.priority.rank for f in result.floors), default=4)

    try:
        override = override_priority(
            result,
            priority=wanted,
            reason="seen in person by the street unit",
            operator_id="op-1",
            at=at,
            policy=policy,
        )
    except OverrideError:
        assert wanted is result.priority or wanted.rank > floor_rank
    else:
        assert override.priority.rank <= floor_rank
        assert override.sla_deadline == at + policy.sla[wanted]


@given(policies())
def test_any_valid_policy_round_trips_through_toml(policy: TriagePolicy) -> None:
    def table(name: str, items: dict[str, object]) -> str:
        return f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in items.items())

    text = "\n".join(
        [
            f'version = "{policy.version}"',
            table("weights.factors", {str(k): v for k, v in policy.factor_weights.items()}),
            table("weights.needs", {str(k): v for k, v in policy.need_weights.items()}),
            table("weights.household", {"points_per_minor_under_3": policy.points_per_minor_under_3}),
            table("thresholds", {str(k): v for k, v in policy.thresholds.items()}),
            table("sla_hours", {str(k): int(v / timedelta(hours=1)) for k, v in policy.sla.items()}),
        ]
    )

    assert parse_policy(text) == policy
