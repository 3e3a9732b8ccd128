"""Grant request <-> MongoDB document. Name, IBAN and fiscal code exist only sealed in it.

The domain ``Grant`` needs its beneficiary, so a document is opened when loaded; anything
that only counts grants reads the plain fields (status, municipality, amounts) instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lgnet_payments.adapters.personal_seal import PersonalSeal
from lgnet_payments.application.records import Applicant, GrantDetails, GrantFile, Intake, RequestSource
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation
from lgnet_payments.domain.grant import (
    Beneficiary,
    DecisionRecord,
    Grant,
    GrantAction,
    GrantStatus,
)
from lgnet_payments.domain.reasons import Reason, ReasonCode

# Stands in for the beneficiary of an erased grant: the domain grant still needs one to exist.
ERASED = "[erased]"

# Statuses in which the household counts as having received a grant (for the window rule).
GRANTED_STATUSES = [GrantStatus.APPROVED.value, GrantStatus.BATCHED.value, GrantStatus.DISBURSED.value]


def decision_to_document(record: DecisionRecord) -> dict[str, Any]:
    return {
        "action": record.action.value,
        "actor": record.actor,
        "at": record.at,
        "reasons": [{"code": r.code.value, "text": r.text} for r in record.reasons],
    }


def decision_from_document(doc: dict[str, Any]) -> DecisionRecord:
    reasons = tuple(Reason(ReasonCode(r["code"]), r["text"]) for r in doc["reasons"])
    return DecisionRecord(GrantAction(doc["action"]), doc["actor"], doc["at"], reasons)


def _details_to_document(details: GrantDetails) -> dict[str, Any]:
    h = details.housing
    return {
        "household_size": details.household_size,
        "isee_cents": details.isee_cents,
        "ise_cents": details.ise_cents,
        "requested_cents": details.requested_cents,
        "purpose": details.purpose.value,
        "housing": {
            "rent_arrears": h.rent_arrears,
            "eviction_notice": h.eviction_notice,
            "lease_registered": h.lease_registered,
            "no_home": h.no_home,
        },
    }


def _details_from_document(doc: dict[str, Any]) -> GrantDetails:
    return GrantDetails(
        household_size=doc["household_size"],
        isee_cents=doc["isee_cents"],
        ise_cents=doc.get("ise_cents"),
        requested_cents=doc["requested_cents"],
        purpose=GrantPurpose(doc["purpose"]),
        housing=HousingSituation(**doc["housing"]),
    )


def _granted_at(grant: Grant) -> datetime | None:
    approvals = [d.at for d in grant.decisions if d.action is GrantAction.APPROVE]
    return approvals[-1] if approvals else None


def to_document(file: GrantFile, seal: PersonalSeal) -> dict[str, Any]:
    i, g = file.intake, file.grant
    doc: dict[str, Any] = {
        "_id": i.grant_id,
        "municipality": i.municipality,
        "case_id": i.case_id,
        "source": i.source.value,
        "household_size": i.household_size,
        "opened_at": i.opened_at,
        "opened_by": i.opened_by,
        "status": file.status,
        "details": _details_to_document(file.details) if file.details else None,
        "personal": seal.seal_applicant(file.applicant, grant_id=i.grant_id) if file.applicant else None,
        "withdrawn": decision_to_document(file.withdrawn) if file.withdrawn else None,
        "value_date": file.value_date.isoformat() if file.value_date else None,
        "decisions": [decision_to_document(d) for d in file.decisions],
        "erasure_requested_at": file.erasure_requested_at,
        "personal_erased_at": file.personal_erased_at,
        "grant": None,
        "household_key": None,
        "batch_id": None,
        "amount_cents": 0,
        "granted_at": None,
    }
    if g is not None:
        doc["grant"] = {
            "purpose": g.purpose.value,
            "requested_cents": g.requested_cents,
            "prepared_by": g.prepared_by,
            "requested_at": g.requested_at,
            "approved_by": g.approved_by,
        }
        doc.update(
            household_key=None if file.personal_erased_at else g.household_key,
            batch_id=g.batch_id,
            amount_cents=g.amount_cents,
            granted_at=_granted_at(g),
        )
    return doc


def from_document(doc: dict[str, Any], seal: PersonalSeal) -> GrantFile:
    grant_id = doc["_id"]
    intake = Intake(
        grant_id=grant_id,
        municipality=doc["municipality"],
        case_id=doc.get("case_id"),
        source=RequestSource(doc["source"]),
        household_size=doc["household_size"],
        opened_at=doc["opened_at"],
        opened_by=doc["opened_by"],
    )
    applicant: Applicant | None = None
    if doc.get("personal"):
        applicant = seal.open_applicant(doc["personal"], grant_id=grant_id)
    grant: Grant | None = None
    raw = doc.get("grant")
    erased = doc.get("personal_erased_at")
    if raw is not None:
        if applicant is None and not erased:
            raise ValueError(f"grant {grant_id} has no beneficiary")
        grant = Grant(
            grant_id=grant_id,
            municipality=doc["municipality"],
            household_key=doc.get("household_key") or ERASED,
            purpose=GrantPurpose(raw["purpose"]),
            requested_cents=raw["requested_cents"],
            beneficiary=Beneficiary(applicant.name, applicant.iban)
            if applicant is not None
            else Beneficiary(ERASED, ERASED),
            prepared_by=raw["prepared_by"],
            requested_at=raw["requested_at"],
            status=GrantStatus(doc["status"]),
            amount_cents=doc["amount_cents"],
            approved_by=raw.get("approved_by"),
            batch_id=doc.get("batch_id"),
            decisions=tuple(decision_from_document(d) for d in doc["decisions"]),
        )
    withdrawn = doc.get("withdrawn")
    value_date = doc.get("value_date")
    return GrantFile(
        intake=intake,
        details=_details_from_document(doc["details"]) if doc.get("details") else None,
        applicant=applicant,
        grant=grant,
        withdrawn=decision_from_document(withdrawn) if withdrawn else None,
        value_date=date.fromisoformat(value_date) if value_date else None,
        version=doc["_v"],
        erasure_requested_at=doc.get("erasure_requested_at"),
        personal_erased_at=erased,
    )
