"""Events in on the real Kafka, messages out to a real SMTP server and the fake SMS gateway."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lgnet_contracts.topics import NOTIFICATIONS
from lgnet_testing.harness import probe, publish_events

pytestmark = pytest.mark.engines

PHONE = "+393331234567"


async def test_arabic_email_with_html_and_text_parts(
    start_service: Any, kit: Any, kafka_bootstrap: str
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    address = f"amina.{case_id[:8]}@example.org"
    async with probe(kafka_bootstrap, h.settings.topic_namespace, [NOTIFICATIONS]) as events:
        await publish_events(
            kafka_bootstrap,
            h.settings.topic_namespace,
            [
                kit.case_reported(h.sealer, case_id, email_address=address, language="ar"),
                kit.case_triaged(case_id),
            ],
        )
        await kit.eventually(lambda: len(h.inbox.to(address)) == 1, "the email")
        sent = await events.wait_for_type("notification.sent", case_id)

    message = h.inbox.to(address)[0]
    assert message["Subject"] == "لقد تلقينا طلبك"
    assert message["Content-Language"] == "ar"
    assert message["Message-ID"].startswith(f"<{sent[0].payload.notification_id}@")
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None
    assert text is not None
    html_content, text_content = html.get_content(), text.get_content()
    assert 'dir="rtl"' in html_content
    assert 'lang="ar"' in html_content
    assert "لقد تلقينا طلب المساعدة الخاص بك" in text_content
    assert kit.HOTLINE in text_content  # the municipality's hotline, configured per ISTAT code
    assert sent[0].payload.channel == "email"
    assert sent[0].payload.provider == "smtp"
    # Nothing in the event says who the person is or how to reach them.
    raw = sent[0].model_dump_json()
    assert address not in raw
    assert "Amina" not in raw


async def test_sms_once_despite_duplicates_then_delivered(
    start_service: Any, kit: Any, kafka_bootstrap: str, dev_auth: Any
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    placement = kit.placement_confirmed(case_id)  # no shelter phone: the hotline stands in
    grant = kit.grant_approved(case_id, amount_cents=45_000)
    namespace = h.settings.topic_namespace
    async with probe(kafka_bootstrap, namespace, [NOTIFICATIONS]) as events:
        reported = kit.case_reported(h.sealer, case_id, phone=PHONE, language="fr")
        await publish_events(kafka_bootstrap, namespace, [reported, placement, placement, grant])
        await kit.eventually(lambda: len(h.gateway.to(PHONE)) == 2, "two SMS")
        # The same events again, as a redelivery after a rebalance would bring them.
        await publish_events(kafka_bootstrap, namespace, [reported, placement, grant])
        await events.wait_for_type("notification.sent", case_id, count=2)
        await asyncio.sleep(1.5)  # time enough for a duplicate to show up, were there one
        assert len(h.gateway.to(PHONE)) == 2
        assert len(events.of_type("notification.requested", case_id)) == 2

        texts = [m.text for m in h.gateway.to(PHONE)]
        assert any("Casa Accoglienza San Paolo" in t and "+39 06 0606" in t for t in texts)
        assert any("450,00" in t for t in texts)  # French amount formatting
        first = h.gateway.to(PHONE)[0]
        assert first.idempotency_key is not None
        assert first.idempotency_key.endswith(f":{case_id}:sms")

        assert await h.gateway.deliver(first.message_id) == 200
        delivered = await events.wait_for_type("notification.delivered", case_id)
        assert delivered[0].payload.notification_id == first.client_ref
        assert await h.gateway.deliver(first.message_id) == 200  # a repeated report changes nothing
        await asyncio.sleep(0.5)
        assert len(events.of_type("notification.delivered", case_id)) == 1

    answer = await h.client.get(
        f"/cases/{case_id}/notifications", headers=dev_auth.headers("case_manager", [kit.ROMA])
    )
    assert answer.status_code == 200
    statuses = sorted(n["status"] for n in answer.json()["notifications"])
    assert statuses == ["delivered", "sent"]
    assert PHONE not in answer.text
    other = await h.client.get(
        f"/cases/{case_id}/notifications", headers=dev_auth.headers("case_manager", [kit.MILANO])
    )
    assert other.status_code == 404


async def test_gateway_fault_is_retried_with_the_same_key(
    start_service: Any, kit: Any, kafka_bootstrap: str
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    h.gateway.fail(1)
    async with probe(kafka_bootstrap, h.settings.topic_namespace, [NOTIFICATIONS]) as events:
        await publish_events(
            kafka_bootstrap,
            h.settings.topic_namespace,
            [kit.case_reported(h.sealer, case_id, phone=PHONE, language="en"), kit.case_triaged(case_id)],
        )
        sent = await events.wait_for_type("notification.sent", case_id)
    assert sent[0].payload.channel == "sms"
    assert sent[0].payload.attempt == 2
    assert len(h.gateway.to(PHONE)) == 1
    keys = [r["idempotency_key"] for r in h.gateway.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert events.of_type("notification.failed", case_id) == []


async def test_gateway_down_fails_over_to_email(start_service: Any, kit: Any, kafka_bootstrap: str) -> None:
    h = await start_service(max_attempts=2)
    case_id = kit.new_case_id()
    address = f"person.{case_id[:8]}@example.org"
    h.gateway.fail(100)
    async with probe(kafka_bootstrap, h.settings.topic_namespace, [NOTIFICATIONS]) as events:
        await publish_events(
            kafka_bootstrap,
            h.settings.topic_namespace,
            [
                kit.case_reported(h.sealer, case_id, phone=PHONE, email_address=address, language="uk"),
                kit.placement_confirmed(case_id, shelter_phone="+39 06 5555 1234"),
            ],
        )
        sent = await events.wait_for_type("notification.sent", case_id)
        failed = events.of_type("notification.failed", case_id)
    assert len(failed) == 1
    assert failed[0].payload.channel == "sms"
    assert failed[0].payload.attempts == 2
    assert failed[0].payload.final is False
    assert failed[0].payload.reason.startswith("attempts_exhausted")
    assert sent[0].payload.channel == "email"
    assert h.gateway.messages == []
    assert len(h.gateway.requests) == 2
    mail = h.inbox.to(address)
    assert len(mail) == 1
    assert mail[0]["Content-Language"] == "uk"


async def test_stop_reply_stops_further_sms(
    start_service: Any, kit: Any, kafka_bootstrap: str, dev_auth: Any
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    address = f"stop.{case_id[:8]}@example.org"
    namespace = h.settings.topic_namespace
    async with probe(kafka_bootstrap, namespace, [NOTIFICATIONS]) as events:
        await publish_events(
            kafka_bootstrap,
            namespace,
            [
                kit.case_reported(h.sealer, case_id, phone=PHONE, email_address=address),
                kit.case_triaged(case_id),
            ],
        )
        await kit.eventually(lambda: len(h.gateway.to(PHONE)) == 1, "the first SMS")

        # The person answers STOP; the gateway forwards it to our webhook.
        assert await h.gateway.reply("333 123 4567", "stop") == 200

        await publish_events(kafka_bootstrap, namespace, [kit.grant_approved(case_id)])
        await kit.eventually(lambda: len(h.inbox.to(address)) == 1, "the email instead of an SMS")
        await events.wait_for_type("notification.sent", case_id, count=2)
    assert len(h.gateway.to(PHONE)) == 1

    # An opt-out of everything through the API: nothing at all from then on.
    answer = await h.client.post(
        "/notifications/opt-out",
        json={"case_id": case_id},
        headers=dev_auth.headers("hotline_operator", [kit.ROMA]),
    )
    assert answer.status_code == 200
    assert answer.json()["opted_out"] == "all"
    await publish_events(kafka_bootstrap, namespace, [kit.placement_confirmed(case_id)])
    await asyncio.sleep(1.5)
    assert len(h.inbox.to(address)) == 1
    assert len(h.gateway.to(PHONE)) == 1


async def test_callbacks_need_the_shared_token(start_service: Any, kit: Any) -> None:
    h = await start_service()
    report = {"message_id": "sms-unknown", "status": "delivered"}
    assert (await h.client.post("/callbacks/sms/delivery", json=report)).status_code == 401
    signed = await h.client.post(
        "/callbacks/sms/delivery", json=report, headers={"X-Callback-Token": "callback-secret"}
    )
    assert signed.status_code == 404
