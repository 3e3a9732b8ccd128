"""The Case aggregate: transitions, events, timeline and needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from lgnet_referral.domain.case import Case, CaseStatus
from lgnet_referral.domain.errors import CaseClosedError, InvalidCaseTransitionError, OverrideError
from lgnet_referral.domain.events import (
    CaseClosed,
    CaseNeedMet,
    CaseNeedReopened,
    CaseOutcome,
    CaseReported,
    CaseTakenInCharge,
    CaseTriaged,
    CaseUpdated,
    DuplicateReportLinked,
    PriorityOverridden,
    TriageTrigger,
)
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.timeline import Milestone, TimelineEntry
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

H = timedelta(hours=1)


def new_case(policy: TriagePolicy, t0: datetime, **facts: object) -> Case:
    case, _ = Case.report(
        case_id="case-1",
        municipality="058091",
        household=facts.get("household", Household(adults=1)),  # type: ignore[arg-type]
        factors=facts.get("factors", ()),  # type: ignore[arg-type]
        needs=facts.get("needs", (Need.SHELTER_TONIGHT,)),  # type: ignore[arg-type]
        policy=policy,
        reported_at=t0,
        operator_id="op-1",
    )
    return case


def housing(at: datetime, event_type: str, event_id: str) -> TimelineEntry:
    return TimelineEntry(
        at=at,
        source="housing",
        event_type=event_type,
        summary=event_type,
        refs=(("placement_id", "pl-1"),),
        event_id=event_id,
    )


def test_report_triages_and_opens_the_case(policy: TriagePolicy, t0: datetime) -> None:
    case, events = Case.report(
        case_id="case-1",
        municipality="058091",
        household=Household(adults=1, minor_ages=(4,)),
        factors=[VulnerabilityFactor.SINGLE_PARENT_WITH_MINORS],
        needs=[Need.SHELTER_TONIGHT],
        policy=policy,
        reported_at=t0,
        operator_id="op-1",
    )

    assert [type(e) for e in events] == [CaseReported, CaseTriaged]
    triaged = events[1]
    assert isinstance(triaged, CaseTriaged)
    assert (triaged.trigger, triaged.effective_priority) == (TriageTrigger.REPORTED, Priority.P1)
    assert (case.status, case.priority, case.sla_deadline, case.version) == (
        CaseStatus.OPEN,
        Priority.P1,
        t0 + 4 * H,
        0,
    )
    assert case.open_needs == (Need.SHELTER_TONIGHT,)
    assert [e.event_type for e in case.timeline] == ["case.reported", "case.triaged"]
    assert case.timeline[0].summary == "Reported by op-1: household of 2, needs shelter tonight"
    assert case.timeline[1].summary == "Triaged P1 (score 15, policy 2026.1); due 2026-03-15 02:30 UTC"


def test_update_facts_retriages_from_the_report_time(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)
    assert case.priority is Priority.P2

    events = case.update_facts(
        policy=policy, at=t0 + 2 * H, operator_id="op-2", household=Household(adults=1, minor_ages=(2,))
    )

    assert [type(e) for e in events] == [CaseUpdated, CaseTriaged]
    assert isinstance(events[0], CaseUpdated)
    assert events[0].changed == ("household",)
    assert (case.priority, case.sla_deadline) == (Priority.P1, t0 + 4 * H)
    assert (
        case.update_facts(policy=policy, at=t0 + 3 * H, operator_id="op-2", needs=[Need.SHELTER_TONIGHT])
        == ()
    )


def test_override_stays_unless_new_facts_are_more_urgent(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0, needs=[Need.LEGAL])
    assert case.priority is Priority.P4
    (event,) = case.override_priority(
        priority=Priority.P2,
        reason="Threatened by landlord, may be out tonight",
        operator_id="op-3",
        at=t0 + H,
        policy=policy,
    )
    assert isinstance(event, PriorityOverridden)
    assert (case.priority, case.sla_deadline) == (Priority.P2, t0 + 24 * H)

    case.update_facts(policy=policy, at=t0 + 2 * H, operator_id="op-3", needs=[Need.LEGAL, Need.FOOD])
    assert case.override is not None  # P4 by triage, the operator's P2 stands

    *_, triaged = case.update_facts(
        policy=policy,
        at=t0 + 3 * H,
        operator_id="op-3",
        household=Household(adults=1, minor_ages=(6,)),
        needs=[Need.SHELTER_TONIGHT],
    )
    assert isinstance(triaged, CaseTriaged)
    assert triaged.override_cleared
    assert case.override is None
    assert (case.priority, len(case.override_history)) == (Priority.P1, 1)
    assert "operator override lapsed" in case.timeline[-1].summary


def test_override_is_checked_against_the_effective_priority(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0, needs=[Need.LEGAL])
    case.override_priority(
        priority=Priority.P2, reason="Seen in person, very frail", operator_id="op", at=t0, policy=policy
    )

    with pytest.raises(OverrideError, match="already P2"):
        case.override_priority(
            priority=Priority.P2, reason="Seen in person, very frail", operator_id="op", at=t0, policy=policy
        )


def test_external_events_fill_the_timeline_in_order_once(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)

    confirmed = case.record_external_event(
        housing(t0 + 2 * H, "placement.confirmed", "ev-2"), milestone=Milestone.PLACEMENT_CONFIRMED
    )
    late_request = case.record_external_event(housing(t0 + H, "placement.requested", "ev-1"))
    redelivered = case.record_external_event(
        housing(t0 + 2 * H, "placement.confirmed", "ev-2"), milestone=Milestone.PLACEMENT_CONFIRMED
    )

    assert [type(e) for e in confirmed] == [CaseTakenInCharge, CaseNeedMet]
    assert (late_request, redelivered) == ((), ())
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.open_needs == ()
    assert [e.event_type for e in case.timeline] == [
        "case.reported",
        "case.triaged",
        "placement.requested",
        "placement.confirmed",
        "case.taken_in_charge",
        "case.need_met",
    ]


def test_cancelled_placement_reopens_the_housing_need(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)
    case.record_external_event(
        housing(t0 + H, "placement.checked_in", "ev-1"), milestone=Milestone.PLACEMENT_CHECKED_IN
    )

    events = case.record_external_event(
        housing(t0 + 9 * H, "placement.cancelled", "ev-2"), milestone=Milestone.PLACEMENT_CANCELLED
    )

    assert [type(e) for e in events] == [CaseNeedReopened]
    assert case.open_needs == (Need.SHELTER_TONIGHT,)


def test_grant_approval_meets_economic_need_only(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0, needs=[Need.SHELTER_TONIGHT, Need.ECONOMIC_HARDSHIP])
    entry = TimelineEntry(
        at=t0 + H, source="payments", event_type="grant.approved", summary="Grant of EUR 1,200.00 approved"
    )

    case.record_external_event(entry, milestone=Milestone.GRANT_APPROVED)

    assert case.open_needs == (Need.SHELTER_TONIGHT,)


def test_operator_marks_other_needs_met(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0, needs=[Need.MEDICAL])

    (event,) = case.mark_need_met(
        need=Need.MEDICAL, at=t0 + H, operator_id="op", note="Seen at the ASL clinic"
    )
    assert isinstance(event, CaseNeedMet)
    assert case.mark_need_met(need=Need.MEDICAL, at=t0 + H, operator_id="op") == ()
    with pytest.raises(InvalidCaseTransitionError, match="does not have the need food"):
        case.mark_need_met(need=Need.FOOD, at=t0 + H, operator_id="op")


def test_take_charge_only_from_open(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)
    case.take_charge(at=t0 + H, by="op-1")

    with pytest.raises(InvalidCaseTransitionError, match="already in_progress"):
        case.take_charge(at=t0 + H, by="op-1")


def test_duplicate_report_is_linked(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)

    (event,) = case.link_duplicate_report(at=t0 + H, operator_id="op-4", explanation="same phone number")

    assert isinstance(event, DuplicateReportLinked)
    assert case.timeline[-1].summary == "Reported again by op-4. same phone number"


def test_close_with_outcome_then_everything_but_the_timeline_is_frozen(
    policy: TriagePolicy, t0: datetime
) -> None:
    case = new_case(policy, t0)

    (closed,) = case.close(
        outcome=CaseOutcome.PLACED, at=t0 + 5 * H, operator_id="op", note="Family at Casa Betania"
    )

    assert isinstance(closed, CaseClosed)
    assert (case.status, case.outcome, case.closed_at) == (CaseStatus.CLOSED, CaseOutcome.PLACED, t0 + 5 * H)
    attempts: list[Callable[[], object]] = [
        lambda: case.close(outcome=CaseOutcome.PLACED, at=t0 + 6 * H, operator_id="op"),
        lambda: case.update_facts(policy=policy, at=t0 + 6 * H, operator_id="op", needs=[]),
        lambda: case.override_priority(
            priority=Priority.P1, reason="too late for this", operator_id="op", at=t0, policy=policy
        ),
        lambda: case.record_sla_breach(priority=Priority.P2, deadline=t0 + 24 * H, at=t0 + 25 * H),
        lambda: case.link_duplicate_report(at=t0 + 6 * H, operator_id="op", explanation="x"),
        lambda: case.take_charge(at=t0 + 6 * H, by="op"),
    ]
    for attempt in attempts:
        with pytest.raises(CaseClosedError):
            attempt()
    # A payment landing after closing still belongs in the story, without changing the state.
    assert (
        case.record_external_event(
            housing(t0 + 7 * H, "placement.checked_in", "ev-9"), milestone=Milestone.PLACEMENT_CHECKED_IN
        )
        == ()
    )
    assert case.timeline[-1].event_type == "placement.checked_in"
    assert case.status is CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("outcome", "duplicate_of", "message"),
    [
        (CaseOutcome.DUPLICATE, None, "needs the id of the case it duplicates"),
        (CaseOutcome.PLACED, "case-0", "only for the outcome 'duplicate'"),
        (CaseOutcome.DUPLICATE, "case-1", "cannot duplicate itself"),
    ],
    ids=["duplicate without id", "id without duplicate", "duplicate of itself"],
)
def test_close_refusals(
    outcome: CaseOutcome, duplicate_of: str | None, message: str, policy: TriagePolicy, t0: datetime
) -> None:
    case = new_case(policy, t0)

    with pytest.raises(InvalidCaseTransitionError, match=message):
        case.close(outcome=outcome, at=t0 + H, operator_id="op", duplicate_of=duplicate_of)


def test_close_as_duplicate(policy: TriagePolicy, t0: datetime) -> None:
    case = new_case(policy, t0)

    (event,) = case.close(outcome=CaseOutcome.DUPLICATE, at=t0 + H, operator_id="op", duplicate_of="case-0")

    assert isinstance(event, CaseClosed)
    assert (event.duplicate_of, case.duplicate_of) == ("case-0", "case-0")
