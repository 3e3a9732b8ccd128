"""Other services' contract events, read as timeline entries and milestones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from lgnet_contracts import new_event
from lgnet_contracts.events import grants, notifications, placements
from lgnet_contracts.types import Channel
from lgnet_referral.adapters.external_events import EVENT_TYPES, to_external_event
from lgnet_referral.domain.timeline import Milestone

CASE = str(uuid.uuid4())
AT = datetime(2026, 3, 14, 22, 30, 0, 123456, tzinfo=UTC)


def test_a_confirmed_placement_meets_shelter_and_says_where() -> None:
    envelope = new_event(
        placements.PlacementConfirmed(
            placement_id="pl-1",
            shelter_id="sh-1",
            shelter_name="Casa Betania",
            shelter_address="Via Marsala 1",
            arrive_by=AT,
        ),
        producer="housing",
        municipality="058091",
        case_id=CASE,
        occurred_at=AT,
    )
    event = to_external_event(envelope)
    assert event is not None
    assert event.milestone is Milestone.PLACEMENT_CONFIRMED
    assert event.entry.source == "housing"
    assert event.entry.at.microsecond == 123000  # what MongoDB will keep
    assert "Casa Betania, Via Marsala 1" in event.entry.summary
    assert ("shelter_id", "sh-1") in event.entry.refs
    assert event.placement is not None
    assert event.placement.shelter_name == "Casa Betania"


def test_money_and_messages() -> None:
    paid = new_event(
        grants.GrantDisbursed(
            grant_id="gr-1", amount_cents=123_456, batch_id="b-1", value_date=date(2026, 3, 16)
        ),
        producer="payments",
        municipality="058091",
        case_id=CASE,
    )
    event = to_external_event(paid)
    assert event is not None
    assert event.milestone is Milestone.GRANT_PAID
    assert "EUR 1,234.56" in event.entry.summary
    sent = new_event(
        notifications.NotificationDelivered(notification_id="n-1", channel=Channel.SMS, delivered_at=AT),
        producer="notifications",
        municipality="058091",
        case_id=CASE,
    )
    message = to_external_event(sent)
    assert message is not None
    assert message.takes_charge is False
    assert len(EVENT_TYPES) == 19
