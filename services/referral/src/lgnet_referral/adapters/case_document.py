"""A case file as one MongoDB document, and back.

Top-level fields that queries use (municipality, status, effective priority and deadline,
``next_sla_check``, the lookup keys) are derived here on every write, so they can never
disagree with the case they describe. Personal data is stored only as a value sealed with
the case's data key, added by the repository (sealing and opening need the keyring).
"""

from __future__ import annotations

from typing import Any

from lgnet_contracts.events.cases import ErasureReason
from lgnet_contracts.types import Gender
from lgnet_referral.application.case_file import (
    CaseFile,
    CaseProfile,
    Consent,
    Erasure,
    GrantLine,
    PersonalData,
    Situation,
    Tonight,
)
from lgnet_referral.domain.case import Case
from lgnet_referral.domain.case_status import CaseOutcome, CaseStatus, SlaBreachRecord
from lgnet_referral.domain.duplicates import LookupKeys
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.idempotency import KeyedReport
from lgnet_referral.domain.override import PriorityOverride
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.sla import next_check_at
from lgnet_referral.domain.timeline import TimelineEntry
from lgnet_referral.domain.triage import ContributionKind, FactorContribution, Floor, TriageResult
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

Document = dict[str, Any]


def to_document(file: CaseFile) -> Document:
    """Every field of the case file but ``personal``, which the repository seals when it changed."""
    case = file.case
    doc: Document = {
        "_id": case.case_id,
        "municipality": case.municipality,
        "status": str(case.status),
        "priority": str(case.priority),
        "sla_deadline": case.sla_deadline,
        "next_sla_check": next_check_at(case),
        "has_open_needs": bool(case.open_needs),
        "reported_at": case.reported_at,
        "reported_by": case.reported_by,
        "household": _household(case.household),
        "factors": [str(f) for f in case.factors],
        "needs": [str(n) for n in case.needs],
        "needs_met": {str(need): at for need, at in case.needs_met.items()},
        "triage": _triage(case.triage),
        "override": _override(case.override) if case.override else None,
        "override_history": [_override(o) for o in case.override_history],
        "sla_breaches": [
            {"priority": str(b.priority), "deadline": b.deadline, "detected_at": b.detected_at}
            for b in case.sla_breaches
        ],
        "timeline": [_entry(e) for e in case.timeline],
        "outcome": str(case.outcome) if case.outcome else None,
        "closed_at": case.closed_at,
        "duplicate_of": case.duplicate_of,
        "profile": _profile(file.profile),
        "lookup": {
            "phone": file.lookup.phone,
            "fiscal_code": file.lookup.fiscal_code,
            "name_and_birth_date": file.lookup.name_and_birth_date,
        },
        "situation": _situation(file.situation),
        "linked_reports": file.linked_reports,
        "erasure": _erasure(file.erasure) if file.erasure else None,
        # Keyed hashes of the person's reports: they go with the person's data.
        "opened_with": _keyed(file.opened_with) if file.opened_with and not file.erasure else None,
        "linked_keys": [] if file.erasure else [_keyed(k) for k in file.linked_keys],
    }
    return doc


def from_document(doc: Document, personal: PersonalData | None = None) -> CaseFile:
    """``personal`` is what the repository opened from ``doc["personal"]``, if it was asked to."""
    case = Case(
        case_id=doc["_id"],
        municipality=doc["municipality"],
        reported_at=doc["reported_at"],
        reported_by=doc["reported_by"],
        household=Household(
            adults=doc["household"]["adults"],
            minor_ages=tuple(doc["household"]["minor_ages"]),
            pregnant=doc["household"]["pregnant"],
            unaccompanied_minor=doc["household"]["unaccompanied_minor"],
        ),
        factors=frozenset(VulnerabilityFactor(f) for f in doc["factors"]),
        needs=frozenset(Need(n) for n in doc["needs"]),
        triage=_read_triage(doc["triage"]),
        status=CaseStatus(doc["status"]),
        override=_read_override(doc["override"]) if doc.get("override") else None,
        override_history=[_read_override(o) for o in doc.get("override_history", [])],
        needs_met={Need(k): v for k, v in doc.get("needs_met", {}).items()},
        sla_breaches=[
            SlaBreachRecord(
                priority=Priority(b["priority"]), deadline=b["deadline"], detected_at=b["detected_at"]
            )
            for b in doc.get("sla_breaches", [])
        ],
        timeline=[_read_entry(e) for e in doc.get("timeline", [])],
        outcome=CaseOutcome(doc["outcome"]) if doc.get("outcome") else None,
        closed_at=doc.get("closed_at"),
        duplicate_of=doc.get("duplicate_of"),
        version=doc["_v"],
    )
    lookup = doc.get("lookup", {})
    erasure = _read_erasure(doc["erasure"]) if doc.get("erasure") else None
    return CaseFile(
        case=case,
        profile=_read_profile(doc["profile"]),
        lookup=LookupKeys(
            phone=lookup.get("phone"),
            fiscal_code=lookup.get("fiscal_code"),
            name_and_birth_date=lookup.get("name_and_birth_date"),
        ),
        personal=personal if erasure is None else None,
        situation=_read_situation(doc.get("situation", {})),
        linked_reports=doc.get("linked_reports", 0),
        erasure=erasure,
        opened_with=_read_keyed(doc["opened_with"]) if doc.get("opened_with") else None,
        linked_keys=tuple(_read_keyed(k) for k in doc.get("linked_keys", [])),
    )


def _keyed(k: KeyedReport) -> Document:
    return {"key_id": k.key_id, "fingerprint": k.fingerprint}


def _read_keyed(d: Document) -> KeyedReport:
    return KeyedReport(key_id=d["key_id"], fingerprint=d["fingerprint"])


def _erasure(e: Erasure) -> Document:
    return {"erased_at": e.erased_at, "erased_by": e.erased_by, "reason": str(e.reason)}


def _read_erasure(d: Document) -> Erasure:
    return Erasure(erased_at=d["erased_at"], erased_by=d["erased_by"], reason=ErasureReason(d["reason"]))


def _household(h: Household) -> Document:
    return {
        "adults": h.adults,
        "minor_ages": list(h.minor_ages),
        "pregnant": h.pregnant,
        "unaccompanied_minor": h.unaccompanied_minor,
    }


def _triage(t: TriageResult) -> Document:
    return {
        "priority": str(t.priority),
        "score": t.score,
        "breakdown": [
            {"kind": str(c.kind), "factor": c.factor, "points": c.points, "reason": c.reason}
            for c in t.breakdown
        ],
        "needs": [str(n) for n in t.needs],
        "sla_deadline": t.sla_deadline,
        "policy_version": t.policy_version,
        "floor_applied": str(t.floor_applied) if t.floor_applied else None,
        "reported_at": t.reported_at,
        "score_priority": str(t.score_priority),
        "floors": [str(f) for f in t.floors],
        "factors": [str(f) for f in t.factors],
    }


def _read_triage(d: Document) -> TriageResult:
    return TriageResult(
        priority=Priority(d["priority"]),
        score=d["score"],
        breakdown=tuple(
            FactorContribution(
                kind=ContributionKind(c["kind"]), factor=c["factor"], points=c["points"], reason=c["reason"]
            )
            for c in d["breakdown"]
        ),
        needs=tuple(Need(n) for n in d["needs"]),
        sla_deadline=d["sla_deadline"],
        policy_version=d["policy_version"],
        floor_applied=Floor(d["floor_applied"]) if d.get("floor_applied") else None,
        reported_at=d["reported_at"],
        score_priority=Priority(d["score_priority"]),
        floors=tuple(Floor(f) for f in d["floors"]),
        factors=tuple(VulnerabilityFactor(f) for f in d["factors"]),
    )


def _override(o: PriorityOverride) -> Document:
    return {
        "priority": str(o.priority),
        "reason": o.reason,
        "operator_id": o.operator_id,
        "at": o.at,
        "original": _triage(o.original),
        "previous_priority": str(o.previous_priority),
        "sla_deadline": o.sla_deadline,
        "policy_version": o.policy_version,
    }


def _read_override(d: Document) -> PriorityOverride:
    return PriorityOverride(
        priority=Priority(d["priority"]),
        reason=d["reason"],
        operator_id=d["operator_id"],
        at=d["at"],
        original=_read_triage(d["original"]),
        previous_priority=Priority(d["previous_priority"]),
        sla_deadline=d["sla_deadline"],
        policy_version=d["policy_version"],
    )


def _entry(e: TimelineEntry) -> Document:
    return {
        "at": e.at,
        "source": e.source,
        "event_type": e.event_type,
        "summary": e.summary,
        "refs": [[k, v] for k, v in e.refs],
        "event_id": e.event_id,
    }


def _read_entry(d: Document) -> TimelineEntry:
    return TimelineEntry(
        at=d["at"],
        source=d["source"],
        event_type=d["event_type"],
        summary=d["summary"],
        refs=tuple((k, v) for k, v in d.get("refs", [])),
        event_id=d.get("event_id"),
    )


def _profile(p: CaseProfile) -> Document:
    return {
        "adult_genders": [str(g) for g in p.adult_genders],
        "preferred_language": p.preferred_language,
        "accessible_bed": p.accessible_bed,
        "consent": {
            "contact": p.consent.contact,
            "data_processing": p.consent.data_processing,
            "recorded_at": p.consent.recorded_at,
            "recorded_by": p.consent.recorded_by,
        },
    }


def _read_profile(d: Document) -> CaseProfile:
    c = d["consent"]
    return CaseProfile(
        adult_genders=tuple(Gender(g) for g in d["adult_genders"]),
        preferred_language=d["preferred_language"],
        accessible_bed=d["accessible_bed"],
        consent=Consent(
            contact=c["contact"],
            data_processing=c["data_processing"],
            recorded_at=c["recorded_at"],
            recorded_by=c["recorded_by"],
        ),
    )


_TONIGHT_FIELDS = ("shelter_id", "shelter_name", "shelter_address", "shelter_phone", "arrive_by")


def _situation(s: Situation) -> Document:
    tonight = None
    if s.tonight is not None:
        t = s.tonight
        tonight = {
            "placement_id": t.placement_id,
            "status": t.status,
            "updated_at": t.updated_at,
            **{name: getattr(t, name) for name in _TONIGHT_FIELDS},
        }
    return {
        "tonight": tonight,
        "grants": [
            {
                "grant_id": g.grant_id,
                "status": g.status,
                "updated_at": g.updated_at,
                "approved_cents": g.approved_cents,
                "disbursed_cents": g.disbursed_cents,
                "returned_cents": g.returned_cents,
            }
            for g in s.grants.values()
        ],
    }


def _read_situation(d: Document) -> Situation:
    t = d.get("tonight")
    tonight = (
        Tonight(
            placement_id=t["placement_id"],
            status=t["status"],
            updated_at=t["updated_at"],
            **{name: t.get(name) for name in _TONIGHT_FIELDS},
        )
        if t
        else None
    )
    grants = {g["grant_id"]: GrantLine(**g) for g in d.get("grants", [])}
    return Situation(tonight=tonight, grants=grants)
