"""Reporting a case: triage at once, consent recorded, a repeat report linked instead of duplicated."""

from __future__ import annotations

from datetime import timedelta

from lgnet_referral.application.case_file import PersonalData
from lgnet_referral.application.intake import ReportCase
from lgnet_referral.domain.case_status import CaseOutcome
from lgnet_referral.domain.duplicates import MatchKey
from lgnet_referral.domain.priority import Priority

from .conftest import FakeCaseRepository, FakeClock, new_report

OTHER_PERSON = PersonalData(given_name="Yusuf", phone="+393471112233")


async def test_a_report_opens_a_triaged_case_with_consent_recorded(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    outcome = await report(new_report(), operator_id="op-1")

    assert outcome.created
    assert outcome.duplicate is None
    case = outcome.file.case
    assert (case.priority, case.sla_deadline) == (Priority.P1, clock.now + timedelta(hours=4))
    assert repository.events_of(case.case_id) == ["case.reported", "case.triaged"]
    consent = outcome.file.profile.consent
    assert (consent.contact, consent.recorded_at, consent.recorded_by) == (True, clock.now, "op-1")
    assert outcome.file.lookup.phone is not None
    assert "3331234567" not in outcome.file.lookup.phone


async def test_a_repeat_report_within_the_window_is_linked(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    first = await report(new_report(), operator_id="op-1")
    clock.advance(timedelta(hours=3))

    again = await report(new_report(), operator_id="op-2")

    assert not again.created
    assert again.duplicate is not None
    assert again.duplicate.matched_on == (MatchKey.PHONE,)
    assert again.file.case_id == first.file.case_id
    assert list(repository.files) == [first.file.case_id]
    stored = repository.files[first.file.case_id]
    assert stored.linked_reports == 1
    assert stored.case.timeline[-1].event_type == "case.duplicate_report_linked"
    assert repository.events_of(first.file.case_id) == [
        "case.reported",
        "case.triaged",
        "case.duplicate_report_linked",
    ]


async def test_a_repeat_report_adds_the_keys_the_first_lacked(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    first = await report(new_report(), operator_id="op-1")
    with_code = PersonalData(phone="+393331234567", fiscal_code="RSSMRA85T10A562S")
    await report(new_report(personal=with_code), operator_id="op-1")

    assert repository.files[first.file.case_id].lookup.fiscal_code is not None


async def test_new_case_when_outside_the_window_closed_elsewhere_or_told_so(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    first = await report(new_report(), operator_id="op-1")
    clock.advance(timedelta(hours=73))
    late = await report(new_report(), operator_id="op-1")
    assert late.created

    told = await report(new_report(not_a_duplicate=True), operator_id="op-1")
    milano = await report(new_report(municipality="015146"), operator_id="op-1")
    other = await report(new_report(personal=OTHER_PERSON), operator_id="op-1")
    assert told.created
    assert milano.created
    assert other.created

    stored = repository.files[late.file.case_id]
    stored.case.close(outcome=CaseOutcome.PLACED, at=clock.now, operator_id="cm")
    repository.files[told.file.case_id].case.close(outcome=CaseOutcome.PLACED, at=clock.now, operator_id="cm")
    after_closing = await report(new_report(), operator_id="op-1")
    assert after_closing.created
    assert len(repository.files) == 6
    assert first.file.case_id != after_closing.file.case_id
