"""Kafka handlers: from the envelope to the use case, nothing else."""

from __future__ import annotations

from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseErased
from lgnet_notifications.application.erasure import EraseRecipient
from lgnet_notifications.application.intake import RegisterRecipient, RequestNotifications
from lgnet_runtime.audit import Actor, AuditLog
from lgnet_runtime.consumer import Handler


def build_handlers(
    register: RegisterRecipient, request: RequestNotifications, erase: EraseRecipient, audit: AuditLog
) -> dict[str, Handler]:
    """`case.reported` registers the person; every event of the rule table asks for its
    messages; `notification.requested` lets another service ask for one; `case.erased`
    forgets the person's contact."""

    async def on_case_erased(event: Envelope[Any]) -> None:
        done = await erase(event)
        if done is not None and done.erased_now:
            await audit.record(
                Actor.system("erasure"),
                "recipient.contact_erased",
                resource_type="recipient",
                resource_id=done.case_id,
                municipality=done.municipality,
                case_id=done.case_id,
            )

    handlers: dict[str, Handler] = {event_type: request.on_event for event_type in request.event_types}
    handlers["case.reported"] = register
    handlers["notification.requested"] = request.on_requested
    handlers[CaseErased.event_type] = on_case_erased
    return handlers
