"""What providers tell us afterwards: delivery reports, and people replying STOP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from lgnet_notifications.application.ports import (
    Clock,
    ContactVault,
    NotificationRepository,
    RecipientRepository,
)
from lgnet_notifications.application.records import NotificationRecord
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.message import InvalidTransitionError, NotificationEvent, NotificationStatus
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


class DeliveryOutcome(StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # a repeated report, or one about a message that already ended
    UNKNOWN = "unknown"  # no such message: not ours, or not yet recorded
    TOO_EARLY = "too_early"  # it overtook our own record of the attempt: the provider should retry


class RecordDelivery:
    def __init__(
        self,
        notifications: NotificationRepository,
        clock: Clock,
        on_failover: Callable[[], None] = lambda: None,
    ) -> None:
        self._repo = notifications
        self._clock = clock
        self._on_failover = on_failover

    async def __call__(
        self,
        *,
        provider_message_id: str | None,
        notification_id: str | None,
        delivered: bool,
        at: datetime | None = None,
        detail: str = "",
    ) -> DeliveryOutcome:
        for _ in range(3):
            record = await self._repo.by_reference(
                provider_message_id=provider_message_id, notification_id=notification_id
            )
            if record is None:
                return DeliveryOutcome.UNKNOWN
            if record.status in (NotificationStatus.DELIVERED, NotificationStatus.FAILED):
                return DeliveryOutcome.UNCHANGED
            now = self._clock()
            events: tuple[NotificationEvent, ...]
            try:
                if delivered:
                    notification, events = record.notification.mark_delivered(at or now, provider_message_id)
                    updated = replace(record, notification=notification, claim_until=None)
                else:
                    notification, events = record.notification.mark_undelivered(detail or "undelivered", now)
                    updated = replace(
                        record,
                        notification=notification,
                        claim_until=None,
                        failover_pending=notification.next_channel is not None,
                    )
            except InvalidTransitionError:
                return DeliveryOutcome.TOO_EARLY
            saved = await self._repo.save(updated, events)
            if saved is not None:
                self._log(saved, delivered)
                if saved.failover_pending:
                    self._on_failover()  # the dispatcher creates the next channel's message
                return DeliveryOutcome.RECORDED
        return DeliveryOutcome.TOO_EARLY

    @staticmethod
    def _log(record: NotificationRecord, delivered: bool) -> None:
        log.info(
            "notification.delivered" if delivered else "notification.undelivered",
            notification_id=record.notification_id,
            case_id=record.case_id,
            channel=str(record.key.channel),
        )


class OptOut:
    """Opt-outs hold from the moment they are written: the dispatcher reads them before every
    attempt, so a message already queued for that channel is not sent either."""

    def __init__(
        self, recipients: RecipientRepository, vault: ContactVault, stop_keywords: list[str]
    ) -> None:
        self._recipients = recipients
        self._vault = vault
        self._stop = frozenset(word.strip().casefold() for word in stop_keywords)

    async def by_request(self, case_id: str, channel: Channel | None) -> bool:
        done = await self._recipients.opt_out(case_id, channel)
        if done:
            log.info(
                "recipient.opted_out", case_id=case_id, channel=str(channel) if channel else "all", via="api"
            )
        return done

    def is_stop(self, text: str) -> bool:
        words = text.strip().strip(".!").casefold()
        return words in self._stop

    async def by_sms_reply(self, sender_phone: str, text: str) -> int:
        """A STOP reply stops SMS to everyone known under that number; returns how many."""
        if not self.is_stop(text):
            return 0
        lookup = self._vault.phone_lookup(sender_phone)
        if lookup is None:
            return 0
        stopped = 0
        for recipient in await self._recipients.by_phone_lookup(lookup):
            await self._recipients.opt_out(recipient.case_id, Channel.SMS)
            log.info(
                "recipient.opted_out", case_id=recipient.case_id, channel=str(Channel.SMS), via="sms_reply"
            )
            stopped += 1
        return stopped
