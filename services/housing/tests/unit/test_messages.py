"""Contract events and partner webhooks built from placement changes; webhook signing."""

import json
import uuid
from datetime import UTC, datetime

from standardwebhooks import Webhook

from lgnet_housing.adapters.webhooks import WebhookPolicy, signed_headers
from lgnet_housing.application.messages import envelopes, webhook_messages
from lgnet_housing.application.ports import StoredPlacement
from lgnet_housing.application.registry import new_webhook_secret
from lgnet_housing.domain.household_fit import Gender, Household
from lgnet_housing.domain.placement import Placement
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.values import BedCounts, Priority

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)


def _placement() -> Placement:
    household = Household((Gender.FEMALE,), (1,), pregnancy=True, language="uk")
    request = PlacementRequest(
        "0b0f5a4c-1111-4a4a-8a8a-000000000001", "058091", Priority.P1, household, T0, first_name="Olena"
    )
    placement, _ = Placement.open("p1", request, BedCounts(family_room=1, cot=1), T0)
    return placement


def test_offer_maps_to_the_contract_event_and_a_minimal_partner_webhook() -> None:
    placement = _placement()
    offered, events = placement.offer("s1", "058091", placement.beds_needed, T0)
    stored = StoredPlacement(offered, uuid.uuid4())
    sent = envelopes(stored, events)
    assert [e.event_type for e in sent] == ["placement.offered"]
    assert sent[0].correlation_id == stored.correlation_id
    assert sent[0].payload.beds == {"family_room": 1, "cot": 1}
    [message] = webhook_messages(offered, events, sent)
    assert message.id == f"msg_{sent[0].event_id}"
    assert message.shelter_id == "s1"
    body = json.loads(message.body)
    view = body["data"]["placement"]
    assert view["first_name"] == "Olena"
    assert view["minors_ages"] == [1]
    assert "pregnancy" not in message.body
    assert "female" not in message.body


def test_waitlisting_concerns_no_shelter() -> None:
    placement = _placement()
    waitlisted, events = placement.waitlist(1, "no bed", T0)
    sent = envelopes(StoredPlacement(waitlisted, uuid.uuid4()), events)
    assert sent[0].payload.position == 1
    assert webhook_messages(waitlisted, events, sent) == []


def test_signed_headers_verify_with_the_standard_webhooks_library() -> None:
    secret = new_webhook_secret()
    body = '{"type":"placement.offered"}'
    now = datetime.now(UTC)
    headers = signed_headers(secret, "msg_1", body, now)
    assert Webhook(secret).verify(body, headers) == {"type": "placement.offered"}
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))


def test_backoff_grows_and_is_capped() -> None:
    policy = WebhookPolicy(backoff_base_seconds=1, backoff_max_seconds=10)
    assert all(0 <= policy.delay(1) <= 1 for _ in range(50))
    assert all(0 <= policy.delay(10) <= 10 for _ in range(50))
