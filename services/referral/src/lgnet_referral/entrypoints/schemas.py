"""What the intake API accepts, with errors an operator can act on while still on the phone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Self

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale, iva

from lgnet_contracts.events.cases import ErasureReason
from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.types import Gender, LanguageCode
from lgnet_referral.domain.case_status import CaseOutcome
from lgnet_referral.domain.errors import InvalidHouseholdError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.override import MIN_OVERRIDE_REASON_LENGTH
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException:
        raise ValueError(
            "not a phone number; write it with the country code, e.g. +39 333 123 4567"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(
            "this phone number does not exist; check the digits and the country code (+39 for Italy)"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def fiscal_code(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if compact.isdigit():
        if len(compact) != 11:
            raise ValueError("a provisional fiscal code has 11 digits")
        try:
            return str(iva.validate(compact))
        except stdnum_errors.ValidationError:
            raise ValueError(
                "this 11-digit provisional fiscal code fails its check digit; check it"
            ) from None
    if len(compact) != 16:
        raise ValueError("a fiscal code has 16 characters (or 11 digits if provisional)")
    try:
        return str(codicefiscale.validate(compact))
    except stdnum_errors.InvalidChecksum:
        raise ValueError("the last character (check letter) does not match; check the code") from None
    except stdnum_errors.ValidationError:
        raise ValueError("not a valid fiscal code: letters and digits are in the wrong places") from None


class HouseholdIn(_In):
    adults: list[Gender] = Field(default_factory=list, max_length=20, description="One gender per adult")
    minors_ages: list[Annotated[int, Field(ge=0, le=17)]] = Field(default_factory=list, max_length=20)
    pregnant: bool = False
    unaccompanied_minor: bool = False
    accessible_bed: bool = Field(False, description="Someone needs an accessible bed")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        try:
            self.to_domain()
        except InvalidHouseholdError as exc:
            raise ValueError(str(exc)) from None
        return self

    def to_domain(self) -> Household:
        return Household(
            adults=len(self.adults),
            minor_ages=tuple(self.minors_ages),
            pregnant=self.pregnant,
            unaccompanied_minor=self.unaccompanied_minor,
        )


class ContactIn(_In):
    phone: str | None = Field(None, examples=["+39 333 123 4567"])
    email: EmailStr | None = None
    preferred_language: LanguageCode = Field("it", description="ISO 639-1, e.g. it, en, ar, uk")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return e164(value) if value else None


class ConsentIn(_In):
    contact: bool = Field(description="The person agrees to be contacted")
    data_processing: bool = Field(description="The person was informed and agrees to the processing")


def _birth_date(value: date | None) -> date | None:
    if value is not None and not date(1900, 1, 1) <= value <= datetime.now(UTC).date():
        raise ValueError("the birth date must be after 1900 and not in the future")
    return value


class CaseReportIn(_In):
    municipality: str = Field(description="ISTAT code of one of the programme's municipalities")
    location: Annotated[Text, StringConstraints(max_length=300)] = Field(
        description="Where the person is now (kept sealed)"
    )
    household: HouseholdIn
    factors: list[VulnerabilityFactor] = Field(
        default_factory=list, max_length=20, description="D.Lgs. 142/2015 art. 17"
    )
    needs: list[Need] = Field(min_length=1, max_length=5)
    contact: ContactIn = Field(default_factory=ContactIn)
    fiscal_code: str | None = None
    given_name: Annotated[Text, StringConstraints(max_length=80)] | None = None
    family_name: Annotated[Text, StringConstraints(max_length=80)] | None = None
    birth_date: date | None = None
    consent: ConsentIn
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    not_a_duplicate: bool = Field(
        False, description="Open a new case even if the identity matches a recent one (another person)"
    )

    @field_validator("fiscal_code")
    @classmethod
    def _fiscal_code(cls, value: str | None) -> str | None:
        return fiscal_code(value) if value else None

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: date | None) -> date | None:
        return _birth_date(value)

    @field_validator("municipality")
    @classmethod
    def _programme_municipality(cls, value: str) -> str:
        if value not in municipalities():
            raise ValueError(
                "not one of the programme's municipalities; use its 6-digit ISTAT code, e.g. 058091"
            )
        return value


class CaseUpdateIn(_In):
    household: HouseholdIn | None = None
    factors: list[VulnerabilityFactor] | None = Field(None, max_length=20)
    needs: list[Need] | None = Field(None, min_length=1, max_length=5)
    location: Annotated[Text, StringConstraints(max_length=300)] | None = None
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one of household, factors, needs, location, notes")
        return self


class OverrideIn(_In):
    priority: Priority
    reason: Annotated[Text, StringConstraints(min_length=MIN_OVERRIDE_REASON_LENGTH, max_length=500)] = Field(
        description="Why, in a sentence (no personal data: it is published with the triage)"
    )


class CloseIn(_In):
    outcome: CaseOutcome
    duplicate_of: str | None = Field(None, description="Required when the outcome is 'duplicate'")


class EraseIn(_In):
    """A code, never free text: the reason is published and audited."""

    reason: Annotated[
        ErasureReason,
        Field(description="Why the person's data is erased; 'retention' is the sweep's own reason"),
    ]

    @field_validator("reason")
    @classmethod
    def _not_retention(cls, value: ErasureReason) -> ErasureReason:
        if value is ErasureReason.RETENTION:
            raise ValueError("retention erasures are made by the service itself")
        return value
