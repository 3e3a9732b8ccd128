"""Events of the notifications service: a message asked for, sent and (perhaps) delivered."""

from typing import Annotated

from pydantic import Field

from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.topics import NOTIFICATIONS
from lgnet_contracts.types import Channel, EntityId, LanguageCode, ShortText, UtcDatetime

TemplateVariables = dict[
    Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")], Annotated[str, Field(max_length=300)]
]


class _Notification(EventPayload):
    topic = NOTIFICATIONS.name

    notification_id: EntityId


class NotificationRequested(_Notification):
    """Any service may ask for a message; variables come from an allow-list of harmless fields."""

    event_type = "notification.requested"

    template_id: Annotated[str, Field(pattern=r"^[a-z_.]{1,64}$")]
    locale: LanguageCode
    channel: Channel | None = None
    variables: TemplateVariables = Field(default_factory=dict)
    trigger_event_id: EntityId | None = None


class NotificationSent(_Notification):
    event_type = "notification.sent"

    channel: Channel
    provider: Annotated[str, Field(min_length=1, max_length=64)]
    provider_message_id: Annotated[str, Field(min_length=1, max_length=200)]
    attempt: Annotated[int, Field(ge=1)]
    segments: Annotated[int, Field(ge=0)] = 0


class NotificationDelivered(_Notification):
    event_type = "notification.delivered"

    channel: Channel
    delivered_at: UtcDatetime


class NotificationFailed(_Notification):
    event_type = "notification.failed"

    channel: Channel
    reason: ShortText
    attempts: Annotated[int, Field(ge=1)]
    final: bool
