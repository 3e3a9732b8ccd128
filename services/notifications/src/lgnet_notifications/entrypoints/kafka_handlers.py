"""Kafka handlers: from the envelope to the use case, nothing else."""

from __future__ import annotations

from lgnet_notifications.application.intake import RegisterRecipient, RequestNotifications
from lgnet_runtime.consumer import Handler


def build_handlers(register: RegisterRecipient, request: RequestNotifications) -> dict[str, Handler]:
    """`case.reported` registers the person; every event of the rule table asks for its
    messages; `notification.requested` lets another service ask for one."""
    handlers: dict[str, Handler] = {event_type: request.on_event for event_type in request.event_types}
    handlers["case.reported"] = register
    handlers["notification.requested"] = request.on_requested
    return handlers
