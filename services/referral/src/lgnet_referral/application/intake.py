"""Report an urgent case: triage it at once, or link it to the case already open for the person."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from lgnet_contracts.types import Gender
from lgnet_referral.application.case_file import CaseFile, CaseProfile, Consent, PersonalData
from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.ports import CaseRepository, SaveOutcome
from lgnet_referral.domain.case import Case
from lgnet_referral.domain.duplicates import DuplicateMatch, LookupKeys, find_duplicate, lookup_keys
from lgnet_referral.domain.household import Household
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

    async def __call__(self, report: NewReport, *, operator_id: str) -> ReportOutcome:
        now = self._clock()
        keys = lookup_keys(report.personal.identity(), self._pepper)
        if not keys.is_empty and not report.not_a_duplicate:
            linked = await self._link_to_existing(report.municipality, keys, now, operator_id)
            if linked is not None:
                return linked
        case, events = Case.report(
            case_id=self._new_case_id(),
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
            case=case, profile=profile, lookup=keys, personal=report.personal, personal_changed=True
        )
        await self._repository.add(file, events)
        return ReportOutcome(file)

    async def _link_to_existing(
        self, municipality: str, keys: LookupKeys, now: datetime, operator_id: str
    ) -> ReportOutcome | None:
        candidates = await self._repository.duplicate_candidates(municipality, keys, now - self._window)
        match = find_duplicate(keys, now, candidates, window=self._window)
        if match is None:
            return None
        for _ in range(MAX_LINK_ATTEMPTS):
            file = await self._repository.get(match.case_id)
            # Closed meanwhile: the person needs help again, so this is a new case.
            if file is None or file.case.is_closed:
                return None
            events = file.case.link_duplicate_report(
                at=now, operator_id=operator_id, explanation=match.explanation
            )
            file.linked_reports += 1
            # Keys the earlier report lacked (a fiscal code found later) help the next match.
            file.lookup = _merge(file.lookup, keys)
            if await self._repository.save(file, events) is SaveOutcome.SAVED:
                return ReportOutcome(file, duplicate=match)
        # The existing case keeps changing: better a second case than a lost report.
        return None


def _merge(existing: LookupKeys, new: LookupKeys) -> LookupKeys:
    return replace(
        existing,
        phone=existing.phone or new.phone,
        fiscal_code=existing.fiscal_code or new.fiscal_code,
        name_and_birth_date=existing.name_and_birth_date or new.name_and_birth_date,
    )
