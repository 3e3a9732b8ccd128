"""Request bodies: every field checked where a person can fix it (IBAN by schwifty, fiscal code by stdnum)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lgnet_contracts.types import CaseId, FiscalCode, Iban, IstatCode
from lgnet_payments.application.records import Applicant, GrantDetails
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation

# SEPA names are at most 70 characters; a longer one would be cut in the bank file.
BeneficiaryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=70)]
Why = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
PositiveCents = Annotated[
    int, Field(gt=0, strict=True, description="integer cents, e.g. 150000 = EUR 1,500.00")
]
Cents = Annotated[int, Field(ge=0, strict=True, description="integer cents")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HousingIn(_In):
    rent_arrears: bool = False
    eviction_notice: bool = False
    lease_registered: bool = False
    no_home: bool = False


class GrantDetailsIn(_In):
    household_size: Annotated[int, Field(ge=1, le=40)]
    isee_cents: Cents = Field(description="declared ISEE in integer cents")
    ise_cents: Cents | None = Field(None, description="declared ISE, where the municipality requires it")
    housing: HousingIn
    requested_cents: PositiveCents
    purpose: GrantPurpose
    beneficiary_name: BeneficiaryName
    iban: Iban = Field(description="the beneficiary's IBAN, checked with schwifty")
    fiscal_code: FiscalCode = Field(description="16-character codice fiscale or 11-digit provisional code")

    def details(self) -> GrantDetails:
        h = self.housing
        return GrantDetails(
            household_size=self.household_size,
            isee_cents=self.isee_cents,
            ise_cents=self.ise_cents,
            housing=HousingSituation(h.rent_arrears, h.eviction_notice, h.lease_registered, h.no_home),
            requested_cents=self.requested_cents,
            purpose=self.purpose,
        )

    def applicant(self) -> Applicant:
        return Applicant(self.beneficiary_name, self.iban, self.fiscal_code)


class NewGrantIn(GrantDetailsIn):
    municipality: IstatCode
    case_id: CaseId | None = None


class ApproveIn(_In):
    why: Why = "Reviewed and approved."


class RejectIn(_In):
    reasons: list[Why] = Field(min_length=1, max_length=10)


class CancelIn(_In):
    why: Why


class AllocationIn(_In):
    allocation_cents: Cents
    reason: Why


class NewBatchIn(_In):
    municipality: IstatCode
