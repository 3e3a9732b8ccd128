"""Domain events of a notification -> `notification.*` contract events, keyed by case id.

They carry ids, channel, provider and status only: never an address, a text or a name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lgnet_contracts import Envelope, EventPayload, new_event
from lgnet_contracts.events import notifications as contract
from lgnet_contracts.types import Channel as ContractChannel
from lgnet_notifications.application.records import NotificationRecord
from lgnet_notifications.domain import message as domain

PRODUCER = "notifications"


def _trigger_id(record: NotificationRecord) -> str:
    # Two rules on one event suffix the event id with the template; the event itself is the head.
    return record.key.event_id.split(".", 1)[0]


def _causation(record: NotificationRecord) -> uuid.UUID | None:
    try:
        return uuid.UUID(_trigger_id(record))
    except ValueError:
        return None


def _payload(record: NotificationRecord, event: domain.NotificationEvent) -> EventPayload:
    channel = ContractChannel(record.key.channel.value)
    notification_id = record.notification_id
    if isinstance(event, domain.NotificationRequested):
        return contract.NotificationRequested(
            notification_id=notification_id,
            template_id=event.template_id,
            locale=str(record.notification.locale),
            channel=channel,
            trigger_event_id=_trigger_id(record),
        )
    if isinstance(event, domain.NotificationSent):
        return contract.NotificationSent(
            notification_id=notification_id,
            channel=channel,
            provider=record.provider or "unknown",
            provider_message_id=event.provider_message_id[:200],
            attempt=max(1, event.attempts),
            segments=record.segments,
        )
    if isinstance(event, domain.NotificationDelivered):
        return contract.NotificationDelivered(
            notification_id=notification_id, channel=channel, delivered_at=event.occurred_at
        )
    return contract.NotificationFailed(
        notification_id=notification_id,
        channel=channel,
        reason=f"{event.reason}: {event.detail}"[:500],
        # A message stopped by an opt-out before any attempt still counts as one decision.
        attempts=max(1, event.attempts),
        # Final means the person will not get this message on any channel.
        final=not record.failover_pending,
    )


def to_envelopes(
    record: NotificationRecord, events: Sequence[domain.NotificationEvent]
) -> list[Envelope[Any]]:
    envelopes: list[Envelope[Any]] = []
    for event in events:
        envelope = new_event(
            _payload(record, event),
            producer=PRODUCER,
            municipality=record.municipality,
            case_id=record.case_id,
            correlation_id=uuid.UUID(record.correlation_id),
            occurred_at=event.occurred_at,
        )
        envelopes.append(envelope.model_copy(update={"causation_id": _causation(record)}))
    return envelopes
