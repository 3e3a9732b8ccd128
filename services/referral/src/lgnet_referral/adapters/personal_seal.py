"""Personal data at rest under the case's own data key; the contact in events under the transport key.

At rest the whole record is one value sealed with the case's data key (``CaseKeyring``), so
destroying that key erases it everywhere it was copied. In ``case.reported`` only what the
notifications service needs to reach the person travels (and only with consent to be
contacted), sealed with the shared transport key, because notifications must open it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from lgnet_contracts.sealed import ContactDetails, Sealed
from lgnet_referral.application.case_file import PersonalData
from lgnet_runtime.keyring import CaseKeyring
from lgnet_runtime.sealing import Sealer


class _PersonalRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    fiscal_code: str | None = None
    location: str | None = None
    notes: str | None = None


class PersonalSeal:
    """At rest: raises ``lgnet_runtime.keyring.Erased`` once the case's key is destroyed."""

    def __init__(self, keyring: CaseKeyring) -> None:
        self._keyring = keyring

    async def seal(self, personal: PersonalData, *, case_id: str) -> dict[str, Any]:
        record = _PersonalRecord(
            given_name=personal.given_name,
            family_name=personal.family_name,
            birth_date=personal.birth_date,
            phone=personal.phone,
            email=personal.email,
            fiscal_code=personal.fiscal_code,
            location=personal.location,
            notes=personal.notes,
        )
        return (await self._keyring.seal_for_case(case_id, record)).model_dump()

    async def open(self, stored: dict[str, Any], *, case_id: str) -> PersonalData:
        record = await self._keyring.open_for_case(case_id, Sealed.model_validate(stored), _PersonalRecord)
        return PersonalData(**record.model_dump())


class ContactSeal:
    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def seal_contact(self, personal: PersonalData, *, language: str, case_id: str) -> Sealed | None:
        """None when there is no way to reach the person: the event then carries no contact."""
        if not (personal.phone or personal.email or personal.fiscal_code):
            return None
        contact = ContactDetails(
            first_name=personal.given_name[:80] if personal.given_name else None,
            phone=personal.phone,
            email=personal.email,
            fiscal_code=personal.fiscal_code,
            preferred_language=language,
        )
        return self._sealer.seal(contact, bound_to=case_id)
