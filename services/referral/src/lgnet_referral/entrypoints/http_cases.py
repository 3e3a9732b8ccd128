"""The intake and case API. Thin: parse, authorise, call a use case, present the answer."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status
from pydantic import WithJsonSchema

from lgnet_referral.application.case_commands import CaseCommands, FactsUpdate
from lgnet_referral.application.case_file import CaseFile, PersonalData
from lgnet_referral.application.clock import Clock
from lgnet_referral.application.erasure import EraseCase
from lgnet_referral.application.intake import NewReport, ReportCase
from lgnet_referral.application.ports import CaseQueries, CaseQuery
from lgnet_referral.domain.case_status import CaseStatus
from lgnet_referral.domain.idempotency import KEY_PATTERN, KEY_RULE
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.sla import SlaState
from lgnet_referral.domain.vulnerability import Need
from lgnet_referral.entrypoints.schemas import CaseReportIn, CaseUpdateIn, CloseIn, EraseIn, OverrideIn
from lgnet_referral.entrypoints.views import (
    CaseDetailOut,
    CaseListOut,
    ReportAnswer,
    detail,
    report_answer,
    summary,
)
from lgnet_runtime.audit import AuditLog, Detail
from lgnet_runtime.auth import (
    Principal,
    Role,
    TokenVerifier,
    authenticated,
    ensure_municipality,
    require_roles,
)

INTAKE_ROLES = (Role.HOTLINE_OPERATOR, Role.CASE_MANAGER)
# Programme coordinators work with aggregates only: a single case's factors (violence, health,
# pregnancy, minors) are special-category data even without a name, so they read no case at all.
READ_ROLES = (*INTAKE_ROLES, Role.AUDITOR)
# Who may see whom to call: the people who call. Auditors see the case, not the person.
PERSON_ROLES = frozenset(INTAKE_ROLES)
CLOSE_ROLES = (Role.CASE_MANAGER,)
ERASE_ROLES = (Role.CASE_MANAGER,)
# Documented with its pattern but checked by the domain, so a bad key is a 400 in words, not a 422.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description=(
            "Optional, per operator: a retry with the same key and report gets the first answer again "
            "(same case, nothing written twice); the same key with another report is refused (422). "
            "8 to 64 letters, digits, '-' or '_' (a UUID fits)."
        ),
    ),
    WithJsonSchema({"type": "string", "pattern": KEY_PATTERN}),
]


@dataclass(frozen=True, slots=True)
class CaseApi:
    verifier: TokenVerifier
    report: ReportCase
    commands: CaseCommands
    queries: CaseQueries
    clock: Clock
    due_soon: timedelta
    erase: EraseCase
    audit: AuditLog

    async def record(self, principal: Principal, action: str, file: CaseFile, **details: Detail) -> None:
        await self.audit.record(
            principal,
            action,
            resource_type="case",
            resource_id=file.case_id,
            municipality=file.municipality,
            case_id=file.case_id,
            details=details,
        )


def cases_router(api: CaseApi) -> APIRouter:
    router = APIRouter(prefix="/cases", tags=["cases"])
    current = authenticated(api.verifier)
    Intake = Annotated[Principal, Depends(require_roles(current, *INTAKE_ROLES))]
    Reader = Annotated[Principal, Depends(require_roles(current, *READ_ROLES))]
    Closer = Annotated[Principal, Depends(require_roles(current, *CLOSE_ROLES))]
    Eraser = Annotated[Principal, Depends(require_roles(current, *ERASE_ROLES))]

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=ReportAnswer,
        summary="Report an urgent case: triaged at once (201), or linked to the person's open case (200)",
        responses={status.HTTP_400_BAD_REQUEST: {"description": KEY_RULE}},
    )
    async def report_case(
        body: CaseReportIn, principal: Intake, response: Response, idempotency_key: IdempotencyKey = None
    ) -> ReportAnswer:
        ensure_municipality(principal, body.municipality, exists=False)
        outcome = await api.report(
            NewReport(
                municipality=body.municipality,
                household=body.household.to_domain(),
                adult_genders=tuple(body.household.adults),
                accessible_bed=body.household.accessible_bed,
                factors=frozenset(body.factors),
                needs=frozenset(body.needs),
                personal=PersonalData(
                    given_name=body.given_name,
                    family_name=body.family_name,
                    birth_date=body.birth_date,
                    phone=body.contact.phone,
                    email=str(body.contact.email) if body.contact.email else None,
                    fiscal_code=body.fiscal_code,
                    location=body.location,
                    notes=body.notes or None,
                ),
                preferred_language=body.contact.preferred_language,
                consent_to_contact=body.consent.contact,
                consent_to_data_processing=body.consent.data_processing,
                not_a_duplicate=body.not_a_duplicate,
            ),
            operator_id=principal.subject,
            idempotency_key=idempotency_key,
        )
        if not outcome.created:
            response.status_code = status.HTTP_200_OK
        action = "case.reported" if outcome.created else "case.report_linked"
        # A retry is audited as such: the trail shows who sent it, and that nothing changed.
        await api.record(principal, "case.report_replayed" if outcome.replayed else action, outcome.file)
        return report_answer(outcome)

    @router.get("", response_model=CaseListOut, summary="Cases of your municipalities, newest first")
    async def list_cases(
        principal: Reader,
        municipality: str | None = None,
        status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
        priority: Priority | None = None,
        sla_state: SlaState | None = None,
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> CaseListOut:
        scope = principal.municipalities
        if municipality is not None:
            ensure_municipality(principal, municipality, exists=False)
            scope = frozenset({municipality})
        now = api.clock()
        found = await api.queries.search(
            CaseQuery(
                municipalities=scope,
                now=now,
                status=status_,
                priority=priority,
                sla_state=sla_state,
                page=page,
                page_size=page_size,
                due_soon_within=api.due_soon,
            )
        )
        return CaseListOut(
            items=[summary(f, now, api.due_soon) for f in found.items],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
        )

    @router.get("/{case_id}", response_model=CaseDetailOut, summary="A case with its whole story")
    async def get_case(case_id: str, principal: Reader) -> CaseDetailOut:
        show_person = principal.has_any(PERSON_ROLES)
        file = await api.commands.load(case_id, principal.municipalities, open_personal=show_person)
        # Recorded before the answer leaves: no trail, no data.
        personal = show_person and file.personal is not None
        await api.record(principal, "case.read_personal_data" if personal else "case.read", file)
        return detail(file, api.clock(), api.due_soon, show_person=show_person)

    @router.patch("/{case_id}", response_model=CaseDetailOut, summary="New facts: the case is triaged again")
    async def update_case(case_id: str, body: CaseUpdateIn, principal: Intake) -> CaseDetailOut:
        update = FactsUpdate(
            household=body.household.to_domain() if body.household else None,
            adult_genders=tuple(body.household.adults) if body.household else None,
            accessible_bed=body.household.accessible_bed if body.household else None,
            factors=frozenset(body.factors) if body.factors is not None else None,
            needs=frozenset(body.needs) if body.needs is not None else None,
            location=body.location,
            notes=body.notes,
        )
        file = await api.commands.update_facts(case_id, principal.municipalities, principal.subject, update)
        await api.record(principal, "case.facts_updated", file)
        return detail(file, api.clock(), api.due_soon, show_person=False)

    @router.post(
        "/{case_id}/priority-override",
        response_model=CaseDetailOut,
        summary="Override the priority with a reason; the original triage is kept and published",
    )
    async def override_priority(case_id: str, body: OverrideIn, principal: Intake) -> CaseDetailOut:
        file = await api.commands.override_priority(
            case_id, principal.municipalities, principal.subject, priority=body.priority, reason=body.reason
        )
        previous = file.case.override.previous_priority if file.case.override else None
        await api.record(
            principal,
            "case.priority_overridden",
            file,
            priority=str(body.priority),
            previous_priority=str(previous) if previous else None,
        )
        return detail(file, api.clock(), api.due_soon, show_person=False)

    @router.post("/{case_id}/take-charge", response_model=CaseDetailOut, summary="Presa in carico")
    async def take_charge(case_id: str, principal: Intake) -> CaseDetailOut:
        file = await api.commands.take_charge(case_id, principal.municipalities, principal.subject)
        await api.record(principal, "case.taken_in_charge", file)
        return detail(file, api.clock(), api.due_soon, show_person=False)

    @router.post(
        "/{case_id}/needs/{need}/met",
        response_model=CaseDetailOut,
        summary="A need no service reports on (medical, legal, food) was met",
    )
    async def mark_need_met(case_id: str, need: Need, principal: Intake) -> CaseDetailOut:
        file = await api.commands.mark_need_met(case_id, principal.municipalities, principal.subject, need)
        await api.record(principal, "case.need_met", file, need=str(need))
        return detail(file, api.clock(), api.due_soon, show_person=False)

    @router.post("/{case_id}/close", response_model=CaseDetailOut, summary="Close the case with an outcome")
    async def close_case(case_id: str, body: CloseIn, principal: Closer) -> CaseDetailOut:
        file = await api.commands.close(
            case_id,
            principal.municipalities,
            principal.subject,
            outcome=body.outcome,
            duplicate_of=body.duplicate_of,
        )
        await api.record(principal, "case.closed", file, outcome=str(body.outcome))
        return detail(file, api.clock(), api.due_soon, show_person=False)

    @router.post(
        "/{case_id}/erase",
        response_model=CaseDetailOut,
        summary="Erase the person's data (GDPR art. 17): the data key is destroyed, the case stays",
    )
    async def erase_case(case_id: str, body: EraseIn, principal: Eraser) -> CaseDetailOut:
        outcome = await api.erase(
            case_id, principal.municipalities, actor=principal.subject, reason=body.reason
        )
        if outcome.erased_now:
            await api.record(principal, "case.erased", outcome.file, reason=str(body.reason))
        return detail(outcome.file, api.clock(), api.due_soon, show_person=False)

    return router
