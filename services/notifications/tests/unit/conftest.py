"""In-memory stand-ins for the ports, a settable clock, and a dispatcher built on them (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lgnet_notifications.application.dispatcher import DispatchConfig, Dispatcher
from lgnet_notifications.application.ports import OutgoingMessage, SendReceipt
from lgnet_notifications.application.records import Contact, NotificationRecord, Recipient
from lgnet_notifications.domain.backoff import RetryPolicy
from lgnet_notifications.domain.channels import Channel, ContactData, OptOuts
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.message import Notification, NotificationEvent, NotificationKey
from lgnet_notifications.domain.rate_limit import RateLimiter
from lgnet_notifications.domain.rules import Priority
from lgnet_notifications.rendering import Renderer

T0 = datetime(2025, 3, 12, 19, 0, tzinfo=UTC)
CASE = "0f8fad5b-d9cb-469f-a165-70867728950e"
ROMA = "058091"
PHONE, EMAIL, CF = "+393331234567", "amina@example.org", "RSSMRA85T10A562S"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.mono = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


class MemoryRecipients:
    def __init__(self) -> None:
        self.by_case: dict[str, Recipient] = {}
        self.lookups: dict[str, str | None] = {}
        self.handled: set[str] = set()

    async def add(self, recipient: Recipient, *, phone_lookup: str | None, handled: str) -> bool:
        if recipient.case_id in self.by_case:
            return False
        self.by_case[recipient.case_id] = replace(recipient, version=1)
        self.lookups[recipient.case_id] = phone_lookup
        self.handled.add(handled)
        return True

    async def get(self, case_id: str) -> Recipient | None:
        return self.by_case.get(case_id)

    async def by_phone_lookup(self, phone_lookup: str) -> Sequence[Recipient]:
        return [self.by_case[c] for c, lookup in self.lookups.items() if lookup == phone_lookup]

    async def opt_out(self, case_id: str, channel: Channel | None) -> bool:
        current = self.by_case.get(case_id)
        if current is None:
            return False
        opt = current.opt_outs
        opt = (
            OptOuts(everything=True, channels=opt.channels)
            if channel is None
            else (OptOuts(everything=opt.everything, channels=opt.channels | {channel}))
        )
        self.by_case[case_id] = replace(current, opt_outs=opt, version=current.version + 1)
        return True


class MemoryNotifications:
    """Keeps versions and the events each write carried, like the Mongo adapter with its outbox."""

    def __init__(self) -> None:
        self.records: dict[str, NotificationRecord] = {}
        self.events: list[tuple[NotificationRecord, NotificationEvent]] = []
        self.handled: dict[str, set[str]] = {}

    async def add(
        self, record: NotificationRecord, events: Sequence[NotificationEvent], *, handled: str
    ) -> bool:
        if record.id in self.records:
            return False
        stored = replace(record, version=1)
        self.records[record.id] = stored
        self.handled[record.id] = {handled}
        self.events.extend((stored, e) for e in events)
        return True

    async def save(
        self, record: NotificationRecord, events: Sequence[NotificationEvent]
    ) -> NotificationRecord | None:
        current = self.records.get(record.id)
        if current is None or current.version != record.version:
            return None
        stored = replace(record, version=record.version + 1)
        self.records[record.id] = stored
        self.events.extend((stored, e) for e in events)
        return stored

    async def get(self, notification_key: str) -> NotificationRecord | None:
        return self.records.get(notification_key)

    async def by_reference(
        self, *, provider_message_id: str | None, notification_id: str | None
    ) -> NotificationRecord | None:
        for record in self.records.values():
            if provider_message_id and record.notification.provider_message_id == provider_message_id:
                return record
        for record in self.records.values():
            if notification_id and record.notification_id == notification_id:
                return record
        return None

    async def due(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        due = [r for r in self.records.values() if r.notification.is_due(now)]
        rank = {Priority.URGENT: 0, Priority.TRANSACTIONAL: 1}
        due.sort(key=lambda r: (rank[r.priority], r.notification.next_attempt_at or now))
        return due[:limit]

    async def stale_attempts(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        return [
            r
            for r in self.records.values()
            if r.status == "sending" and r.claim_until is not None and r.claim_until < now
        ][:limit]

    async def pending_failovers(self, limit: int) -> Sequence[NotificationRecord]:
        return [r for r in self.records.values() if r.failover_pending][:limit]

    async def clear_failover(self, notification_key: str) -> None:
        current = self.records[notification_key]
        self.records[notification_key] = replace(current, failover_pending=False, version=current.version + 1)

    async def for_case(self, case_id: str) -> Sequence[NotificationRecord]:
        return [r for r in self.records.values() if r.case_id == case_id]

    def of_type(self, kind: type[Any]) -> list[tuple[NotificationRecord, Any]]:
        return [(r, e) for r, e in self.events if isinstance(e, kind)]


class PlainVault:
    """Contact details kept in clear in `sealed_contact`: sealing is the adapter's business."""

    def open(self, recipient: Recipient) -> Contact:
        raw = recipient.sealed_contact or {}
        return Contact(
            ContactData(
                phone_e164=raw.get("phone"), email=raw.get("email"), fiscal_code=raw.get("fiscal_code")
            ),
            first_name=raw.get("first_name"),
        )

    def phone_lookup(self, phone: str) -> str | None:
        digits = "".join(ch for ch in phone if ch.isdigit())
        return f"h:{digits[-10:]}" if digits else None


@dataclass
class FakeChannel:
    """Our Channel protocol in memory; honours idempotency keys as the real providers do."""

    kind: Channel
    provider: str
    script: list[Exception] = field(default_factory=list)  # raised by the next sends, in order
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> message id
    sent: list[OutgoingMessage] = field(default_factory=list)  # unique messages that went out
    calls: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, message: OutgoingMessage) -> SendReceipt:
        self.calls.append(message)
        if self.script:
            raise self.script.pop(0)
        if message.idempotency_key in self.accepted:
            return SendReceipt(self.accepted[message.idempotency_key], 1)
        message_id = f"{self.provider}-{len(self.accepted) + 1}"
        self.accepted[message.idempotency_key] = message_id
        self.sent.append(message)
        return SendReceipt(message_id, 1)


@dataclass
class World:
    clock: Clock
    recipients: MemoryRecipients
    notifications: MemoryNotifications
    vault: PlainVault
    sms: FakeChannel
    email: FakeChannel
    app_io: FakeChannel

    def dispatcher(
        self,
        *,
        max_attempts: int = 3,
        rates: dict[str, float] | None = None,
        max_sms_segments: int = 3,
        channels: Sequence[Any] | None = None,
    ) -> Dispatcher:
        return Dispatcher(
            notifications=self.notifications,
            recipients=self.recipients,
            vault=self.vault,
            channels=list(channels) if channels is not None else [self.sms, self.email, self.app_io],
            renderer=Renderer(max_sms_segments=max_sms_segments),
            limiter=RateLimiter(rates or {}),
            config=DispatchConfig(
                policy=RetryPolicy(
                    base=timedelta(seconds=10), cap=timedelta(minutes=5), max_attempts=max_attempts
                ),
                lease=timedelta(minutes=2),
            ),
            clock=self.clock,
            monotonic=self.clock.monotonic,
            random_source=lambda: 0.5,
        )

    def person(
        self,
        *,
        case_id: str = CASE,
        phone: str | None = PHONE,
        email: str | None = EMAIL,
        fiscal_code: str | None = None,
        language: str = "en",
        consent: bool = True,
    ) -> Recipient:
        contact = {"phone": phone, "email": email, "fiscal_code": fiscal_code, "first_name": "Amina"}
        recipient = Recipient(case_id, ROMA, consent, language, contact, version=1)
        self.recipients.by_case[case_id] = recipient
        self.recipients.lookups[case_id] = self.vault.phone_lookup(phone) if phone else None
        return recipient

    async def queue(
        self,
        *,
        channels: tuple[Channel, ...] = (Channel.SMS, Channel.EMAIL),
        event_id: str = "evt-1",
        template_id: str = "case_received",
        locale: Locale = Locale.EN,
        priority: Priority = Priority.TRANSACTIONAL,
        variables: dict[str, object] | None = None,
        case_id: str = CASE,
    ) -> NotificationRecord:
        notification, events = Notification.request(
            key=NotificationKey(event_id, case_id, channels[0]),
            event_type="case.triaged",
            template_id=template_id,
            locale=locale,
            now=self.clock(),
            fallback_channels=channels[1:],
        )
        record = NotificationRecord(
            notification=notification,
            case_id=case_id,
            municipality=ROMA,
            correlation_id="6f1c7a3e-8d6b-4a39-9d0a-3b0d7a1f2c11",
            priority=priority,
            variables=variables
            if variables is not None
            else {"reference": "RR-1", "hotline_phone": "+39 06 0606"},
        )
        await self.notifications.add(record, events, handled=event_id)
        return self.notifications.records[record.id]


@pytest.fixture
def world() -> World:
    return World(
        clock=Clock(),
        recipients=MemoryRecipients(),
        notifications=MemoryNotifications(),
        vault=PlainVault(),
        sms=FakeChannel(Channel.SMS, "sms_gateway"),
        email=FakeChannel(Channel.EMAIL, "smtp"),
        app_io=FakeChannel(Channel.APP_IO, "app_io"),
    )
