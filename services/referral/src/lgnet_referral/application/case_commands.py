"""Changes operators make to a case: new facts, priority override, take in charge, need met, close.

Each is load -> decide (domain) -> save with the events, guarded by the version the case was
loaded at; when someone else wrote in between, the decision is made again on the fresh case.
A case outside the caller's municipalities is "not found", never "forbidden".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from lgnet_contracts.types import Gender
from lgnet_referral.application.case_file import CaseFile
from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.errors import CaseNotFoundError, ConcurrentUpdateError
from lgnet_referral.application.ports import CaseRepository, SaveOutcome
from lgnet_referral.domain.case_status import CaseOutcome
from lgnet_referral.domain.events import CaseEvent
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

MAX_ATTEMPTS = 5

# What a decision did: the events to publish, and whether anything must be written at all.
Decision = tuple[Sequence[CaseEvent], bool]


@dataclass(frozen=True, slots=True)
class FactsUpdate:
    """Only the fields given change; the rest stay as they are."""

    household: Household | None = None
    adult_genders: tuple[Gender, ...] | None = None
    accessible_bed: bool | None = None
    factors: frozenset[VulnerabilityFactor] | None = None
    needs: frozenset[Need] | None = None
    location: str | None = None
    notes: str | None = None

    @property
    def touches_personal(self) -> bool:
        return self.location is not None or self.notes is not None


class CaseCommands:
    def __init__(self, repository: CaseRepository, policies: PolicySet, *, clock: Clock = utc_now) -> None:
        self._repository = repository
        self._policies = policies
        self._clock = clock

    async def load(self, case_id: str, scope: frozenset[str], *, open_personal: bool = False) -> CaseFile:
        file = await self._repository.get(case_id, open_personal=open_personal)
        if file is None or file.municipality not in scope:
            raise CaseNotFoundError(case_id)
        return file

    async def update_facts(
        self, case_id: str, scope: frozenset[str], operator_id: str, update: FactsUpdate
    ) -> CaseFile:
        def decide(file: CaseFile, now: datetime) -> Decision:
            profile = file.profile
            new_profile = replace(
                profile,
                adult_genders=profile.adult_genders if update.adult_genders is None else update.adult_genders,
                accessible_bed=profile.accessible_bed
                if update.accessible_bed is None
                else update.accessible_bed,
            )
            changed = new_profile != profile
            file.profile = new_profile
            if update.touches_personal and file.personal is not None:
                personal = replace(
                    file.personal,
                    location=file.personal.location if update.location is None else update.location,
                    notes=file.personal.notes if update.notes is None else update.notes,
                )
                if personal != file.personal:
                    file.personal, file.personal_changed, changed = personal, True, True
            events = file.case.update_facts(
                policy=self._policies.for_municipality(file.municipality),
                at=now,
                operator_id=operator_id,
                household=update.household,
                factors=update.factors,
                needs=update.needs,
            )
            return events, changed or bool(events)

        return await self._change(case_id, scope, decide, open_personal=update.touches_personal)

    async def override_priority(
        self, case_id: str, scope: frozenset[str], operator_id: str, *, priority: Priority, reason: str
    ) -> CaseFile:
        def decide(file: CaseFile, now: datetime) -> Decision:
            events = file.case.override_priority(
                priority=priority,
                reason=reason,
                operator_id=operator_id,
                at=now,
                policy=self._policies.for_municipality(file.municipality),
            )
            return events, True

        return await self._change(case_id, scope, decide)

    async def take_charge(self, case_id: str, scope: frozenset[str], operator_id: str) -> CaseFile:
        return await self._change(
            case_id, scope, lambda file, now: (file.case.take_charge(at=now, by=operator_id), True)
        )

    async def mark_need_met(
        self, case_id: str, scope: frozenset[str], operator_id: str, need: Need
    ) -> CaseFile:
        def decide(file: CaseFile, now: datetime) -> Decision:
            events = file.case.mark_need_met(need=need, at=now, operator_id=operator_id)
            return events, bool(events)

        return await self._change(case_id, scope, decide)

    async def close(
        self,
        case_id: str,
        scope: frozenset[str],
        operator_id: str,
        *,
        outcome: CaseOutcome,
        duplicate_of: str | None = None,
    ) -> CaseFile:
        def decide(file: CaseFile, now: datetime) -> Decision:
            return file.case.close(
                outcome=outcome, at=now, operator_id=operator_id, duplicate_of=duplicate_of
            ), True

        return await self._change(case_id, scope, decide)

    async def _change(
        self,
        case_id: str,
        scope: frozenset[str],
        decide: Callable[[CaseFile, datetime], Decision],
        *,
        open_personal: bool = False,
    ) -> CaseFile:
        for _ in range(MAX_ATTEMPTS):
            file = await self.load(case_id, scope, open_personal=open_personal)
            events, changed = decide(file, self._clock())
            if not changed:
                return file
            outcome = await self._repository.save(file, events)
            if outcome is SaveOutcome.SAVED:
                return file
            if outcome is SaveOutcome.NOT_FOUND:
                raise CaseNotFoundError(case_id)
        raise ConcurrentUpdateError(f"case {case_id} kept changing; try again")
