"""Domain events -> contract events (``lgnet_contracts.events.cases``) in their envelopes.

What leaves the service is minimised: special-category factors (GDPR art. 9) appear in the
published breakdown only as one ``protected`` line with their points; pregnancy is never in
the published household; the contact travels sealed, and only with consent to be contacted.
Domain events no other service acts on (taken in charge, need met, duplicate linked) stay
on the timeline and are not published.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.events import cases as contract
from lgnet_contracts.types import Gender
from lgnet_contracts.types import Need as ContractNeed
from lgnet_contracts.types import Priority as ContractPriority
from lgnet_referral.adapters.personal_seal import ContactSeal
from lgnet_referral.application.case_file import CaseFile, Erasure
from lgnet_referral.domain import events as domain
from lgnet_referral.domain.override import PriorityOverride
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage import ContributionKind, TriageResult
from lgnet_referral.domain.vulnerability import SPECIAL_CATEGORY_FACTORS, Need

PRODUCER = "referral"
PROTECTED = "protected"
_SPECIAL = frozenset(str(f) for f in SPECIAL_CATEGORY_FACTORS)


class ContractEvents:
    def __init__(self, seal: ContactSeal) -> None:
        self._seal = seal

    def envelopes(self, file: CaseFile, events: Sequence[domain.CaseEvent]) -> list[Envelope[Any]]:
        """One correlation id for the events of one decision; each caused by the one before."""
        correlation = uuid.uuid4()
        out: list[Envelope[Any]] = []
        for event in events:
            payload = self.payload(file, event)
            if payload is None:
                continue
            out.append(
                new_event(
                    payload,
                    producer=PRODUCER,
                    municipality=file.municipality,
                    case_id=file.case_id,
                    correlation_id=correlation,
                    causation=out[-1] if out else None,
                    occurred_at=event.occurred_at,
                )
            )
        return out

    def erased(self, file: CaseFile, erasure: Erasure) -> Envelope[contract.CaseErased]:
        """The one event of an erasure: when, by whom, why (a code); nothing about the person."""
        return new_event(
            contract.CaseErased(
                erased_at=erasure.erased_at, erased_by=erasure.erased_by, reason=erasure.reason
            ),
            producer=PRODUCER,
            municipality=file.municipality,
            case_id=file.case_id,
            occurred_at=erasure.erased_at,
        )

    def payload(self, file: CaseFile, event: domain.CaseEvent) -> EventPayload | None:
        match event:
            case domain.CaseReported():
                return self._reported(file, event)
            case domain.CaseTriaged():
                # New facts re-triaged the case but an override still decides its priority.
                kept = file.case.override if event.effective_priority != event.result.priority else None
                return _triaged(
                    file,
                    event.result,
                    event.effective_priority,
                    event.effective_deadline,
                    _override(kept) if kept else None,
                )
            case domain.PriorityOverridden():
                o = event.override
                return _triaged(file, o.original, o.priority, o.sla_deadline, _override(o))
            case domain.CaseUpdated():
                return contract.CaseUpdated(
                    changed=list(event.changed),
                    updated_by=event.operator_id,
                    needs=_needs(event.needs),
                    household=household(file),
                )
            case domain.CaseClosed():
                return contract.CaseClosed(
                    outcome=contract.CaseOutcome(event.outcome),
                    closed_by=event.operator_id,
                    closed_at=event.occurred_at,
                )
            case domain.SlaBreached():
                return contract.SlaBreached(
                    priority=ContractPriority(event.priority),
                    deadline=event.deadline,
                    detected_at=event.occurred_at,
                    unmet_needs=_needs(event.open_needs),
                )
            case _:
                return None

    def _reported(self, file: CaseFile, event: domain.CaseReported) -> contract.CaseReported:
        profile = file.profile
        contact = None
        if profile.consent.contact and file.personal is not None:
            contact = self._seal.seal_contact(
                file.personal, language=profile.preferred_language, case_id=file.case_id
            )
        return contract.CaseReported(
            reported_at=event.occurred_at,
            reported_by=event.operator_id,
            household=household(file),
            needs=_needs(event.needs),
            consent=contract.Consent(
                contact=profile.consent.contact,
                data_processing=profile.consent.data_processing,
                recorded_at=profile.consent.recorded_at,
                recorded_by=profile.consent.recorded_by,
            ),
            contact=contact,
            preferred_language=profile.preferred_language,
        )


def household(file: CaseFile) -> contract.Household:
    h = file.case.household
    genders = list(file.profile.adult_genders)[: h.adults]
    # An adult whose gender was not recorded travels as "other", never dropped from the count.
    genders += [Gender.OTHER] * (h.adults - len(genders))
    return contract.Household(
        adults=genders,
        minors_ages=list(h.minor_ages),
        unaccompanied_minor=h.is_unaccompanied_minor,
    )


def published_breakdown(result: TriageResult) -> list[contract.ScoreContribution]:
    """The breakdown with every special-category factor folded into one unnamed line."""
    lines: list[contract.ScoreContribution] = []
    protected = 0
    for item in result.breakdown:
        if item.kind is ContributionKind.VULNERABILITY and item.factor in _SPECIAL:
            protected += item.points
            continue
        lines.append(contract.ScoreContribution(factor=item.factor, points=item.points, reason=item.reason))
    if protected:
        # Summed, not one line each: distinct weights would otherwise tell which factor it was.
        lines.append(
            contract.ScoreContribution(
                factor=PROTECTED,
                points=protected,
                reason=f"Protected factors (special-category data, kept by the referral service): "
                f"+{protected} points",
            )
        )
    return lines


def _triaged(
    file: CaseFile,
    result: TriageResult,
    priority: Priority,
    deadline: datetime,
    override: contract.PriorityOverride | None,
) -> contract.CaseTriaged:
    h = file.case.household
    housing = None
    if Need.SHELTER_TONIGHT in result.needs:
        housing = contract.HousingRequirements(
            household=household(file),
            accessible_bed=file.profile.accessible_bed,
            language=file.profile.preferred_language,
        )
    return contract.CaseTriaged(
        priority=ContractPriority(priority),
        score=result.score,
        breakdown=published_breakdown(result),
        needs=_needs(result.needs),
        sla_deadline=deadline,
        policy_version=result.policy_version[:32],
        housing=housing,
        household_size=h.size,
        override=override,
        reported_at=result.reported_at,
    )


def _override(o: PriorityOverride) -> contract.PriorityOverride:
    return contract.PriorityOverride(
        original_priority=ContractPriority(o.original.priority),
        overridden_by=o.operator_id,
        reason=o.reason[:500],
    )


def _needs(needs: Sequence[Need] | frozenset[Need]) -> list[ContractNeed]:
    return [ContractNeed(n) for n in Need if n in needs]
