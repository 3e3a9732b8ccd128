"""The watchdog's sweep: a breach once per (priority, deadline), however many watchdogs sweep."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from lgnet_referral.application.case_commands import CaseCommands
from lgnet_referral.application.case_file import PersonalData
from lgnet_referral.application.intake import ReportCase
from lgnet_referral.application.sla_watchdog import SlaWatchdog
from lgnet_referral.domain.case_status import CaseStatus
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.domain.vulnerability import Need

from .conftest import ROMA, FakeCaseRepository, FakeClock, new_report

H = timedelta(hours=1)


async def test_a_late_case_breaches_once(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    case_id = (await report(new_report(), operator_id="op-1")).file.case_id  # P1: 4 hours
    watchdog = SlaWatchdog(repository, clock=clock)

    clock.advance(4 * H)
    assert (await watchdog.sweep()).breached == ()  # exactly at the deadline is not late yet
    clock.advance(timedelta(milliseconds=1))
    assert (await watchdog.sweep()).breached == (case_id,)
    assert (await watchdog.sweep()).checked == 0

    file = repository.files[case_id]
    assert file.case.status is CaseStatus.ESCALATED
    assert repository.events_of(case_id).count("case.sla_breached") == 1


async def test_competing_watchdogs_publish_one_breach(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    case_id = (await report(new_report(), operator_id="op-1")).file.case_id
    watchdogs = [SlaWatchdog(repository, clock=clock) for _ in range(3)]
    clock.advance(5 * H)

    reports = await asyncio.gather(*(w.sweep() for w in watchdogs * 3))

    assert sum(len(r.breached) for r in reports) == 1
    assert repository.events_of(case_id).count("case.sla_breached") == 1


async def test_a_met_need_is_never_late(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock, policies: PolicySet
) -> None:
    commands = CaseCommands(repository, policies, clock=clock)
    met = (await report(new_report(), operator_id="op-1")).file.case_id
    await commands.mark_need_met(met, frozenset({ROMA}), "op-1", Need.SHELTER_TONIGHT)
    other_person = PersonalData(phone="+393470000001")
    late = (await report(new_report(personal=other_person), operator_id="op-1")).file.case_id
    watchdog = SlaWatchdog(repository, clock=clock)

    clock.advance(5 * H)
    assert (await watchdog.sweep()).breached == (late,)
    stored = repository.files[late]
    assert stored.case.has_breach_for(Priority.P1, stored.case.sla_deadline)
    assert repository.events_of(met).count("case.sla_breached") == 0
