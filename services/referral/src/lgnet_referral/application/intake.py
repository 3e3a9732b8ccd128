"""Report an urgent case: triage it at once, or link it to the case already open for the person.

A report sent with an Idempotency-Key is answered once: a retry with the same key (a client that
timed out and sent again) gets the first answer back, whether that opened a case or linked one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta

from lgnet_contracts.types import Gender
from lgnet_referral.application.case_file import CaseFile, CaseProfile, Consent, PersonalData
from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.errors import ConcurrentUpdateError
from lgnet_referral.application.ports import CaseRepository, SaveOutcome
from lgnet_referral.domain.case import Case
from lgnet_referral.domain.duplicates import DuplicateMatch, LookupKeys, find_duplicate, lookup_keys
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.idempotency import KeyedReport, key_id, remember, report_fingerprint
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

MAX_LINK_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class NewReport:
    municipality: str
    household: Household
    adult_genders: tuple[Gender, ...]
    factors: frozenset[VulnerabilityFactor]
    needs: frozenset[Need]
    personal: PersonalData
    preferred_language: str = "it"
    accessible_bed: bool = False
    consent_to_contact: bool = False
    consent_to_data_processing: bool = False
    # The operator knows this is another person (e.g. a volunteer's phone reporting a second family).
    not_a_duplicate: bool = False


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    file: CaseFile
    # None: a new case was opened; otherwise the report was linked to ``file``, an existing case.
    duplicate: DuplicateMatch | None = None
    # The same key and report were answered before: this is that answer again, nothing was written.
    replayed: bool = False

    @property
    def created(self) -> bool:
        return self.duplicate is None


class ReportCase:
    def __init__(
        self,
        repository: CaseRepository,
        policies: PolicySet,
        *,
        pepper: bytes,
        duplicate_window: timedelta,
        clock: Clock = utc_now,
        new_case_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._repository = repository
        self._policies = policies
        self._pepper = pepper
        self._window = duplicate_window
        self._clock = clock
        self._new_case_id = new_case_id

    async def __call__(
        self, report: NewReport, *, operator_id: str, idempotency_key: str | None = None
    ) -> ReportOutcome:
        keyed = None
        if idempotency_key is not None:
            keyed = KeyedReport(
                key_id(operator_id, idempotency_key), report_fingerprint(self._pepper, _canonical(report))
            )
            # Looked for first: the duplicate check would take the case this key opened for another one.
            opened = await self._repository.get(keyed.key_id)
            if opened is not None:
                return _replay_opening(opened, keyed)
        now = self._clock()
        keys = lookup_keys(report.personal.identity(), self._pepper)
        if not keys.is_empty and not report.not_a_duplicate:
            linked = await self._link_to_existing(report.municipality, keys, now, operator_id, keyed)
            if linked is not None:
                return linked
        case_id = keyed.key_id if keyed is not None else self._new_case_id()
        case, events = Case.report(
            case_id=case_id,
            municipality=report.municipality,
            household=report.household,
            factors=report.factors,
            needs=report.needs,
            policy=self._policies.for_municipality(report.municipality),
            reported_at=now,
            operator_id=operator_id,
        )
        consent = Consent(
            contact=report.consent_to_contact,
            data_processing=report.consent_to_data_processing,
            recorded_at=now,
            recorded_by=operator_id,
        )
        profile = CaseProfile(
            adult_genders=report.adult_genders,
            preferred_language=report.preferred_language,
            accessible_bed=report.accessible_bed,
            consent=consent,
        )
        file = CaseFile(
            case=case,
            profile=profile,
            lookup=keys,
            personal=report.personal,
            personal_changed=True,
            opened_with=keyed,
        )
        outcome = await self._repository.add(file, events)
        if outcome is SaveOutcome.SAVED:
            return ReportOutcome(file)
        if keyed is None:
            # Case ids are fresh UUIDs: a collision is a bug, never a normal outcome.
            raise RuntimeError(f"case {case_id} could not be created: {outcome}")
        # A request with the same key got there first (a retry racing the original): theirs is the answer.
        opened = await self._repository.get(case_id)
        if opened is None:  # pragma: no cover - cases are never deleted
            raise ConcurrentUpdateError(f"case {case_id} could not be created; try again")
        return _replay_opening(opened, keyed)

    async def _link_to_existing(
        self,
        municipality: str,
        keys: LookupKeys,
        now: datetime,
        operator_id: str,
        keyed: KeyedReport | None,
    ) -> ReportOutcome | None:
        candidates = await self._repository.duplicate_candidates(municipality, keys, now - self._window)
        match = find_duplicate(keys, now, candidates, window=self._window)
        if match is None:
            return None
        for _ in range(MAX_LINK_ATTEMPTS):
            file = await self._repository.get(match.case_id)
            if file is not None and keyed is not None:
                # This key's report was linked here already, or opened this very case while we looked.
                replayed = _replay_link(file, keyed, match)
                if replayed is not None:
                    return replayed
            # Closed meanwhile: the person needs help again, so this is a new case.
            if file is None or file.case.is_closed:
                return None
            events = file.case.link_duplicate_report(
                at=now, operator_id=operator_id, explanation=match.explanation
            )
            file.linked_reports += 1
            # Keys the earlier report lacked (a fiscal code found later) help the next match.
            file.lookup = _merge(file.lookup, keys)
            if keyed is not None:
                file.linked_keys = remember(file.linked_keys, keyed)
            if await self._repository.save(file, events) is SaveOutcome.SAVED:
                return ReportOutcome(file, duplicate=match)
        # The existing case keeps changing: better a second case than a lost report.
        return None


def _replay_opening(file: CaseFile, keyed: KeyedReport) -> ReportOutcome:
    """The answer to the report that opened ``file`` with this key; another report is refused."""
    keyed.require_retry_of(file.opened_with)
    return ReportOutcome(file, replayed=True)


def _replay_link(file: CaseFile, keyed: KeyedReport, match: DuplicateMatch) -> ReportOutcome | None:
    """The earlier answer ``file`` gave to this key, or None if it never saw the key."""
    if file.case_id == keyed.key_id:
        return _replay_opening(file, keyed)
    earlier = file.linked_report(keyed.key_id)
    if earlier is None:
        return None
    keyed.require_retry_of(earlier)
    return ReportOutcome(file, duplicate=match, replayed=True)


def _canonical(report: NewReport) -> str:
    """Every field of the report in one fixed form (sets sorted), so equal reports give equal text."""
    return json.dumps(asdict(report), sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a report field of type {type(value).__name__} has no canonical form")


def _merge(existing: LookupKeys, new: LookupKeys) -> LookupKeys:
    return replace(
        existing,
        phone=existing.phone or new.phone,
        fiscal_code=existing.fiscal_code or new.fiscal_code,
        name_and_birth_date=existing.name_and_birth_date or new.name_and_birth_date,
    )
