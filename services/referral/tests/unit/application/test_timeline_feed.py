"""Other services' events on the case: recorded once, needs met, tonight and money kept up to date."""

from __future__ import annotations

from datetime import datetime, timedelta

from lgnet_referral.application.intake import ReportCase
from lgnet_referral.application.timeline_feed import (
    ExternalEvent,
    GrantNews,
    PlacementNews,
    RecordExternalEvent,
    RecordOutcome,
)
from lgnet_referral.domain.case_status import CaseStatus
from lgnet_referral.domain.timeline import Milestone, TimelineEntry
from lgnet_referral.domain.vulnerability import Need

from .conftest import FakeCaseRepository, FakeClock, new_report

M = timedelta(minutes=1)


def placement(case_id: str, event_id: str, at: datetime, status: str, **news: object) -> ExternalEvent:
    milestone = {"confirmed": Milestone.PLACEMENT_CONFIRMED, "checked_in": Milestone.PLACEMENT_CHECKED_IN}
    return ExternalEvent(
        event_id=event_id,
        case_id=case_id,
        entry=TimelineEntry(
            at=at, source="housing", event_type=f"placement.{status}", summary=status, event_id=event_id
        ),
        milestone=milestone.get(status),
        placement=PlacementNews(placement_id=str(news.pop("placement_id", "pl-1")), status=status, **news),  # type: ignore[arg-type]
    )


def grant(case_id: str, event_id: str, at: datetime, status: str, cents: int) -> ExternalEvent:
    return ExternalEvent(
        event_id=event_id,
        case_id=case_id,
        entry=TimelineEntry(
            at=at, source="payments", event_type=f"grant.{status}", summary=status, event_id=event_id
        ),
        milestone=Milestone.GRANT_PAID if status == "disbursed" else None,
        grant=GrantNews(grant_id="gr-1", status=status, amount_cents=cents),
    )


async def test_events_fill_the_story_once(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    needs = frozenset({Need.SHELTER_TONIGHT, Need.ECONOMIC_HARDSHIP})
    case_id = (await report(new_report(needs=needs), operator_id="op-1")).file.case_id
    record = RecordExternalEvent(repository)
    t = clock.now
    confirmed = placement(
        case_id, "e2", t + 2 * M, "confirmed", shelter_id="sh-1", shelter_name="Casa Betania"
    )
    stream = [
        placement(case_id, "e3", t + 3 * M, "checked_in", shelter_id="sh-1"),
        confirmed,  # arrives after the check-in: fills in the shelter, does not turn the status back
        grant(case_id, "e4", t + 4 * M, "disbursed", 30_000),
        grant(case_id, "e5", t + 5 * M, "returned", 10_000),
    ]
    assert [await record(e) for e in stream] == [RecordOutcome.RECORDED] * 4
    assert await record(stream[2]) is RecordOutcome.ALREADY_RECORDED

    file = repository.files[case_id]
    tonight = file.situation.tonight
    assert tonight is not None
    assert (tonight.status, tonight.shelter_name) == ("checked_in", "Casa Betania")
    assert file.situation.paid_cents == 20_000
    assert file.case.open_needs == ()
    assert file.case.status is CaseStatus.IN_PROGRESS
    external = [e.event_type for e in file.case.timeline if e.source != "referral"]
    assert external == ["placement.confirmed", "placement.checked_in", "grant.disbursed", "grant.returned"]


async def test_a_pending_placement_does_not_hide_the_bed_tonight(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    case_id = (await report(new_report(), operator_id="op-1")).file.case_id
    record = RecordExternalEvent(repository)
    t = clock.now
    await record(placement(case_id, "e1", t + M, "confirmed", shelter_id="sh-1", shelter_name="Casa Betania"))
    await record(placement(case_id, "e2", t + 2 * M, "requested", placement_id="pl-2"))

    tonight = repository.files[case_id].situation.tonight
    assert tonight is not None
    assert (tonight.placement_id, tonight.has_bed) == ("pl-1", True)


async def test_messages_do_not_take_charge_and_unknown_cases_are_reported(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    case_id = (await report(new_report(), operator_id="op-1")).file.case_id
    record = RecordExternalEvent(repository)
    entry = TimelineEntry(
        at=clock.now + M, source="notifications", event_type="notification.sent", summary="sms"
    )
    sent = ExternalEvent(event_id="n1", case_id=case_id, entry=entry, takes_charge=False)

    assert await record(sent) is RecordOutcome.RECORDED
    assert repository.files[case_id].case.status is CaseStatus.OPEN
    stranger = ExternalEvent(event_id="n2", case_id="nobody", entry=entry, takes_charge=False)
    assert await record(stranger) is RecordOutcome.UNKNOWN_CASE
