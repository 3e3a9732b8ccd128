"""The dispatcher: sends due notifications, each once, and records what the provider said.

Exactly once per (event, recipient, channel)
    1. A notification's id is its NotificationKey (trigger event, recipient, channel). It is
       created in one write with its `notification.requested` event and the trigger's id, so a
       redelivered event collides with it and creates nothing.
    2. Before the provider is called the attempt is claimed: status `sending`, attempts + 1 and
       a lease, in one write conditional on the version. Two dispatchers (or two instances)
       never send the same notification at the same time.
    3. The provider receives the key as an idempotency key (SMS gateway and App IO: the
       `Idempotency-Key` header; email: a Message-ID derived from it). If the process dies
       after the provider accepted but before `sent` is recorded, the lease runs out, the
       attempt is made again with the same key, and the provider answers with the message it
       already took instead of sending a second one; only then is `sent` recorded. SMTP knows
       no such key: the repeated Message-ID lets the receiving mail system drop the copy, so
       email is at-least-once in that one window.
    4. A delivery callback may overtake our record of `sent`; the domain accepts `delivered`
       while `sending` for that reason.

Failover
    A notification that fails for good on its channel (refused, reported undelivered, or dead
    after `max_attempts` faults) is written `failed` with `failover_pending` and its
    `notification.failed` (final=false). Then the next channel's notification is inserted with
    key (event, recipient, next channel), derived, so inserting it twice is harmless, and the
    flag is cleared. A crash between those writes leaves the flag set; the next round finishes
    the job. An opt-out of everything ends the chain (final=true).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from lgnet_notifications.application.ports import (
    Channel,
    Clock,
    ContactVault,
    NotificationRepository,
    OutgoingMessage,
    ProviderFault,
    ProviderRejected,
    RecipientRepository,
    SendReceipt,
)
from lgnet_notifications.application.records import NotificationRecord
from lgnet_notifications.domain.backoff import RandomSource, RetryPolicy
from lgnet_notifications.domain.channels import Channel as ChannelKind
from lgnet_notifications.domain.channels import ContactData
from lgnet_notifications.domain.message import (
    FailureReason,
    NotificationEvent,
    NotificationSent,
    NotificationStatus,
)
from lgnet_notifications.domain.rate_limit import RateLimiter
from lgnet_notifications.rendering import Renderer, RenderError
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    policy: RetryPolicy
    lease: timedelta = timedelta(minutes=2)
    send_timeout_seconds: float = 15.0
    batch_size: int = 100
    concurrency: int = 8
    poll_seconds: float = 1.0
    timezone: str = "Europe/Rome"


def address_for(contact: ContactData, kind: ChannelKind) -> str | None:
    if not contact.can_reach(kind):
        return None
    if kind is ChannelKind.SMS:
        return contact.phone_e164
    if kind is ChannelKind.EMAIL:
        return contact.email
    return contact.fiscal_code.upper() if contact.fiscal_code else None


class Dispatcher:
    def __init__(
        self,
        *,
        notifications: NotificationRepository,
        recipients: RecipientRepository,
        vault: ContactVault,
        channels: Sequence[Channel],
        renderer: Renderer,
        limiter: RateLimiter,
        config: DispatchConfig,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        random_source: RandomSource = random.random,
    ) -> None:
        self._repo = notifications
        self._recipients = recipients
        self._vault = vault
        self._channels = {channel.kind: channel for channel in channels}
        self._renderer = renderer
        self._limiter = limiter
        self._config = config
        self._clock = clock
        self._monotonic = monotonic
        self._random = random_source
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._rate_wait: float | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def wake(self) -> None:
        """Called when a notification was created, so it leaves without waiting for a poll."""
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="notifications-dispatcher")

    async def stop(self) -> None:
        """Let the round in hand finish (its attempts get recorded), then return."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                attempted = await self.run_once()
                failures = 0
            except Exception as exc:  # the database is away: back off, never spin
                failures += 1
                delay = min(30.0, 0.2 * 2**failures) * random.uniform(0.5, 1.0)
                log.warning("dispatcher.round_failed", error=type(exc).__name__, retry_in_s=round(delay, 2))
                await self._pause(delay)
                continue
            if attempted == 0:
                wait = self._config.poll_seconds
                if self._rate_wait is not None:
                    wait = min(wait, max(self._rate_wait, 0.01))
                await self._pause(wait)

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless woken by a new notification or by stop()."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    # -- one round -------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Recover interrupted attempts, finish failovers, then attempt what is due.
        Returns how many attempts were made."""
        now = self._clock()
        self._rate_wait = None
        for record in await self._repo.stale_attempts(now, self._config.batch_size):
            await self._fault(record, "attempt interrupted before the provider answered")
        for record in await self._repo.pending_failovers(self._config.batch_size):
            await self._fail_over(record)
        due = await self._repo.due(now, self._config.batch_size)
        gate = asyncio.Semaphore(self._config.concurrency)

        async def one(record: NotificationRecord) -> int:
            async with gate:
                return await self._attempt(record)

        results = await asyncio.gather(*(one(r) for r in due), return_exceptions=True)
        attempted = 0
        for record, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                # Left as it is: a claimed one comes back when its lease runs out.
                log.warning(
                    "notification.attempt_error",
                    notification_id=record.notification_id,
                    error=type(result).__name__,
                )
            else:
                attempted += result
        return attempted

    async def _attempt(self, record: NotificationRecord) -> int:
        kind = record.key.channel
        channel = self._channels.get(kind)
        if channel is None:
            # The channel was switched off since the notification was created: try the next one.
            await self._reject(record, FailureReason.REJECTED, f"channel {kind} is not configured", True)
            return 1
        if not self._limiter.try_acquire(channel.provider, self._monotonic()):
            wait = self._limiter.wait_seconds(channel.provider, self._monotonic())
            self._rate_wait = wait if self._rate_wait is None else min(self._rate_wait, wait)
            return 0
        now = self._clock()
        claimed = await self._repo.save(
            replace(
                record,
                notification=record.notification.start_attempt(now),
                claim_until=now + self._config.lease,
            ),
            (),
        )
        if claimed is None:  # another dispatcher took it, or a callback changed it
            self._limiter.release(channel.provider)
            return 0
        await self._deliver(claimed, channel)
        return 1

    async def _deliver(self, record: NotificationRecord, channel: Channel) -> None:
        kind = channel.kind
        recipient = await self._recipients.get(record.case_id)
        if recipient is None:
            await self._reject(record, FailureReason.REJECTED, "recipient unknown", False)
            return
        if recipient.opt_outs.everything:
            await self._reject(record, FailureReason.OPTED_OUT, "opted out of every message", False)
            return
        if recipient.opt_outs.excludes(kind):
            await self._reject(record, FailureReason.OPTED_OUT, f"opted out of {kind}", True)
            return
        try:
            contact = self._vault.open(recipient)
        except ValueError:  # a seal no configured key opens: every channel needs the contact
            await self._reject(record, FailureReason.REJECTED, "contact details cannot be opened", False)
            return
        address = address_for(contact.data, kind)
        if address is None:
            await self._reject(record, FailureReason.REJECTED, f"no contact data for {kind}", True)
            return
        variables = dict(record.variables)
        if contact.first_name:
            variables.setdefault("first_name", contact.first_name)
        notification = record.notification
        try:
            rendered = self._renderer.render(
                notification.template_id, kind, notification.locale, variables, self._config.timezone
            )
        except RenderError as exc:
            # E.g. an SMS over the segment limit: the next channel (email) has room for it.
            await self._reject(record, FailureReason.REJECTED, f"not renderable: {exc}"[:300], True)
            return
        message = OutgoingMessage(record.notification_id, notification.idempotency_key, address, rendered)
        try:
            async with asyncio.timeout(self._config.send_timeout_seconds):
                receipt = await channel.send(message)
        except ProviderRejected as exc:
            await self._reject(record, FailureReason.REJECTED, str(exc)[:300] or "rejected", True)
        except ProviderFault as exc:
            await self._fault(record, str(exc)[:300] or "provider fault")
        except TimeoutError:
            await self._fault(record, "provider did not answer in time")
        except Exception as exc:  # an adapter bug must not kill the round; the type says enough
            await self._fault(record, f"unexpected {type(exc).__name__}")
        else:
            await self._sent(record, channel.provider, receipt)

    # -- outcomes --------------------------------------------------------------------------

    async def _sent(self, record: NotificationRecord, provider: str, receipt: SendReceipt) -> None:
        for _ in range(3):
            now = self._clock()
            events: tuple[NotificationEvent, ...]
            if record.status is NotificationStatus.SENDING:
                notification, events = record.notification.mark_sent(receipt.provider_message_id, now)
            elif record.status is NotificationStatus.DELIVERED:
                # The delivery callback overtook us: keep its status, still say it was sent.
                notification = replace(record.notification, provider_message_id=receipt.provider_message_id)
                events = (
                    NotificationSent(
                        record.key, receipt.provider_message_id, record.notification.attempts, now
                    ),
                )
            else:
                log.warning(
                    "notification.sent_but_changed",
                    notification_id=record.notification_id,
                    status=record.status,
                )
                return
            saved = await self._repo.save(
                replace(
                    record,
                    notification=notification,
                    provider=provider,
                    segments=receipt.segments,
                    claim_until=None,
                ),
                events,
            )
            if saved is not None:
                log.info(
                    "notification.sent",
                    notification_id=record.notification_id,
                    case_id=record.case_id,
                    channel=str(record.key.channel),
                    provider=provider,
                    attempt=notification.attempts,
                )
                return
            reloaded = await self._repo.get(record.id)
            if reloaded is None:
                return
            record = reloaded
        log.warning("notification.sent_record_conflict", notification_id=record.notification_id)

    async def _fault(self, record: NotificationRecord, detail: str) -> None:
        notification, events = record.notification.record_fault(
            detail, self._clock(), self._config.policy, self._random
        )
        dead = notification.status is NotificationStatus.FAILED
        saved = await self._repo.save(
            replace(
                record,
                notification=notification,
                claim_until=None,
                dead=dead,
                failover_pending=dead and notification.next_channel is not None,
            ),
            events,
        )
        log.warning(
            "notification.dead" if dead else "notification.retry",
            notification_id=record.notification_id,
            case_id=record.case_id,
            channel=str(record.key.channel),
            attempt=notification.attempts,
            detail=detail,
            retry_at=notification.next_attempt_at.isoformat() if notification.next_attempt_at else None,
        )
        if saved is not None and saved.failover_pending:
            await self._fail_over(saved)

    async def _reject(
        self, record: NotificationRecord, reason: FailureReason, detail: str, failover: bool
    ) -> None:
        notification, events = record.notification.reject(reason, detail, self._clock())
        saved = await self._repo.save(
            replace(
                record,
                notification=notification,
                claim_until=None,
                failover_pending=failover and notification.next_channel is not None,
            ),
            events,
        )
        log.info(
            "notification.failed",
            notification_id=record.notification_id,
            case_id=record.case_id,
            channel=str(record.key.channel),
            reason=str(reason),
            detail=detail,
        )
        if saved is not None and saved.failover_pending:
            await self._fail_over(saved)

    async def _fail_over(self, record: NotificationRecord) -> None:
        result = record.notification.fail_over(self._clock())
        if result is not None:
            notification, events = result
            successor = NotificationRecord(
                notification=notification,
                case_id=record.case_id,
                municipality=record.municipality,
                correlation_id=record.correlation_id,
                priority=record.priority,
                variables=record.variables,
            )
            if await self._repo.add(successor, events, handled=f"failover:{record.id}"):
                log.info(
                    "notification.failover",
                    notification_id=successor.notification_id,
                    case_id=record.case_id,
                    from_channel=str(record.key.channel),
                    channel=str(notification.key.channel),
                )
                self.wake()
        await self._repo.clear_failover(record.id)
