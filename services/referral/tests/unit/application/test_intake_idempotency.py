"""Reports sent with an Idempotency-Key: a retry gets the first answer, and nothing is written twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lgnet_contracts.events.cases import ErasureReason
from lgnet_referral.application.case_file import Erasure, PersonalData
from lgnet_referral.application.intake import ReportCase, ReportOutcome
from lgnet_referral.domain.errors import IdempotencyKeyReusedError, InvalidIdempotencyKeyError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.idempotency import KEY_RULE, MAX_REMEMBERED_KEYS, key_id
from lgnet_referral.domain.triage_policy import PolicySet

from .conftest import PEPPER, FakeCaseRepository, FakeClock, new_report

KEY = "0b6f6c1e-5b7a-4d0e-9a43-2f1c7d9e8a10"
ANONYMOUS = PersonalData(location="Termini")


def written(repository: FakeCaseRepository) -> tuple[int, int]:
    """(cases, events) the repository holds, to show a retry added neither."""
    return len(repository.files), sum(len(events) for events in repository.published.values())


async def test_a_retry_gets_the_first_answer_and_writes_nothing(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    first = await report(new_report(), operator_id="op-1", idempotency_key=KEY)
    before = written(repository)
    clock.advance(timedelta(minutes=2))

    again = await report(new_report(), operator_id="op-1", idempotency_key=KEY)

    assert (first.created, first.replayed) == (True, False)
    assert first.file.case_id == key_id("op-1", KEY)
    assert (again.created, again.replayed, again.duplicate) == (True, True, None)
    assert again.file.case_id == first.file.case_id
    assert written(repository) == before
    stored = repository.files[first.file.case_id]
    assert stored.linked_reports == 0
    assert [e.event_type for e in stored.case.timeline].count("case.duplicate_report_linked") == 0


async def test_the_same_key_with_another_report_is_refused(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    await report(new_report(), operator_id="op-1", idempotency_key=KEY)
    before = written(repository)

    for changed in (
        new_report(needs=frozenset()),
        new_report(municipality="015146"),
        new_report(personal=PersonalData(given_name="Amina", phone="+393331234567", location="Tiburtina")),
        new_report(household=Household(adults=1, minor_ages=(4, 9))),
    ):
        with pytest.raises(IdempotencyKeyReusedError, match="already used for a different report"):
            await report(changed, operator_id="op-1", idempotency_key=KEY)
    assert written(repository) == before


async def test_keys_are_per_operator_and_without_a_key_nothing_changes(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    mine = await report(new_report(personal=ANONYMOUS), operator_id="op-1", idempotency_key=KEY)
    theirs = await report(new_report(personal=ANONYMOUS), operator_id="op-2", idempotency_key=KEY)
    keyless = await report(new_report(personal=ANONYMOUS), operator_id="op-1")

    assert (mine.created, theirs.created, keyless.created) == (True, True, True)
    assert len({mine.file.case_id, theirs.file.case_id, keyless.file.case_id}) == 3
    assert keyless.file.opened_with is None
    assert len(repository.files) == 3


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space-in-it", "line\nbreak1", "ünïcödé-key", ""])
async def test_a_malformed_key_is_refused_and_nothing_is_written(
    report: ReportCase, repository: FakeCaseRepository, bad: str
) -> None:
    with pytest.raises(InvalidIdempotencyKeyError) as refused:
        await report(new_report(), operator_id="op-1", idempotency_key=bad)
    assert str(refused.value) == KEY_RULE
    assert repository.files == {}


async def test_a_retry_after_the_person_was_erased_cannot_be_confirmed(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    first = await report(new_report(), operator_id="op-1", idempotency_key=KEY)
    # What the store keeps of an erased case: no personal data, no fingerprint of the report.
    stored = repository.files[first.file.case_id]
    stored.erasure = Erasure(erased_at=clock.now, erased_by="cm-1", reason=ErasureReason.DATA_SUBJECT_REQUEST)
    stored.personal, stored.opened_with = None, None

    with pytest.raises(IdempotencyKeyReusedError):
        await report(new_report(), operator_id="op-1", idempotency_key=KEY)
    assert len(repository.files) == 1


async def test_a_linked_report_retried_is_not_linked_again(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    existing = await report(new_report(), operator_id="op-1")
    clock.advance(timedelta(hours=1))
    linked = await report(new_report(), operator_id="op-2", idempotency_key=KEY)
    before = written(repository)
    clock.advance(timedelta(minutes=1))

    again = await report(new_report(), operator_id="op-2", idempotency_key=KEY)

    assert linked.duplicate is not None
    assert not linked.replayed
    assert (again.created, again.replayed) == (False, True)
    assert again.duplicate is not None
    assert again.file.case_id == linked.file.case_id == existing.file.case_id
    assert written(repository) == before
    assert repository.files[existing.file.case_id].linked_reports == 1
    with pytest.raises(IdempotencyKeyReusedError):
        await report(new_report(preferred_language="ar"), operator_id="op-2", idempotency_key=KEY)


async def test_a_case_remembers_only_the_latest_linked_keys(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    existing = await report(new_report(), operator_id="op-1")
    for n in range(MAX_REMEMBERED_KEYS + 2):
        await report(new_report(), operator_id="op-1", idempotency_key=f"linked-key-{n:03}")

    stored = repository.files[existing.file.case_id]
    assert len(stored.linked_keys) == MAX_REMEMBERED_KEYS
    assert stored.linked_keys[-1].key_id == key_id("op-1", f"linked-key-{MAX_REMEMBERED_KEYS + 1:03}")
    assert stored.linked_report(key_id("op-1", "linked-key-000")) is None


async def test_a_retry_that_loses_the_race_to_insert_answers_from_the_winner(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    """Both requests looked before either wrote: the second insert collides on the derived id."""
    first: list[ReportOutcome] = []

    async def original() -> None:
        first.append(await report(new_report(personal=ANONYMOUS), operator_id="op-1", idempotency_key=KEY))

    repository.meanwhile["add"] = original
    retry = await report(new_report(personal=ANONYMOUS), operator_id="op-1", idempotency_key=KEY)

    assert (first[0].created, first[0].replayed) == (True, False)
    assert (retry.created, retry.replayed) == (True, True)
    assert retry.file.case_id == first[0].file.case_id
    assert list(repository.files) == [first[0].file.case_id]
    assert repository.events_of(retry.file.case_id) == ["case.reported", "case.triaged"]


async def test_a_losing_insert_with_another_report_is_refused(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    async def other_report() -> None:
        await report(new_report(personal=ANONYMOUS), operator_id="op-1", idempotency_key=KEY)

    repository.meanwhile["add"] = other_report
    different = new_report(personal=PersonalData(location="Ostiense"))
    with pytest.raises(IdempotencyKeyReusedError):
        await report(different, operator_id="op-1", idempotency_key=KEY)
    assert len(repository.files) == 1


async def test_a_racing_original_found_by_the_duplicate_check_is_not_linked(
    report: ReportCase, repository: FakeCaseRepository
) -> None:
    """The original wrote between the retry's look-up by id and its duplicate check."""
    first: list[ReportOutcome] = []

    async def original() -> None:
        first.append(await report(new_report(), operator_id="op-1", idempotency_key=KEY))

    repository.meanwhile["duplicate_candidates"] = original
    retry = await report(new_report(), operator_id="op-1", idempotency_key=KEY)

    assert (retry.created, retry.replayed, retry.duplicate) == (True, True, None)
    assert retry.file.case_id == first[0].file.case_id
    assert repository.files[retry.file.case_id].linked_reports == 0
    assert repository.events_of(retry.file.case_id) == ["case.reported", "case.triaged"]


async def test_two_retries_racing_to_link_link_once(
    report: ReportCase, repository: FakeCaseRepository, clock: FakeClock
) -> None:
    """The loser's save conflicts; on loading the case again it finds its key linked already."""
    existing = await report(new_report(), operator_id="op-1")
    clock.advance(timedelta(hours=1))
    first: list[ReportOutcome] = []

    async def original() -> None:
        first.append(await report(new_report(), operator_id="op-2", idempotency_key=KEY))

    repository.meanwhile["save"] = original
    retry = await report(new_report(), operator_id="op-2", idempotency_key=KEY)

    assert (first[0].created, first[0].replayed) == (False, False)
    assert (retry.created, retry.replayed) == (False, True)
    assert retry.file.case_id == existing.file.case_id
    assert repository.files[existing.file.case_id].linked_reports == 1
    assert repository.events_of(existing.file.case_id).count("case.duplicate_report_linked") == 1


async def test_a_fresh_id_that_collides_is_still_a_bug(
    repository: FakeCaseRepository, policies: PolicySet, clock: FakeClock
) -> None:
    same_id = ReportCase(
        repository,
        policies,
        pepper=PEPPER,
        duplicate_window=timedelta(hours=72),
        clock=clock,
        new_case_id=lambda: "case-1",
    )
    await same_id(new_report(personal=ANONYMOUS), operator_id="op-1")
    with pytest.raises(RuntimeError, match="could not be created"):
        await same_id(new_report(personal=ANONYMOUS), operator_id="op-1")
