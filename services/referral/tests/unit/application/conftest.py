"""In-memory fakes of the application's ports, and a clock the tests move by hand."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import pytest

from lgnet_contracts.types import Gender
from lgnet_referral.application.case_file import CaseFile, PersonalData
from lgnet_referral.application.intake import NewReport, ReportCase
from lgnet_referral.application.ports import SaveOutcome
from lgnet_referral.domain.duplicates import DuplicateCandidate, LookupKeys, MatchKey
from lgnet_referral.domain.events import CaseEvent
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.sla import next_check_at
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

from ..conftest import T0, read_policy_set

ROMA = "058091"
PEPPER = b"unit-test-pepper-0123456789"


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FakeCaseRepository:
    """Stores copies, so a use case that forgets to save changes nothing, as with a real store."""

    def __init__(self) -> None:
        self.files: dict[str, CaseFile] = {}
        self.published: dict[str, list[CaseEvent]] = {}
        self.handled: dict[str, set[str]] = {}
        # Make the next N saves lose a race, as if another instance had written first.
        self.conflicts_to_inject = 0
        # Run once just before the named call ("add", "save", "duplicate_candidates") goes on, as if
        # another request had got in between.
        self.meanwhile: dict[str, Callable[[], Awaitable[object]]] = {}

    async def _interleave(self, call: str) -> None:
        other = self.meanwhile.pop(call, None)
        if other is not None:
            await other()

    async def add(self, file: CaseFile, events: Sequence[CaseEvent]) -> SaveOutcome:
        await self._interleave("add")
        if file.case_id in self.files:
            return SaveOutcome.CONFLICT
        file.case.version = 1
        self.files[file.case_id] = copy.deepcopy(file)
        self.published[file.case_id] = list(events)
        self.handled[file.case_id] = set()
        return SaveOutcome.SAVED

    async def get(self, case_id: str, *, open_personal: bool = False) -> CaseFile | None:
        stored = self.files.get(case_id)
        if stored is None:
            return None
        file = copy.deepcopy(stored)
        if not open_personal:
            file.personal = None
        return file

    async def save(
        self, file: CaseFile, events: Sequence[CaseEvent], *, handled: str | None = None
    ) -> SaveOutcome:
        await self._interleave("save")
        stored = self.files.get(file.case_id)
        if stored is None:
            return SaveOutcome.NOT_FOUND
        if handled is not None and handled in self.handled[file.case_id]:
            return SaveOutcome.ALREADY_HANDLED
        if self.conflicts_to_inject:
            self.conflicts_to_inject -= 1
            stored.case.version += 1
            return SaveOutcome.CONFLICT
        if stored.case.version != file.case.version:
            return SaveOutcome.CONFLICT
        file.case.version += 1
        kept = copy.deepcopy(file)
        if kept.personal is None:
            kept.personal = stored.personal  # not opened means not changed
        self.files[file.case_id] = kept
        self.published[file.case_id].extend(events)
        if handled is not None:
            self.handled[file.case_id].add(handled)
        return SaveOutcome.SAVED

    async def duplicate_candidates(
        self, municipality: str, keys: LookupKeys, since: datetime
    ) -> Sequence[DuplicateCandidate]:
        await self._interleave("duplicate_candidates")
        return [
            DuplicateCandidate(f.case_id, f.case.reported_at, f.lookup)
            for f in self.files.values()
            if f.municipality == municipality
            and f.case.reported_at >= since
            and not f.case.is_closed
            and any(keys.get(k) is not None and keys.get(k) == f.lookup.get(k) for k in MatchKey)
        ]

    async def due_for_sla_check(self, now: datetime, limit: int) -> Sequence[str]:
        due = [(at, f.case_id) for f in self.files.values() if (at := next_check_at(f.case)) and at < now]
        return [case_id for _, case_id in sorted(due)[:limit]]

    def events_of(self, case_id: str) -> list[str]:
        return [e.event_type for e in self.published[case_id]]


def new_report(**overrides: object) -> NewReport:
    values: dict[str, object] = {
        "municipality": ROMA,
        "household": Household(adults=1, minor_ages=(4,)),
        "adult_genders": (Gender.FEMALE,),
        "factors": frozenset({VulnerabilityFactor.SINGLE_PARENT_WITH_MINORS}),
        "needs": frozenset({Need.SHELTER_TONIGHT}),
        "personal": PersonalData(
            given_name="Amina",
            family_name="Diallo",
            birth_date=None,
            phone="+393331234567",
            location="Termini",
        ),
        "preferred_language": "fr",
        "consent_to_contact": True,
        "consent_to_data_processing": True,
    }
    values.update(overrides)
    return NewReport(**values)  # type: ignore[arg-type]


@pytest.fixture
def policies() -> PolicySet:
    return read_policy_set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> FakeCaseRepository:
    return FakeCaseRepository()


@pytest.fixture
def report(repository: FakeCaseRepository, policies: PolicySet, clock: FakeClock) -> ReportCase:
    ids = iter(f"case-{n}" for n in range(1, 100))
    return ReportCase(
        repository,
        policies,
        pepper=PEPPER,
        duplicate_window=timedelta(hours=72),
        clock=clock,
        new_case_id=lambda: next(ids),
    )
