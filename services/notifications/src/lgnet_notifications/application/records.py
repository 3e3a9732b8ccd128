"""What the use cases keep about a person and a message, beyond the pure domain objects."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lgnet_notifications.domain.channels import ContactData, OptOuts
from lgnet_notifications.domain.message import Notification, NotificationKey, NotificationStatus
from lgnet_notifications.domain.rules import Priority

# Fixed namespace: the public id of a notification is a pure function of its key, so every
# instance, and a provider callback, agree on it without a lookup.
_NOTIFICATION_NAMESPACE = uuid.UUID("9b4f5c1e-2f6a-5d63-8f0e-3c1a7b2d4e60")


def public_id(key: NotificationKey) -> str:
    """36 characters (event ids allow 64): the id in events, callbacks and Message-IDs."""
    return str(uuid.uuid5(_NOTIFICATION_NAMESPACE, str(key)))


def reference_for(case_id: str) -> str:
    """The short reference a person quotes on the phone. The tail of the case id, because
    the head of a UUIDv7 is a timestamp shared by every case opened in the same minute."""
    return "RR-" + case_id.replace("-", "")[-8:].upper()


@dataclass(frozen=True, slots=True)
class Recipient:
    """The person a case is about, as this service knows them; contact details stay sealed."""

    case_id: str
    municipality: str
    consent: bool
    language: str
    sealed_contact: Mapping[str, Any] | None
    opt_outs: OptOuts = field(default_factory=OptOuts)
    version: int = 0
    # The case was erased (GDPR art. 17): no contact is kept and nothing is sent any more.
    erased_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """Opened contact details: held in memory for one attempt, never stored or logged."""

    data: ContactData
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    notification: Notification
    case_id: str
    municipality: str
    correlation_id: str
    priority: Priority
    variables: Mapping[str, object] = field(default_factory=dict)
    version: int = 0
    provider: str | None = None
    segments: int = 0
    claim_until: datetime | None = None
    # Set when this one failed for good and the next channel is still to be created.
    failover_pending: bool = False
    dead: bool = False

    @property
    def key(self) -> NotificationKey:
        return self.notification.key

    @property
    def id(self) -> str:
        return str(self.notification.key)

    @property
    def notification_id(self) -> str:
        return public_id(self.notification.key)

    @property
    def status(self) -> NotificationStatus:
        return self.notification.status
