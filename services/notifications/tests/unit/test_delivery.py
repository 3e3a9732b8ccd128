"""Delivery reports and STOP replies."""

from typing import Any

from lgnet_notifications.application.delivery import DeliveryOutcome, OptOut, RecordDelivery
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.message import NotificationDelivered, NotificationStatus

STOP_WORDS = ["STOP", "ARRÊT", "СТОП"]


async def sent_notification(world: Any) -> Any:
    world.person()
    record = await world.queue(channels=(Channel.SMS, Channel.EMAIL))
    await world.dispatcher().run_once()
    return world.notifications.records[record.id]


async def test_delivered_is_recorded_once(world: Any) -> None:
    record = await sent_notification(world)
    record_delivery = RecordDelivery(world.notifications, world.clock)
    pmid = record.notification.provider_message_id

    first = await record_delivery(provider_message_id=pmid, notification_id=None, delivered=True)
    again = await record_delivery(provider_message_id=pmid, notification_id=None, delivered=True)

    assert (first, again) == (DeliveryOutcome.RECORDED, DeliveryOutcome.UNCHANGED)
    assert world.notifications.records[record.id].status is NotificationStatus.DELIVERED
    assert len(world.notifications.of_type(NotificationDelivered)) == 1


async def test_undelivered_fails_over_to_the_next_channel(world: Any) -> None:
    record = await sent_notification(world)
    woken: list[bool] = []
    record_delivery = RecordDelivery(world.notifications, world.clock, on_failover=lambda: woken.append(True))

    outcome = await record_delivery(
        provider_message_id=None, notification_id=record.notification_id, delivered=False, detail="expired"
    )
    assert outcome is DeliveryOutcome.RECORDED
    assert woken == [True]
    await world.dispatcher().run_once()
    assert world.notifications.records[record.id].status is NotificationStatus.FAILED
    assert len(world.email.sent) == 1


async def test_reports_about_unknown_or_unsent_messages(world: Any) -> None:
    world.person()
    queued = await world.queue()
    record_delivery = RecordDelivery(world.notifications, world.clock)
    unknown = await record_delivery(provider_message_id="nope", notification_id=None, delivered=True)
    early = await record_delivery(
        provider_message_id=None, notification_id=queued.notification_id, delivered=True
    )
    assert unknown is DeliveryOutcome.UNKNOWN
    assert early is DeliveryOutcome.TOO_EARLY  # answered 409: the gateway sends it again later


async def test_stop_reply_opts_the_number_out_of_sms_only(world: Any) -> None:
    recipient = world.person()
    opt_out = OptOut(world.recipients, world.vault, STOP_WORDS)

    assert await opt_out.by_sms_reply("+39 333 123 4567", "thanks") == 0
    assert await opt_out.by_sms_reply("+39 333 123 4567", " Stop! ") == 1
    opt_outs = world.recipients.by_case[recipient.case_id].opt_outs
    assert opt_outs.channels == frozenset({Channel.SMS})
    assert not opt_outs.everything


def test_stop_words_in_several_languages() -> None:
    opt_out = OptOut(None, None, STOP_WORDS)  # type: ignore[arg-type]
    assert opt_out.is_stop("arrêt")
    assert opt_out.is_stop("стоп")
    assert opt_out.is_stop("STOP.")
    assert not opt_out.is_stop("please stop sending the address again")


async def test_opt_out_by_request(world: Any) -> None:
    recipient = world.person()
    opt_out = OptOut(world.recipients, world.vault, STOP_WORDS)
    assert await opt_out.by_request(recipient.case_id, None)
    assert world.recipients.by_case[recipient.case_id].opt_outs.everything
    assert not await opt_out.by_request("another-case", Channel.EMAIL)
