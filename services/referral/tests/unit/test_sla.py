"""SLA watchdog decisions: breach once per deadline, never for met needs or closed cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lgnet_referral.domain.case import Case, CaseStatus
from lgnet_referral.domain.errors import InvalidCaseTransitionError
from lgnet_referral.domain.events import CaseOutcome, SlaBreached
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.sla import SlaState, breach_due, next_check_at, sla_state
from lgnet_referral.domain.timeline import Milestone, TimelineEntry
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.vulnerability import Need

H = timedelta(hours=1)


def shelter_case(
    policy: TriagePolicy, t0: datetime, needs: tuple[Need, ...] = (Need.SHELTER_TONIGHT,)
) -> Case:
    # A lone adult needing shelter: P2, due 24 hours after the report.
    case, _ = Case.report(
        case_id="case-1",
        municipality="001272",
        household=Household(adults=1),
        factors=(),
        needs=needs,
        policy=policy,
        reported_at=t0,
        operator_id="op",
    )
    return case


@pytest.mark.parametrize(
    ("hours_after_report", "state"),
    [(0, SlaState.ON_TRACK), (23, SlaState.DUE_SOON), (24, SlaState.DUE_SOON), (24.01, SlaState.BREACHED)],
    ids=["just reported", "one hour left", "exactly at the deadline", "just after"],
)
def test_sla_state_over_time(
    hours_after_report: float, state: SlaState, policy: TriagePolicy, t0: datetime
) -> None:
    case = shelter_case(policy, t0)

    assert sla_state(case, t0 + hours_after_report * H) is state


def test_no_breach_before_the_deadline(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0)

    assert breach_due(case, t0 + 24 * H) is None
    assert next_check_at(case) == t0 + 24 * H
    with pytest.raises(InvalidCaseTransitionError, match="has not passed yet"):
        case.record_sla_breach(priority=Priority.P2, deadline=t0 + 24 * H, at=t0 + 24 * H)


def test_breach_is_published_once_and_survives_a_restart(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0)
    now = t0 + 25 * H

    due = breach_due(case, now)
    assert due is not None
    assert (due.priority, due.deadline, due.open_needs) == (Priority.P2, t0 + 24 * H, (Need.SHELTER_TONIGHT,))
    (event,) = case.record_sla_breach(priority=due.priority, deadline=due.deadline, at=now)

    assert isinstance(event, SlaBreached)
    assert case.status is CaseStatus.ESCALATED
    assert sla_state(case, now) is SlaState.BREACHED
    # A restarted watchdog reloads the case (breach recorded with the event) and decides nothing new.
    assert breach_due(case, now + 5 * H) is None
    assert next_check_at(case) is None
    assert case.record_sla_breach(priority=due.priority, deadline=due.deadline, at=now + H) == ()


def test_a_new_deadline_from_an_override_may_breach_once_more(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0)
    first = breach_due(case, t0 + 25 * H)
    assert first is not None
    case.record_sla_breach(priority=first.priority, deadline=first.deadline, at=t0 + 25 * H)

    # Escalated: a supervisor lowers it to P3, giving a new 72-hour deadline from the report.
    case.override_priority(
        priority=Priority.P3,
        reason="Dormitory place promised for Friday",
        operator_id="sup-1",
        at=t0 + 26 * H,
        policy=policy,
    )
    assert breach_due(case, t0 + 50 * H) is None
    second = breach_due(case, t0 + 73 * H)

    assert second is not None
    assert (second.priority, second.deadline) == (Priority.P3, t0 + 72 * H)
    case.record_sla_breach(priority=second.priority, deadline=second.deadline, at=t0 + 73 * H)
    assert breach_due(case, t0 + 80 * H) is None
    assert len(case.sla_breaches) == 2


def test_met_need_means_no_breach(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0)
    case.record_external_event(
        TimelineEntry(
            at=t0 + 3 * H, source="housing", event_type="placement.confirmed", summary="Bed at Binario 95"
        ),
        milestone=Milestone.PLACEMENT_CONFIRMED,
    )

    assert breach_due(case, t0 + 30 * H) is None
    assert sla_state(case, t0 + 30 * H) is SlaState.MET
    assert next_check_at(case) is None


def test_only_unmet_needs_count(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0, needs=(Need.SHELTER_TONIGHT, Need.FOOD))
    case.mark_need_met(need=Need.SHELTER_TONIGHT, at=t0 + H, operator_id="op")

    due = breach_due(case, t0 + 73 * H)

    assert due is not None
    assert due.open_needs == (Need.FOOD,)


def test_closed_case_never_breaches(policy: TriagePolicy, t0: datetime) -> None:
    case = shelter_case(policy, t0)
    case.close(outcome=CaseOutcome.UNREACHABLE, at=t0 + 2 * H, operator_id="op")

    assert breach_due(case, t0 + 100 * H) is None
    assert sla_state(case, t0 + 100 * H) is SlaState.CLOSED
    assert next_check_at(case) is None
