"""Events of the referral service: the case from the hotline call to its closing."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.sealed import Sealed
from lgnet_contracts.topics import CASES
from lgnet_contracts.types import ActorId, Gender, LanguageCode, Need, Priority, ShortText, UtcDatetime


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Household(_Part):
    """Composition only: enough to find beds that keep a family together."""

    adults: list[Gender] = Field(max_length=20)
    minors_ages: list[Annotated[int, Field(ge=0, le=17)]] = Field(default_factory=list, max_length=20)
    unaccompanied_minor: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "Household":
        # The same facts every service's domain insists on, refused at the edge of the contract.
        if not self.adults and not self.minors_ages:
            raise ValueError("a household has at least one person")
        if self.unaccompanied_minor and (self.adults or not self.minors_ages):
            raise ValueError("an unaccompanied minor is a minor with no adult in the household")
        return self


class Consent(_Part):
    contact: bool
    data_processing: bool
    recorded_at: UtcDatetime
    recorded_by: ActorId


class HousingRequirements(_Part):
    """What housing needs to match beds. Deliberately no diagnosis: a need, not its cause."""

    household: Household
    accessible_bed: bool = False
    language: LanguageCode = "it"


class ScoreContribution(_Part):
    """One line of the triage breakdown.

    Factors that are special-category data (health, violence, trafficking) travel as the code
    `protected` with their points; the full explanation stays in the referral service.
    """

    factor: Annotated[str, Field(min_length=1, max_length=64)]
    points: Annotated[int, Field(ge=-1_000, le=1_000)]
    reason: Annotated[str, Field(max_length=300)]


class PriorityOverride(_Part):
    original_priority: Priority
    overridden_by: ActorId
    reason: ShortText


class CaseOutcome(StrEnum):
    PLACED = "placed"
    GRANT_PAID = "grant_paid"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    UNREACHABLE = "unreachable"
    DUPLICATE = "duplicate"


class CaseReported(EventPayload):
    event_type = "case.reported"
    topic = CASES.name

    reported_at: UtcDatetime
    reported_by: ActorId
    household: Household
    needs: list[Need] = Field(min_length=1)
    consent: Consent
    contact: Sealed | None = None
    preferred_language: LanguageCode = "it"
    duplicate_of: str | None = None


class CaseTriaged(EventPayload):
    event_type = "case.triaged"
    topic = CASES.name

    priority: Priority
    score: Annotated[int, Field(ge=-10_000, le=10_000)]
    breakdown: list[ScoreContribution] = Field(max_length=64)
    needs: list[Need]
    sla_deadline: UtcDatetime
    policy_version: Annotated[str, Field(min_length=1, max_length=32)]
    housing: HousingRequirements | None = None
    household_size: Annotated[int, Field(ge=1, le=40)]
    override: PriorityOverride | None = None
    reported_at: UtcDatetime


class CaseUpdated(EventPayload):
    event_type = "case.updated"
    topic = CASES.name

    changed: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1)
    updated_by: ActorId
    needs: list[Need]
    household: Household


class CaseClosed(EventPayload):
    event_type = "case.closed"
    topic = CASES.name

    outcome: CaseOutcome
    closed_by: ActorId
    closed_at: UtcDatetime


class SlaBreached(EventPayload):
    event_type = "case.sla_breached"
    topic = CASES.name

    priority: Priority
    deadline: UtcDatetime
    detected_at: UtcDatetime
    unmet_needs: list[Need] = Field(min_length=1)


class ErasureReason(StrEnum):
    """Why a case's personal data was erased (GDPR art. 17); a code, never free text."""

    DATA_SUBJECT_REQUEST = "data_subject_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    LEGAL_OBLIGATION = "legal_obligation"
    RETENTION = "retention"


class CaseErased(EventPayload):
    """The case's personal data is gone from the referral service; every service erases its own.

    What the programme counts (needs, priorities, amounts, the timeline of decisions) stays.
    """

    event_type = "case.erased"
    topic = CASES.name

    erased_at: UtcDatetime
    erased_by: ActorId
    reason: ErasureReason
