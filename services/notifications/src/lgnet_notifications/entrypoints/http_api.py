"""HTTP: opt-out, provider callbacks, and the status of a case's notifications."""

import hmac
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import AwareDatetime, BaseModel, Field

from lgnet_contracts.types import CaseId
from lgnet_notifications.application.delivery import DeliveryOutcome, OptOut, RecordDelivery
from lgnet_notifications.application.queries import ListCaseNotifications
from lgnet_notifications.domain.channels import Channel
from lgnet_runtime.audit import AuditLog
from lgnet_runtime.auth import (
    Principal,
    Role,
    TokenVerifier,
    authenticated,
    ensure_municipality,
    require_roles,
)


class OptOutRequest(BaseModel):
    case_id: CaseId
    # None: every channel.
    channel: Channel | None = None


class OptOutAnswer(BaseModel):
    case_id: str
    opted_out: str


class DeliveryReport(BaseModel):
    message_id: Annotated[str, Field(min_length=1, max_length=200)]
    client_ref: Annotated[str, Field(max_length=64)] | None = None
    status: Literal["delivered", "failed", "undelivered", "expired"]
    at: AwareDatetime | None = None
    error: Annotated[str, Field(max_length=200)] | None = None


class InboundSms(BaseModel):
    from_: Annotated[str, Field(alias="from", min_length=3, max_length=32)]
    text: Annotated[str, Field(max_length=1600)]


class NotificationStatusView(BaseModel):
    notification_id: str
    trigger_event_type: str
    template_id: str
    channel: Channel
    locale: str
    status: str
    attempts: int
    requested_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    provider: str | None
    failure: str | None
    failure_detail: str | None
    dead: bool


class CaseNotificationsView(BaseModel):
    case_id: str
    # Set once the case was erased: no contact is kept, nothing more is sent.
    contact_erased_at: datetime | None = None
    notifications: list[NotificationStatusView]


def callbacks_router(record_delivery: RecordDelivery, opt_out: OptOut, callback_token: str) -> APIRouter:
    router = APIRouter(prefix="/callbacks/sms", tags=["provider callbacks"])

    def verify(x_callback_token: Annotated[str | None, Header()] = None) -> None:
        # Anyone who can reach the URL could otherwise mark messages delivered or stop them;
        # without a configured token the callbacks stay shut (fail closed), never open.
        if not callback_token or not hmac.compare_digest(x_callback_token or "", callback_token):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bad callback token")

    @router.post("/delivery", summary="Delivery report from the SMS gateway", dependencies=[Depends(verify)])
    async def delivery(report: DeliveryReport) -> dict[str, str]:
        delivered = report.status == "delivered"
        outcome = await record_delivery(
            provider_message_id=report.message_id,
            notification_id=report.client_ref,
            delivered=delivered,
            at=report.at,
            detail=f"gateway reported {report.status}",
        )
        if outcome is DeliveryOutcome.UNKNOWN:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such message")
        if outcome is DeliveryOutcome.TOO_EARLY:
            # The gateway retries a non-2xx report; by then our record of the attempt is there.
            raise HTTPException(status.HTTP_409_CONFLICT, "report ahead of our record; retry")
        return {"outcome": str(outcome)}

    @router.post("/inbound", summary="A reply to one of our SMS (STOP)", dependencies=[Depends(verify)])
    async def inbound(message: InboundSms) -> dict[str, int]:
        return {"stopped": await opt_out.by_sms_reply(message.from_, message.text)}

    return router


def api_router(
    verifier: TokenVerifier, opt_out: OptOut, queries: ListCaseNotifications, audit: AuditLog
) -> APIRouter:
    router = APIRouter(tags=["notifications"])
    current = authenticated(verifier)
    may_opt_out = require_roles(current, Role.CASE_MANAGER, Role.HOTLINE_OPERATOR)
    may_read = require_roles(current, Role.CASE_MANAGER, Role.HOTLINE_OPERATOR, Role.AUDITOR)

    @router.post("/notifications/opt-out", summary="The person asked us to stop writing to them")
    async def post_opt_out(
        request: OptOutRequest, principal: Annotated[Principal, Depends(may_opt_out)]
    ) -> OptOutAnswer:
        municipality = await queries.municipality_of(request.case_id)
        if municipality is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        ensure_municipality(principal, municipality)
        await opt_out.by_request(request.case_id, request.channel)
        await audit.record(
            principal,
            "recipient.opted_out",
            resource_type="recipient",
            resource_id=request.case_id,
            municipality=municipality,
            case_id=request.case_id,
            details={"channel": str(request.channel or "all")},
        )
        return OptOutAnswer(case_id=request.case_id, opted_out=str(request.channel or "all"))

    @router.get("/cases/{case_id}/notifications", summary="What the person was sent, and how it went")
    async def case_notifications(
        case_id: CaseId, principal: Annotated[Principal, Depends(may_read)]
    ) -> CaseNotificationsView:
        found = await queries(case_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        ensure_municipality(principal, found.municipality)
        # Recorded before the answer leaves: what a person was told, and when, is about them.
        await audit.record(
            principal,
            "case.read_notifications",
            resource_type="case",
            resource_id=case_id,
            municipality=found.municipality,
            case_id=case_id,
        )
        return CaseNotificationsView(
            case_id=case_id,
            contact_erased_at=found.contact_erased_at,
            notifications=[
                NotificationStatusView(
                    notification_id=r.notification_id,
                    trigger_event_type=r.notification.event_type,
                    template_id=r.notification.template_id,
                    channel=r.key.channel,
                    locale=str(r.notification.locale),
                    status=str(r.status),
                    attempts=r.notification.attempts,
                    requested_at=r.notification.requested_at,
                    updated_at=r.notification.updated_at,
                    next_attempt_at=r.notification.next_attempt_at,
                    provider=r.provider,
                    failure=str(r.notification.failure) if r.notification.failure else None,
                    failure_detail=r.notification.failure_detail,
                    dead=r.dead,
                )
                for r in found.notifications
            ],
        )

    return router
