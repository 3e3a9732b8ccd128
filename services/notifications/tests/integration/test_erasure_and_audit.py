"""`case.erased` forgets how to reach the person; reading what a person was sent is audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseErased, ErasureReason
from lgnet_contracts.topics import NOTIFICATIONS
from lgnet_testing.harness import probe, publish_events

pytestmark = pytest.mark.engines

PHONE = "+393339876543"


async def test_erasure_drops_the_contact_and_keeps_the_delivery_story(
    start_service: Any, kit: Any, kafka_bootstrap: str, dev_auth: Any
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    address = f"erase.{case_id[:8]}@example.org"
    namespace = h.settings.topic_namespace
    manager = dev_auth.headers("case_manager", [kit.ROMA], subject="cm.giulia")
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
        await events.wait_for_type("notification.sent", case_id)

    before = await h.client.get(f"/cases/{case_id}/notifications", headers=manager)
    assert before.status_code == 200
    assert before.json()["contact_erased_at"] is None

    erased = new_event(
        CaseErased(
            erased_at=datetime.now(UTC), erased_by="cm.giulia", reason=ErasureReason.DATA_SUBJECT_REQUEST
        ),
        producer="referral",
        municipality=kit.ROMA,
        case_id=case_id,
    )
    await publish_events(kafka_bootstrap, namespace, [erased, erased])
    recipients = h.service.runtime.db["recipients"]

    async def contact_gone() -> dict[str, Any] | None:
        doc: dict[str, Any] | None = await recipients.find_one({"_id": case_id})
        return doc if doc is not None and doc.get("erased_at") is not None else None

    doc = None
    for _ in range(300):
        doc = await contact_gone()
        if doc:
            break
        await asyncio.sleep(0.1)
    assert doc is not None, "the contact was never erased"
    assert doc["contact"] is None
    assert doc["phone_lookup"] is None
    assert doc["opt_out_all"] is True

    # The story stays: what was sent, when, over which channel, without any contact.
    after = await h.client.get(f"/cases/{case_id}/notifications", headers=manager)
    assert after.status_code == 200
    view = after.json()
    assert view["contact_erased_at"] is not None
    assert [n["status"] for n in view["notifications"]] == ["sent"]
    assert PHONE not in after.text
    assert address not in after.text

    # Nothing is sent any more, and a STOP from the old number finds no one.
    await publish_events(kafka_bootstrap, namespace, [kit.placement_confirmed(case_id)])
    await asyncio.sleep(1.5)
    assert len(h.gateway.to(PHONE)) == 1
    assert h.inbox.to(address) == []
    assert await h.gateway.reply("333 987 6543", "STOP") == 200

    # The trail: the reads by the case manager, the erasure once despite the redelivery.
    auditor = dev_auth.headers("auditor", [kit.ROMA])
    trail = await h.client.get("/audit", headers=auditor)
    assert trail.status_code == 200, trail.text
    entries = trail.json()["items"]
    reads = [e for e in entries if e["action"] == "case.read_notifications"]
    assert len(reads) == 2
    assert reads[0]["actor"] == {"subject": "cm.giulia", "roles": ["case_manager"]}
    assert reads[0]["case_id"] == case_id
    erasures = [e for e in entries if e["action"] == "recipient.contact_erased"]
    assert [(e["case_id"], e["actor"]["subject"]) for e in erasures] == [(case_id, "system:erasure")]

    for role in ("case_manager", "hotline_operator", "programme_coordinator"):
        assert (await h.client.get("/audit", headers=dev_auth.headers(role, [kit.ROMA]))).status_code == 403
    milano = dev_auth.headers("auditor", [kit.MILANO])
    assert (await h.client.get("/audit", headers=milano)).json()["total"] == 0
    assert (
        await h.client.get("/audit", params={"municipality": kit.ROMA}, headers=milano)
    ).status_code == 403

    stored = repr(await h.service.runtime.db["audit"].find({}).to_list())
    for secret in (PHONE, "3339876543", address, "Amina"):
        assert secret not in stored, secret


async def test_an_erasure_before_the_report_leaves_a_tombstone(
    start_service: Any, kit: Any, kafka_bootstrap: str
) -> None:
    h = await start_service()
    case_id = kit.new_case_id()
    namespace = h.settings.topic_namespace
    erased = new_event(
        CaseErased(erased_at=datetime.now(UTC), erased_by="system:retention", reason=ErasureReason.RETENTION),
        producer="referral",
        municipality=kit.ROMA,
        case_id=case_id,
    )
    # A replay of the topic from an older offset brings the report after the erasure.
    await publish_events(kafka_bootstrap, namespace, [erased])
    recipients = h.service.runtime.db["recipients"]
    for _ in range(300):
        if await recipients.find_one({"_id": case_id}):
            break
        await asyncio.sleep(0.1)
    await publish_events(
        kafka_bootstrap,
        namespace,
        [kit.case_reported(h.sealer, case_id, phone=PHONE), kit.case_triaged(case_id)],
    )
    await asyncio.sleep(1.5)
    doc = await recipients.find_one({"_id": case_id})
    assert doc is not None
    assert doc["contact"] is None
    assert doc["erased_at"] is not None
    assert h.gateway.to(PHONE) == []
