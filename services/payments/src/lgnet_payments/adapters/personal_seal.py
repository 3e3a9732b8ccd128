"""Beneficiary data sealed at rest with the runtime's Sealer, bound to the grant id.

Binding to the grant id means a sealed value copied onto another grant cannot be opened.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from lgnet_contracts.sealed import Sealed
from lgnet_payments.application.records import Applicant
from lgnet_runtime.sealing import Sealer


class _ApplicantRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    iban: str
    fiscal_code: str


class _PayeeRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    iban: str


class PersonalSeal:
    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def seal_applicant(self, applicant: Applicant, *, grant_id: str) -> dict[str, Any]:
        record = _ApplicantRecord(name=applicant.name, iban=applicant.iban, fiscal_code=applicant.fiscal_code)
        return self._sealer.seal(record, bound_to=grant_id).model_dump()

    def open_applicant(self, sealed: dict[str, Any], *, grant_id: str) -> Applicant:
        record = self._sealer.open(Sealed.model_validate(sealed), _ApplicantRecord, bound_to=grant_id)
        return Applicant(record.name, record.iban, record.fiscal_code)

    def seal_payee(self, name: str, iban: str, *, grant_id: str) -> dict[str, Any]:
        return self._sealer.seal(_PayeeRecord(name=name, iban=iban), bound_to=grant_id).model_dump()

    def open_payee(self, sealed: dict[str, Any], *, grant_id: str) -> tuple[str, str]:
        record = self._sealer.open(Sealed.model_validate(sealed), _PayeeRecord, bound_to=grant_id)
        return record.name, record.iban
