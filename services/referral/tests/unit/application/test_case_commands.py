"""Operator changes: scoped to the caller's municipalities, retried when another write got in first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lgnet_referral.application.case_commands import CaseCommands, FactsUpdate
from lgnet_referral.application.errors import CaseNotFoundError, ConcurrentUpdateError
from lgnet_referral.application.intake import ReportCase
from lgnet_referral.domain.case_status import CaseOutcome, CaseStatus
from lgnet_referral.domain.errors import CaseClosedError, OverrideError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.domain.vulnerability import Need

from .conftest import ROMA, FakeCaseRepository, FakeClock, new_report

SCOPE = frozenset({ROMA})


@pytest.fixture
def commands(repository: FakeCaseRepository, policies: PolicySet, clock: FakeClock) -> CaseCommands:
    return CaseCommands(repository, policies, clock=clock)


async def adult_needing_food(report: ReportCase) -> str:
    outcome = await report(
        new_report(household=Household(adults=1), factors=frozenset(), needs=frozenset({Need.FOOD})),
        operator_id="op-1",
    )
    return outcome.file.case_id


async def test_new_facts_retriage_and_publish_update_and_triage(
    report: ReportCase, commands: CaseCommands, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    case_id = await adult_needing_food(report)
    clock.advance(timedelta(minutes=30))

    file = await commands.update_facts(
        case_id, SCOPE, "op-2", FactsUpdate(needs=frozenset({Need.FOOD, Need.SHELTER_TONIGHT}))
    )

    assert file.case.priority is Priority.P2
    assert repository.events_of(case_id)[-2:] == ["case.updated", "case.triaged"]
    # Nothing new: nothing written, nothing published.
    await commands.update_facts(
        case_id, SCOPE, "op-2", FactsUpdate(needs=frozenset({Need.FOOD, Need.SHELTER_TONIGHT}))
    )
    assert len(repository.events_of(case_id)) == 4


async def test_a_new_location_reseals_personal_data_without_retriage(
    report: ReportCase, commands: CaseCommands, repository: FakeCaseRepository
) -> None:
    case_id = await adult_needing_food(report)
    await commands.update_facts(case_id, SCOPE, "op-2", FactsUpdate(location="Ostiense station"))

    stored = repository.files[case_id]
    assert stored.personal is not None
    assert stored.personal.location == "Ostiense station"
    assert stored.personal.phone == "+393331234567"
    assert repository.events_of(case_id) == ["case.reported", "case.triaged"]


async def test_another_municipality_is_not_found(report: ReportCase, commands: CaseCommands) -> None:
    case_id = await adult_needing_food(report)
    with pytest.raises(CaseNotFoundError):
        await commands.take_charge(case_id, frozenset({"015146"}), "op-milano")
    with pytest.raises(CaseNotFoundError):
        await commands.load("no-such-case", SCOPE)


async def test_a_lost_race_is_decided_again(
    report: ReportCase, commands: CaseCommands, repository: FakeCaseRepository
) -> None:
    case_id = await adult_needing_food(report)
    repository.conflicts_to_inject = 2
    file = await commands.override_priority(
        case_id, SCOPE, "cm-1", priority=Priority.P2, reason="Sleeping in a car with a newborn"
    )
    assert file.case.priority is Priority.P2
    assert repository.events_of(case_id)[-1] == "case.priority_overridden"

    repository.conflicts_to_inject = 99
    with pytest.raises(ConcurrentUpdateError):
        await commands.take_charge(case_id, SCOPE, "cm-1")


async def test_override_needs_a_reason_and_respects_floors(
    report: ReportCase, commands: CaseCommands
) -> None:
    case_id = (await report(new_report(), operator_id="op-1")).file.case_id  # a minor needing shelter: P1
    with pytest.raises(OverrideError, match="hard floor"):
        await commands.override_priority(
            case_id, SCOPE, "cm-1", priority=Priority.P3, reason="Relatives will host them tonight"
        )
    with pytest.raises(OverrideError, match="reason"):
        await commands.override_priority(case_id, SCOPE, "cm-1", priority=Priority.P1, reason="ok")


async def test_take_charge_meet_a_need_and_close(
    report: ReportCase, commands: CaseCommands, repository: FakeCaseRepository
) -> None:
    case_id = await adult_needing_food(report)
    await commands.take_charge(case_id, SCOPE, "cm-1")
    file = await commands.mark_need_met(case_id, SCOPE, "cm-1", Need.FOOD)
    assert (file.case.status, file.case.open_needs) == (CaseStatus.IN_PROGRESS, ())
    await commands.close(case_id, SCOPE, "cm-1", outcome=CaseOutcome.NO_LONGER_NEEDED)

    assert repository.events_of(case_id)[-3:] == ["case.taken_in_charge", "case.need_met", "case.closed"]
    with pytest.raises(CaseClosedError):
        await commands.update_facts(case_id, SCOPE, "op-1", FactsUpdate(needs=frozenset({Need.LEGAL})))
