"""Domain events become `notification.*` contract events, with ids and status only."""

from dataclasses import replace
from typing import Any

from lgnet_contracts import decode, encode
from lgnet_notifications.adapters.contract_events import to_envelopes
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.message import FailureReason


async def test_requested_sent_and_failed_events(world: Any) -> None:
    world.person()
    record = await world.queue(
        channels=(Channel.SMS, Channel.EMAIL), event_id="0195a0c4-7b1e-7f3a-9e2d-4c5b6a7d8e9f"
    )
    [(stored, requested)] = world.notifications.events

    [envelope] = to_envelopes(stored, [requested])
    assert envelope.event_type == "notification.requested"
    assert envelope.case_id == record.case_id
    assert envelope.key == record.case_id.encode()
    assert envelope.payload.notification_id == record.notification_id
    assert envelope.payload.trigger_event_id == record.key.event_id
    assert str(envelope.causation_id) == record.key.event_id
    assert decode(encode(envelope)) == envelope

    claimed = replace(record, notification=record.notification.start_attempt(world.clock()))
    sent, [sent_event] = claimed.notification.mark_sent("sms-123", world.clock())
    [sent_envelope] = to_envelopes(
        replace(claimed, notification=sent, provider="sms_gateway", segments=2), [sent_event]
    )
    assert sent_envelope.payload.provider == "sms_gateway"
    assert sent_envelope.payload.segments == 2
    assert sent_envelope.payload.attempt == 1
    assert sent_envelope.payload.channel == "sms"

    failed, [failed_event] = claimed.notification.reject(
        FailureReason.REJECTED, "refused (422)", world.clock()
    )
    [going_on] = to_envelopes(replace(claimed, notification=failed, failover_pending=True), [failed_event])
    [the_end] = to_envelopes(replace(claimed, notification=failed, failover_pending=False), [failed_event])
    assert going_on.payload.final is False
    assert the_end.payload.final is True
    assert going_on.payload.reason == "rejected: refused (422)"


async def test_no_contact_data_in_any_event(world: Any) -> None:
    world.person()
    record = await world.queue()
    await world.dispatcher().run_once()
    raw = b"".join(
        encode(envelope)
        for stored, event in world.notifications.events
        for envelope in to_envelopes(stored, [event])
    )
    assert b"3331234567" not in raw
    assert b"amina" not in raw.lower()
    assert record.notification_id.encode() in raw
