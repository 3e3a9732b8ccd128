"""What the referral service keeps about a case besides the domain aggregate.

The ``Case`` holds what triage and the SLA need; a ``CaseFile`` adds who to call (personal
data, sealed at rest by the repository), the consent given, the facts other services need
but triage does not (genders, language, an accessible bed), the duplicate-lookup keys, and
what housing and payments reported (where the family is tonight, what has been paid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lgnet_contracts.events.cases import ErasureReason
from lgnet_contracts.types import Gender
from lgnet_referral.domain.case import Case
from lgnet_referral.domain.duplicates import Identity, LookupKeys
from lgnet_referral.domain.idempotency import KeyedReport


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Direct identifiers and free text: never stored, published or logged in plaintext."""

    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    fiscal_code: str | None = None
    # Where the person is now ("Termini station, platform 1"): it says where to find them.
    location: str | None = None
    notes: str | None = None

    @property
    def full_name(self) -> str | None:
        parts = [p for p in (self.given_name, self.family_name) if p]
        return " ".join(parts) or None

    def identity(self) -> Identity:
        return Identity(
            phone_e164=self.phone,
            fiscal_code=self.fiscal_code,
            full_name=self.full_name,
            birth_date=self.birth_date,
        )


@dataclass(frozen=True, slots=True)
class Erasure:
    """The person's data was erased (GDPR art. 17): the case stays, without anyone in it."""

    erased_at: datetime
    erased_by: str
    reason: ErasureReason


@dataclass(frozen=True, slots=True)
class Consent:
    contact: bool
    data_processing: bool
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class CaseProfile:
    adult_genders: tuple[Gender, ...]
    preferred_language: str
    accessible_bed: bool
    consent: Consent


@dataclass(slots=True)
class Tonight:
    """The latest placement housing told us about: where the family sleeps, or what is pending."""

    placement_id: str
    status: str
    updated_at: datetime
    shelter_id: str | None = None
    shelter_name: str | None = None
    shelter_address: str | None = None
    shelter_phone: str | None = None
    arrive_by: datetime | None = None

    @property
    def has_bed(self) -> bool:
        return self.status in ("confirmed", "checked_in")


@dataclass(slots=True)
class GrantLine:
    grant_id: str
    status: str
    updated_at: datetime
    approved_cents: int = 0
    disbursed_cents: int = 0
    returned_cents: int = 0


@dataclass(slots=True)
class Situation:
    tonight: Tonight | None = None
    grants: dict[str, GrantLine] = field(default_factory=dict)

    @property
    def paid_cents(self) -> int:
        """Money that reached the family: disbursed minus what the bank sent back."""
        return sum(g.disbursed_cents - g.returned_cents for g in self.grants.values())


@dataclass(slots=True)
class CaseFile:
    case: Case
    profile: CaseProfile
    lookup: LookupKeys
    # None when loaded without opening the seal (most writes never need the plaintext).
    personal: PersonalData | None
    situation: Situation = field(default_factory=Situation)
    # Reports of the same person linked here instead of opening a second case.
    linked_reports: int = 0
    # Set when ``personal`` changed, so the repository seals and writes it again.
    personal_changed: bool = False
    # Set once the personal data is erased; ``personal`` is then always None.
    erasure: Erasure | None = None
    # The report that opened the case with an Idempotency-Key (its id is then the key's id).
    opened_with: KeyedReport | None = None
    # Keyed reports linked here, the latest last (bounded), so that a retry is not linked again.
    linked_keys: tuple[KeyedReport, ...] = ()

    @property
    def case_id(self) -> str:
        return self.case.case_id

    @property
    def municipality(self) -> str:
        return self.case.municipality

    def linked_report(self, key_id: str) -> KeyedReport | None:
        return next((k for k in self.linked_keys if k.key_id == key_id), None)
