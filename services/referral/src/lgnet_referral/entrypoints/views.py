"""What the API answers: a case as an operator reads it (reasons in words, the story in order)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel

from lgnet_referral.application.case_file import CaseFile
from lgnet_referral.application.intake import ReportOutcome
from lgnet_referral.domain.override import PriorityOverride
from lgnet_referral.domain.sla import sla_state
from lgnet_referral.domain.triage import TriageResult


class ContributionOut(BaseModel):
    kind: str
    factor: str
    points: int
    reason: str


class TriageOut(BaseModel):
    priority: str
    score: int
    score_priority: str
    floor_applied: str | None
    reasons: list[str]
    breakdown: list[ContributionOut]
    policy_version: str
    sla_deadline: datetime


class MatchOut(BaseModel):
    matched_on: list[str]
    explanation: str
    strong: bool


class ReportAnswer(BaseModel):
    case_id: str
    created: bool
    duplicate_of: str | None
    match: MatchOut | None
    status: str
    priority: str
    score: int
    reasons: list[str]
    breakdown: list[ContributionOut]
    sla_deadline: datetime


class CaseSummaryOut(BaseModel):
    case_id: str
    municipality: str
    status: str
    priority: str
    score: int
    sla_deadline: datetime
    sla_state: str
    reported_at: datetime
    needs: list[str]
    open_needs: list[str]
    tonight: str | None
    paid_cents: int


class CaseListOut(BaseModel):
    items: list[CaseSummaryOut]
    total: int
    page: int
    page_size: int


class PersonOut(BaseModel):
    given_name: str | None
    family_name: str | None
    birth_date: date | None
    phone: str | None
    email: str | None
    fiscal_code: str | None
    location: str | None
    notes: str | None


class TonightOut(BaseModel):
    placement_id: str
    status: str
    has_bed: bool
    shelter_id: str | None
    shelter_name: str | None
    shelter_address: str | None
    shelter_phone: str | None
    arrive_by: datetime | None
    updated_at: datetime


class GrantOut(BaseModel):
    grant_id: str
    status: str
    approved_cents: int
    disbursed_cents: int
    returned_cents: int
    updated_at: datetime


class OverrideOut(BaseModel):
    priority: str
    previous_priority: str
    original_priority: str
    reason: str
    by: str
    at: datetime
    sla_deadline: datetime


class ErasureOut(BaseModel):
    erased_at: datetime
    erased_by: str
    reason: str


class TimelineEntryOut(BaseModel):
    at: datetime
    source: str
    event_type: str
    summary: str
    refs: dict[str, str]


class CaseDetailOut(CaseSummaryOut):
    reported_by: str
    household: dict[str, object]
    factors: list[str]
    needs_met: dict[str, datetime]
    triage: TriageOut
    override: OverrideOut | None
    override_history: list[OverrideOut]
    sla_breaches: list[dict[str, object]]
    consent: dict[str, object]
    preferred_language: str
    # Only for roles that contact the person; null for the others, and for everyone once erased.
    person: PersonOut | None
    # "shown", "withheld" (your role does not see the person) or "erased".
    personal_data: str
    erasure: ErasureOut | None
    tonight_detail: TonightOut | None
    grants: list[GrantOut]
    outcome: str | None
    closed_at: datetime | None
    linked_reports: int
    timeline: list[TimelineEntryOut]


def _override(o: PriorityOverride) -> OverrideOut:
    return OverrideOut(
        priority=str(o.priority),
        previous_priority=str(o.previous_priority),
        original_priority=str(o.original.priority),
        reason=o.reason,
        by=o.operator_id,
        at=o.at,
        sla_deadline=o.sla_deadline,
    )


def triage_out(result: TriageResult) -> TriageOut:
    return TriageOut(
        priority=str(result.priority),
        score=result.score,
        score_priority=str(result.score_priority),
        floor_applied=str(result.floor_applied) if result.floor_applied else None,
        reasons=list(result.reasons),
        breakdown=[
            ContributionOut(kind=str(c.kind), factor=c.factor, points=c.points, reason=c.reason)
            for c in result.breakdown
        ],
        policy_version=result.policy_version,
        sla_deadline=result.sla_deadline,
    )


def report_answer(outcome: ReportOutcome) -> ReportAnswer:
    case = outcome.file.case
    triage = triage_out(case.triage)
    match = outcome.duplicate
    return ReportAnswer(
        case_id=case.case_id,
        created=outcome.created,
        duplicate_of=match.case_id if match else None,
        match=MatchOut(
            matched_on=[str(k) for k in match.matched_on],
            explanation=match.explanation,
            strong=match.is_strong,
        )
        if match
        else None,
        status=str(case.status),
        priority=str(case.priority),
        score=case.triage.score,
        reasons=triage.reasons,
        breakdown=triage.breakdown,
        sla_deadline=case.sla_deadline,
    )


def summary(file: CaseFile, now: datetime, due_soon: timedelta) -> CaseSummaryOut:
    case = file.case
    tonight = file.situation.tonight
    return CaseSummaryOut(
        case_id=case.case_id,
        municipality=case.municipality,
        status=str(case.status),
        priority=str(case.priority),
        score=case.triage.score,
        sla_deadline=case.sla_deadline,
        sla_state=str(sla_state(case, now, due_soon_within=due_soon)),
        reported_at=case.reported_at,
        needs=[str(n) for n in case.triage.needs],
        open_needs=[str(n) for n in case.open_needs],
        tonight=tonight.status if tonight else None,
        paid_cents=file.situation.paid_cents,
    )


def detail(file: CaseFile, now: datetime, due_soon: timedelta, *, show_person: bool) -> CaseDetailOut:
    case, profile, situation = file.case, file.profile, file.situation
    p, t = file.personal, situation.tonight
    return CaseDetailOut(
        **summary(file, now, due_soon).model_dump(),
        reported_by=case.reported_by,
        household={
            "adults": [str(g) for g in profile.adult_genders],
            "minors_ages": list(case.household.minor_ages),
            "pregnant": case.household.pregnant,
            "unaccompanied_minor": case.household.is_unaccompanied_minor,
            "accessible_bed": profile.accessible_bed,
            "size": case.household.size,
        },
        factors=[str(f) for f in case.triage.factors],
        needs_met={str(k): v for k, v in case.needs_met.items()},
        triage=triage_out(case.triage),
        override=_override(case.override) if case.override else None,
        override_history=[_override(o) for o in case.override_history],
        sla_breaches=[
            {"priority": str(b.priority), "deadline": b.deadline, "detected_at": b.detected_at}
            for b in case.sla_breaches
        ],
        consent={
            "contact": profile.consent.contact,
            "data_processing": profile.consent.data_processing,
            "recorded_at": profile.consent.recorded_at,
            "recorded_by": profile.consent.recorded_by,
        },
        preferred_language=profile.preferred_language,
        person=PersonOut(
            given_name=p.given_name,
            family_name=p.family_name,
            birth_date=p.birth_date,
            phone=p.phone,
            email=p.email,
            fiscal_code=p.fiscal_code,
            location=p.location,
            notes=p.notes,
        )
        if show_person and p is not None
        else None,
        personal_data="erased"
        if file.erasure is not None
        else ("shown" if show_person and p is not None else "withheld"),
        erasure=ErasureOut(
            erased_at=file.erasure.erased_at,
            erased_by=file.erasure.erased_by,
            reason=str(file.erasure.reason),
        )
        if file.erasure is not None
        else None,
        tonight_detail=TonightOut(
            placement_id=t.placement_id,
            status=t.status,
            has_bed=t.has_bed,
            shelter_id=t.shelter_id,
            shelter_name=t.shelter_name,
            shelter_address=t.shelter_address,
            shelter_phone=t.shelter_phone,
            arrive_by=t.arrive_by,
            updated_at=t.updated_at,
        )
        if t
        else None,
        grants=[
            GrantOut(
                grant_id=g.grant_id,
                status=g.status,
                approved_cents=g.approved_cents,
                disbursed_cents=g.disbursed_cents,
                returned_cents=g.returned_cents,
                updated_at=g.updated_at,
            )
            for g in situation.grants.values()
        ],
        outcome=str(case.outcome) if case.outcome else None,
        closed_at=case.closed_at,
        linked_reports=file.linked_reports,
        timeline=[
            TimelineEntryOut(
                at=e.at, source=e.source, event_type=e.event_type, summary=e.summary, refs=dict(e.refs)
            )
            for e in case.timeline
        ],
    )
