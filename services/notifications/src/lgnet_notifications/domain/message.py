"""The Notification aggregate: one message to one person over one channel, sent once.

Key (event_id, recipient_id, channel) makes a redelivered event a no-op; the same key,
as a string, is the idempotency key given to providers so that a crash between their
acceptance and our record does not send twice. Each transition returns the new state and
the domain events it causes, to be saved together in one document write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from lgnet_notifications.domain.backoff import RandomSource, RetryPolicy
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale


class NotificationStatus(StrEnum):
    REQUESTED = "requested"  # waiting for its (next) attempt, at next_attempt_at
    SENDING = "sending"  # an attempt is in flight with the provider
    SENT = "sent"  # the provider accepted it (provider_message_id)
    DELIVERED = "delivered"  # the provider's callback confirmed delivery
    FAILED = "failed"  # final on this channel; failover may start the next one


TERMINAL = frozenset({NotificationStatus.DELIVERED, NotificationStatus.FAILED})


class FailureReason(StrEnum):
    REJECTED = "rejected"  # the provider refused it for good (bad number, IO profile closed)
    UNDELIVERED = "undelivered"  # accepted, then reported not delivered
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"  # dead: provider faults on every attempt
    OPTED_OUT = "opted_out"  # the person opted out before it left


class InvalidTransitionError(Exception):
    def __init__(self, status: NotificationStatus, action: str) -> None:
        super().__init__(f"cannot {action} a notification that is {status}")
        self.status = status
        self.action = action


@dataclass(frozen=True, slots=True)
class NotificationKey:
    event_id: str
    recipient_id: str
    channel: Channel

    def __str__(self) -> str:
        return f"{self.event_id}:{self.recipient_id}:{self.channel}"


@dataclass(frozen=True, slots=True)
class NotificationRequested:
    key: NotificationKey
    template_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationSent:
    key: NotificationKey
    provider_message_id: str
    attempts: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationDelivered:
    key: NotificationKey
    provider_message_id: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class NotificationFailed:
    key: NotificationKey
    reason: FailureReason
    detail: str
    attempts: int
    dead: bool  # retries ran out: the application parks it as a dead letter
    next_channel: Channel | None
    occurred_at: datetime


NotificationEvent = NotificationRequested | NotificationSent | NotificationDelivered | NotificationFailed


@dataclass(frozen=True, slots=True)
class Notification:
    key: NotificationKey
    event_type: str
    template_id: str
    locale: Locale
    status: NotificationStatus
    requested_at: datetime
    updated_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    provider_message_id: str | None = None
    failure: FailureReason | None = None
    failure_detail: str | None = None
    # The channels still to try after this one, in order, fixed when the first was chosen.
    fallback_channels: tuple[Channel, ...] = ()

    @property
    def idempotency_key(self) -> str:
        return str(self.key)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def next_channel(self) -> Channel | None:
        return self.fallback_channels[0] if self.fallback_channels else None

    @classmethod
    def request(
        cls,
        *,
        key: NotificationKey,
        event_type: str,
        template_id: str,
        locale: Locale,
        now: datetime,
        fallback_channels: tuple[Channel, ...] = (),
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        _require_aware(now)
        notification = cls(
            key=key,
            event_type=event_type,
            template_id=template_id,
            locale=locale,
            status=NotificationStatus.REQUESTED,
            requested_at=now,
            updated_at=now,
            next_attempt_at=now,
            fallback_channels=tuple(c for c in fallback_channels if c is not key.channel),
        )
        return notification, (NotificationRequested(key, template_id, now),)

    def is_due(self, now: datetime) -> bool:
        return (
            self.status is NotificationStatus.REQUESTED
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )

    def start_attempt(self, now: datetime) -> Notification:
        """Claim it for one attempt; the attempt counts even if the process then dies."""
        self._expect({NotificationStatus.REQUESTED}, "start an attempt on")
        _require_aware(now)
        return replace(
            self,
            status=NotificationStatus.SENDING,
            attempts=self.attempts + 1,
            next_attempt_at=None,
            updated_at=now,
        )

    def mark_sent(
        self, provider_message_id: str, now: datetime
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        self._expect({NotificationStatus.SENDING}, "mark sent")
        sent = replace(
            self, status=NotificationStatus.SENT, provider_message_id=provider_message_id, updated_at=now
        )
        return sent, (NotificationSent(self.key, provider_message_id, sent.attempts, now),)

    def record_fault(
        self, detail: str, now: datetime, policy: RetryPolicy, random: RandomSource
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        """A provider fault worth retrying: schedule the next attempt, or die after the last."""
        self._expect({NotificationStatus.SENDING}, "record a fault on")
        if self.attempts >= policy.max_attempts:
            return self._fail(FailureReason.ATTEMPTS_EXHAUSTED, detail, now, dead=True)
        retry = replace(
            self,
            status=NotificationStatus.REQUESTED,
            next_attempt_at=now + policy.delay(self.attempts, random),
            failure_detail=detail,
            updated_at=now,
        )
        return retry, ()

    def reject(
        self, reason: FailureReason, detail: str, now: datetime
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        """A failure no retry can fix (refused by the provider, or opted out meanwhile)."""
        self._expect({NotificationStatus.REQUESTED, NotificationStatus.SENDING}, "reject")
        return self._fail(reason, detail, now, dead=False)

    def mark_delivered(
        self, now: datetime, provider_message_id: str | None = None
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        """Provider callback. Accepted while SENDING too: the callback can beat our own
        record of the acceptance if we crashed in between."""
        if self.status is NotificationStatus.DELIVERED:
            return self, ()  # callbacks are redelivered; the second one changes nothing
        self._expect({NotificationStatus.SENDING, NotificationStatus.SENT}, "mark delivered")
        message_id = provider_message_id or self.provider_message_id
        delivered = replace(
            self, status=NotificationStatus.DELIVERED, provider_message_id=message_id, updated_at=now
        )
        return delivered, (NotificationDelivered(self.key, message_id, now),)

    def mark_undelivered(
        self, detail: str, now: datetime
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        if self.status is NotificationStatus.FAILED:
            return self, ()
        self._expect({NotificationStatus.SENDING, NotificationStatus.SENT}, "mark undelivered")
        return self._fail(FailureReason.UNDELIVERED, detail, now, dead=False)

    def fail_over(self, now: datetime) -> tuple[Notification, tuple[NotificationEvent, ...]] | None:
        """A new Notification on the next channel, or None when there is none left.
        Whether to fail over is the caller's call: not after a global STOP, for one."""
        self._expect({NotificationStatus.FAILED}, "fail over from")
        if self.next_channel is None:
            return None
        return Notification.request(
            key=NotificationKey(self.key.event_id, self.key.recipient_id, self.next_channel),
            event_type=self.event_type,
            template_id=self.template_id,
            locale=self.locale,
            now=now,
            fallback_channels=self.fallback_channels[1:],
        )

    def _fail(
        self, reason: FailureReason, detail: str, now: datetime, *, dead: bool
    ) -> tuple[Notification, tuple[NotificationEvent, ...]]:
        failed = replace(
            self,
            status=NotificationStatus.FAILED,
            failure=reason,
            failure_detail=detail,
            next_attempt_at=None,
            updated_at=now,
        )
        event = NotificationFailed(self.key, reason, detail, self.attempts, dead, self.next_channel, now)
        return failed, (event,)

    def _expect(self, allowed: set[NotificationStatus], action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError(self.status, action)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware (UTC)")
