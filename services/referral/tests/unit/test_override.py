"""Operator overrides of the triage priority."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lgnet_referral.domain.errors import OverrideError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.override import override_priority
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage import TriageResult, triage
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

REASON = "Seen by the street unit: fever, sleeping at the station"


def result_for(policy: TriagePolicy, t0: datetime, **facts: object) -> TriageResult:
    household = facts.pop("household", Household(adults=1))
    return triage(household=household, policy=policy, reported_at=t0, **facts)  # type: ignore[arg-type]


def test_override_keeps_the_original_and_recomputes_the_deadline(policy: TriagePolicy, t0: datetime) -> None:
    original = result_for(policy, t0, factors=(), needs=[Need.ECONOMIC_HARDSHIP])
    at = t0 + timedelta(minutes=20)

    override = override_priority(
        original, priority=Priority.P1, reason=f"  {REASON}  ", operator_id="op-7", at=at, policy=policy
    )

    assert override.original is original
    assert (override.priority, override.previous_priority) == (Priority.P1, Priority.P4)
    assert override.sla_deadline == t0 + timedelta(hours=4)  # from the report, not the override
    assert override.reason == REASON
    assert (override.operator_id, override.at, override.policy_version) == ("op-7", at, "2026.1")


def test_override_may_lower_a_priority_without_a_floor(policy: TriagePolicy, t0: datetime) -> None:
    original = result_for(
        policy, t0, factors=[VulnerabilityFactor.SERIOUS_ILLNESS], needs=[Need.SHELTER_TONIGHT]
    )

    override = override_priority(
        original,
        priority=Priority.P3,
        reason="Hospital admitted him tonight",
        operator_id="op",
        at=t0,
        policy=policy,
    )

    assert override.sla_deadline == t0 + timedelta(hours=72)


REFUSALS = {
    "reason too short": ({"reason": "urgent"}, "at least 10 characters"),
    "reason only spaces": ({"reason": "          "}, "at least 10 characters"),
    "no operator": ({"operator_id": " "}, "operator id is required"),
    "no change": ({"priority": Priority.P2}, "already P2"),
    "below the pregnancy floor": ({"priority": Priority.P3}, "below the hard floor P2 (pregnancy)"),
    "before the report": ({"at_offset": timedelta(minutes=-1)}, "cannot predate the report"),
}


@pytest.mark.parametrize(("change", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals(change: dict[str, object], message: str, policy: TriagePolicy, t0: datetime) -> None:
    original = result_for(policy, t0, household=Household(adults=1, pregnant=True), factors=(), needs=())
    assert original.priority is Priority.P2
    kwargs: dict[str, object] = {"priority": Priority.P1, "reason": REASON, "operator_id": "op-1"} | change
    offset = kwargs.pop("at_offset", timedelta(0))

    with pytest.raises(OverrideError, match=re.escape(message)):
        override_priority(original, at=t0 + offset, policy=policy, **kwargs)  # type: ignore[arg-type, operator]
