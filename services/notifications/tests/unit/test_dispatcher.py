"""Dispatcher decisions, with in-memory ports and fake channels."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

from lgnet_notifications.application.ports import OutgoingMessage, ProviderFault, ProviderRejected
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.message import (
    FailureReason,
    NotificationFailed,
    NotificationKey,
    NotificationRequested,
    NotificationSent,
    NotificationStatus,
)
from lgnet_notifications.domain.rules import Priority
from lgnet_notifications.rendering import Renderer


async def test_a_due_notification_is_sent_once_with_its_key(world: Any) -> None:
    world.person()
    record = await world.queue()
    dispatcher = world.dispatcher()

    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0

    assert len(world.sms.sent) == 1
    message = world.sms.sent[0]
    assert message.idempotency_key == str(record.key)
    assert message.to == "+393331234567"
    assert message.notification_id == record.notification_id
    stored = world.notifications.records[record.id]
    assert stored.status is NotificationStatus.SENT
    assert stored.provider == "sms_gateway"
    [(_, sent)] = world.notifications.of_type(NotificationSent)
    assert sent.provider_message_id == "sms_gateway-1"
    assert sent.attempts == 1


async def test_a_fault_schedules_a_retry_with_backoff_and_no_event(world: Any) -> None:
    world.person()
    record = await world.queue()
    world.sms.script.append(ProviderFault("SMS gateway answered 503"))
    dispatcher = world.dispatcher()

    await dispatcher.run_once()
    stored = world.notifications.records[record.id]
    assert stored.status is NotificationStatus.REQUESTED
    assert stored.notification.attempts == 1
    # Full jitter with random() = 0.5 on a 10 s base: 5 s.
    assert stored.notification.next_attempt_at == world.clock() + timedelta(seconds=5)
    assert world.notifications.of_type(NotificationFailed) == []

    assert await dispatcher.run_once() == 0  # not yet due
    world.clock.advance(5)
    await dispatcher.run_once()
    assert world.notifications.records[record.id].status is NotificationStatus.SENT
    assert [c.idempotency_key for c in world.sms.calls] == [str(record.key)] * 2


async def test_dead_after_max_attempts_then_fails_over_to_email(world: Any) -> None:
    world.person()
    record = await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    world.sms.script.extend(ProviderFault("503") for _ in range(3))
    dispatcher = world.dispatcher(max_attempts=3)

    for _ in range(3):
        await dispatcher.run_once()
        world.clock.advance(600)
    await dispatcher.run_once()

    sms = world.notifications.records[record.id]
    assert sms.status is NotificationStatus.FAILED
    assert sms.dead
    assert sms.notification.failure is FailureReason.ATTEMPTS_EXHAUSTED
    assert not sms.failover_pending  # done: the email notification exists
    [(failed_record, failed)] = world.notifications.of_type(NotificationFailed)
    assert failed.attempts == 3
    assert failed.dead
    assert failed.next_channel is Channel.EMAIL
    assert failed_record.failover_pending  # hence notification.failed says final=false
    assert len(world.email.sent) == 1
    assert world.email.sent[0].to == "amina@example.org"
    email_keys = [r.key for r in world.notifications.records.values() if r.key.channel is Channel.EMAIL]
    assert email_keys == [NotificationKey(record.key.event_id, record.key.recipient_id, Channel.EMAIL)]


async def test_a_refusal_fails_over_at_once(world: Any) -> None:
    world.person(fiscal_code="RSSMRA85T10A562S")
    record = await world.queue(channels=(Channel.APP_IO, Channel.SMS))
    world.app_io.script.append(ProviderRejected("App IO profile does not accept messages from this service"))
    dispatcher = world.dispatcher()

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert world.notifications.records[record.id].notification.failure is FailureReason.REJECTED
    assert len(world.app_io.calls) == 1
    assert len(world.sms.sent) == 1


async def test_opt_out_of_the_channel_at_send_time_moves_to_the_next(world: Any) -> None:
    recipient = world.person()
    record = await world.queue()
    await world.recipients.opt_out(recipient.case_id, Channel.SMS)
    dispatcher = world.dispatcher()

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert world.sms.calls == []
    assert world.notifications.records[record.id].notification.failure is FailureReason.OPTED_OUT
    assert len(world.email.sent) == 1


async def test_opt_out_of_everything_ends_the_chain(world: Any) -> None:
    recipient = world.person()
    record = await world.queue()
    await world.recipients.opt_out(recipient.case_id, None)
    dispatcher = world.dispatcher()

    await dispatcher.run_once()
    await dispatcher.run_once()

    assert world.sms.calls == []
    assert world.email.calls == []
    stored = world.notifications.records[record.id]
    assert stored.notification.failure is FailureReason.OPTED_OUT
    assert not stored.failover_pending
    assert len(world.notifications.records) == 1


async def test_an_sms_too_long_for_the_segment_limit_goes_by_email(world: Any) -> None:
    world.person(language="ar")
    record = await world.queue(locale=Locale.AR)
    dispatcher = world.dispatcher(max_sms_segments=1)  # Arabic is UCS-2: 70 characters

    await dispatcher.run_once()
    await dispatcher.run_once()

    stored = world.notifications.records[record.id]
    assert stored.notification.failure is FailureReason.REJECTED
    assert "segments" in (stored.notification.failure_detail or "")
    assert world.sms.calls == []
    assert len(world.email.sent) == 1


async def test_no_contact_data_for_the_channel_moves_on(world: Any) -> None:
    world.person(phone=None)
    await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    dispatcher = world.dispatcher()
    await dispatcher.run_once()
    await dispatcher.run_once()
    assert world.sms.calls == []
    assert len(world.email.sent) == 1


async def test_crash_after_the_provider_accepted_sends_nothing_twice(world: Any) -> None:
    """The attempt reached the provider, then the process died before recording `sent`."""
    world.person()
    record = await world.queue()
    dispatcher = world.dispatcher()
    claimed = await world.notifications.save(
        replace(
            record,
            notification=record.notification.start_attempt(world.clock()),
            claim_until=world.clock() + timedelta(minutes=2),
        ),
        (),
    )
    assert claimed is not None
    rendered = Renderer().render("case_received", Channel.SMS, "en", dict(record.variables))
    await world.sms.send(OutgoingMessage(record.notification_id, str(record.key), "+393331234567", rendered))

    world.clock.advance(121)  # the lease runs out
    await dispatcher.run_once()  # recovered as an interrupted attempt, retried later
    world.clock.advance(60)
    await dispatcher.run_once()

    stored = world.notifications.records[record.id]
    assert stored.status is NotificationStatus.SENT
    assert stored.notification.attempts == 2
    assert stored.notification.provider_message_id == "sms_gateway-1"
    assert len(world.sms.sent) == 1
    assert len(world.sms.calls) == 2


async def test_rate_limit_per_provider(world: Any) -> None:
    world.person()
    for i in range(3):
        await world.queue(event_id=f"evt-{i}")
    dispatcher = world.dispatcher(rates={"sms_gateway": 1.0})

    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0
    world.clock.advance(1.0)
    assert await dispatcher.run_once() == 1
    world.clock.advance(1.0)
    assert await dispatcher.run_once() == 1
    assert len(world.sms.sent) == 3


async def test_urgent_messages_go_first(world: Any) -> None:
    world.person()
    await world.queue(event_id="evt-later")
    urgent = await world.queue(
        event_id="evt-urgent",
        template_id="placement_waitlisted",
        priority=Priority.URGENT,
    )
    dispatcher = world.dispatcher(rates={"sms_gateway": 1.0})
    await dispatcher.run_once()
    assert world.sms.sent[0].idempotency_key == str(urgent.key)


async def test_a_channel_switched_off_fails_over(world: Any) -> None:
    world.person()
    record = await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    dispatcher = world.dispatcher(channels=[world.email])
    await dispatcher.run_once()
    await dispatcher.run_once()
    assert world.notifications.records[record.id].status is NotificationStatus.FAILED
    assert len(world.email.sent) == 1


async def test_a_pending_failover_left_by_a_crash_is_finished(world: Any) -> None:
    world.person()
    record = await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    failed, events = record.notification.reject(FailureReason.REJECTED, "refused", world.clock())
    saved = await world.notifications.save(
        replace(record, notification=failed, failover_pending=True), events
    )
    assert saved is not None
    await world.dispatcher().run_once()
    requested = [
        e for _, e in world.notifications.of_type(NotificationRequested) if e.key.channel is Channel.EMAIL
    ]
    assert len(requested) == 1
    assert len(world.email.sent) == 1


async def test_a_contact_no_key_opens_ends_the_chain(world: Any) -> None:
    class BrokenVault:
        def open(self, recipient: Any) -> Any:
            raise ValueError("sealed value cannot be opened")

        def phone_lookup(self, phone: str) -> str | None:
            return None

    world.person()
    record = await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    world.vault = BrokenVault()
    await world.dispatcher().run_once()
    stored = world.notifications.records[record.id]
    assert stored.status is NotificationStatus.FAILED
    assert not stored.failover_pending
    assert world.sms.calls == []
