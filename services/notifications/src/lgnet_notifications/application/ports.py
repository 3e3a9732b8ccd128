"""What the use cases need from the outside: providers behind one Channel protocol, and storage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lgnet_notifications.application.records import Contact, NotificationRecord, Recipient
from lgnet_notifications.domain.channels import Channel as ChannelKind
from lgnet_notifications.domain.message import NotificationEvent
from lgnet_notifications.rendering import RenderedMessage

Clock = Callable[[], datetime]


class ProviderFault(Exception):
    """The provider could not take the message now (timeout, 5xx, throttled): try again later.
    The text is ours (status codes, error names), never the provider's echo of the message."""


class ProviderRejected(Exception):
    """The provider refused the message for good (bad address, IO profile closed): no retry
    on this channel helps, the next channel may."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    notification_id: str
    # Same for every attempt of one notification: the provider drops a repeat it already took.
    idempotency_key: str
    to: str  # phone, email address or fiscal code: in memory for this call only
    content: RenderedMessage


@dataclass(frozen=True, slots=True)
class SendReceipt:
    provider_message_id: str
    segments: int = 0


class Channel(Protocol):
    """One way of reaching a person: email, SMS or App IO, each behind its provider."""

    @property
    def kind(self) -> ChannelKind: ...

    @property
    def provider(self) -> str: ...

    async def send(self, message: OutgoingMessage) -> SendReceipt:
        """Hand the message to the provider; raise ProviderFault or ProviderRejected."""
        ...


class ContactVault(Protocol):
    def open(self, recipient: Recipient) -> Contact:
        """The recipient's contact details, opened for one use; empty when there are none."""
        ...

    def phone_lookup(self, phone: str) -> str | None:
        """A keyed hash of the normalised number, to find a person by the number without storing it."""
        ...


class RecipientRepository(Protocol):
    async def add(self, recipient: Recipient, *, phone_lookup: str | None, handled: str) -> bool:
        """Store a new recipient; False when this case was registered already."""
        ...

    async def get(self, case_id: str) -> Recipient | None: ...

    async def by_phone_lookup(self, phone_lookup: str) -> Sequence[Recipient]: ...

    async def opt_out(self, case_id: str, channel: ChannelKind | None) -> bool:
        """Opt out of one channel, or of everything with None; False when the case is unknown."""
        ...

    async def erase(self, case_id: str, municipality: str, *, at: datetime, handled: str) -> bool:
        """Drop the sealed contact and the phone hash, stop every message; False when done before."""
        ...


class NotificationRepository(Protocol):
    async def add(
        self, record: NotificationRecord, events: Sequence[NotificationEvent], *, handled: str
    ) -> bool:
        """Create it with its events in one write; False when its key exists (a redelivery)."""
        ...

    async def save(
        self, record: NotificationRecord, events: Sequence[NotificationEvent]
    ) -> NotificationRecord | None:
        """Write the new state with its events if still at `record.version`; None on conflict."""
        ...

    async def get(self, notification_key: str) -> NotificationRecord | None: ...

    async def by_reference(
        self, *, provider_message_id: str | None, notification_id: str | None
    ) -> NotificationRecord | None: ...

    async def due(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        """Waiting for an attempt now: urgent ones first, then the longest waiting."""
        ...

    async def stale_attempts(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        """In flight past their lease: the process that sent them died."""
        ...

    async def pending_failovers(self, limit: int) -> Sequence[NotificationRecord]: ...

    async def clear_failover(self, notification_key: str) -> None: ...

    async def for_case(self, case_id: str) -> Sequence[NotificationRecord]: ...
