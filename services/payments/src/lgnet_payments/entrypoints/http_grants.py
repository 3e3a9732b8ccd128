"""The grant API: request, complete, decide, read. Thin: parse, authorise, call a use case, present."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from lgnet_payments.application.errors import GrantNotFoundError
from lgnet_payments.entrypoints.api import (
    APPROVE_ROLES,
    CANCEL_ROLES,
    GRANT_READ_ROLES,
    PERSONAL_ROLES,
    PREPARE_ROLES,
    PaymentsApi,
)
from lgnet_payments.entrypoints.schemas import ApproveIn, CancelIn, GrantDetailsIn, NewGrantIn, RejectIn
from lgnet_payments.entrypoints.views import GrantOut, grant_out
from lgnet_runtime.auth import Principal, authenticated, ensure_municipality, require_roles

GrantPath = Annotated[str, "grant id"]


def _personal(principal: Principal) -> bool:
    return principal.has_any(PERSONAL_ROLES)


def grants_router(api: PaymentsApi) -> APIRouter:
    router = APIRouter(prefix="/grants", tags=["grants"])
    current = authenticated(api.verifier)
    Preparer = Annotated[Principal, Depends(require_roles(current, *PREPARE_ROLES))]
    Approver = Annotated[Principal, Depends(require_roles(current, *APPROVE_ROLES))]
    Canceller = Annotated[Principal, Depends(require_roles(current, *CANCEL_ROLES))]
    Reader = Annotated[Principal, Depends(require_roles(current, *GRANT_READ_ROLES))]

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=GrantOut,
        summary="Request a grant with all its details; eligibility decides at once",
    )
    async def create_grant(body: NewGrantIn, principal: Preparer) -> GrantOut:
        ensure_municipality(principal, body.municipality, exists=False)
        file = await api.intake.create(
            municipality=body.municipality,
            case_id=body.case_id,
            details=body.details(),
            applicant=body.applicant(),
            actor=principal.subject,
        )
        await api.record_grant(principal, "grant.requested", file)
        return grant_out(file, personal=True)

    @router.get("", response_model=list[GrantOut], summary="Grants of your municipalities (no personal data)")
    async def list_grants(
        principal: Reader,
        status_filter: Annotated[str | None, Query(alias="status")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[GrantOut]:
        files = await api.grants.search(principal.municipalities, status_filter, limit)
        return [grant_out(f, personal=False) for f in files]

    @router.get("/{grant_id}", response_model=GrantOut, summary="A grant with every decision: who, when, why")
    async def get_grant(grant_id: GrantPath, principal: Reader) -> GrantOut:
        file = await api.grants.get(grant_id)
        if file is None:
            raise GrantNotFoundError(grant_id)
        ensure_municipality(principal, file.municipality)
        personal = _personal(principal)
        # Recorded before the answer leaves: no trail, no data.
        shown = personal and file.applicant is not None
        await api.record_grant(principal, "grant.read_personal_data" if shown else "grant.read", file)
        return grant_out(file, personal=personal)

    @router.put(
        "/{grant_id}/details",
        response_model=GrantOut,
        summary="Complete a request opened by triage; eligibility decides at once",
    )
    async def complete_details(grant_id: GrantPath, body: GrantDetailsIn, principal: Preparer) -> GrantOut:
        file = await api.intake.complete_details(
            grant_id,
            body.details(),
            body.applicant(),
            actor=principal.subject,
            scope=principal.municipalities,
        )
        await api.record_grant(principal, "grant.details_completed", file)
        return grant_out(file, personal=True)

    @router.post(
        "/{grant_id}/approve",
        response_model=GrantOut,
        summary="Approve a grant waiting for review (never by the person who prepared it)",
        responses={409: {"description": "same person as the preparer, wrong state, or outside the window"}},
    )
    async def approve(grant_id: GrantPath, principal: Approver, body: ApproveIn | None = None) -> GrantOut:
        why = body.why if body is not None else ApproveIn().why
        file = await api.decisions.approve(
            grant_id, approver=principal.subject, why=why, scope=principal.municipalities
        )
        await api.record_grant(principal, "grant.approved", file)
        return grant_out(file, personal=True)

    @router.post("/{grant_id}/reject", response_model=GrantOut, summary="Reject a grant, saying why")
    async def reject(grant_id: GrantPath, body: RejectIn, principal: Approver) -> GrantOut:
        file = await api.decisions.reject(
            grant_id, actor=principal.subject, reasons=list(body.reasons), scope=principal.municipalities
        )
        await api.record_grant(principal, "grant.rejected", file)
        return grant_out(file, personal=True)

    @router.post(
        "/{grant_id}/cancel", response_model=GrantOut, summary="Withdraw a grant not yet in a payment batch"
    )
    async def cancel(grant_id: GrantPath, body: CancelIn, principal: Canceller) -> GrantOut:
        file = await api.decisions.cancel(
            grant_id, actor=principal.subject, why=body.why, scope=principal.municipalities
        )
        await api.record_grant(principal, "grant.cancelled", file)
        return grant_out(file, personal=_personal(principal))

    return router
