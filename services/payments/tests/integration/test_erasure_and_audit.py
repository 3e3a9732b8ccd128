"""A case erased in referral erases its beneficiaries here; every sensitive read and decision is audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseErased, ErasureReason
from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002
from lgnet_payments.domain.batch import end_to_end_id_for
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import eventually, publish_events
from lgnet_testing.samples import fiscal_code

from .conftest import MILANO, PAYEE_IBAN, ROMA, details_body, running

pytestmark = pytest.mark.engines

NAME = "Amina Ouédraogo"


async def raw(settings: PaymentsSettings, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri.get_secret_value())
    try:
        return await client[settings.database][collection].find(query).to_list()
    finally:
        await client.close()


def pain002(batch_id: str, message_id: str, *grant_ids: str) -> bytes:
    return build_pain002(
        message_id=message_id,
        created_at=datetime.now(UTC),
        original_message_id=batch_id,
        original_payment_information_id=batch_id,
        statuses=[TransactionStatus(end_to_end_id_for(g), "ACSC") for g in grant_ids],
    )


async def test_erasure_keeps_what_is_at_the_bank_until_it_settles(
    settings: PaymentsSettings, kafka_bootstrap: str, dev_auth: DevAuth
) -> None:
    case_id = str(uuid.uuid4())
    officer = dev_auth.headers(Role.PAYMENTS_OFFICER, [ROMA], subject="officer.rossi")
    manager = dev_auth.headers(Role.CASE_MANAGER, [ROMA], subject="cm.bianchi")
    coordinator = dev_auth.headers(Role.PROGRAMME_COORDINATOR, [ROMA])
    auditor = dev_auth.headers(Role.AUDITOR, [ROMA], subject="auditor.neri")
    xml = {**officer, "Content-Type": "application/xml"}

    async with running(settings) as (_, client):

        async def grant(index: int, cents: int, headers: dict[str, str]) -> dict[str, Any]:
            body = {**details_body(index, requested_cents=cents), "municipality": ROMA, "case_id": case_id}
            answer = await client.post("/grants", json=body, headers=headers)
            assert answer.status_code == 201, answer.text
            created: dict[str, Any] = answer.json()
            return created

        settled = (await grant(10, 1_000_00, officer))["grant_id"]
        in_flight = (await grant(11, 1_200_00, officer))["grant_id"]
        batch = (await client.post("/batches", json={"municipality": ROMA}, headers=officer)).json()
        assert sorted(batch["grant_ids"]) == sorted([settled, in_flight])
        batch_id = batch["batch_id"]
        assert (await client.get(f"/batches/{batch_id}/pain001", headers=officer)).status_code == 200
        first = await client.post(
            f"/batches/{batch_id}/pain002", content=pain002(batch_id, "STS-1", settled), headers=xml
        )
        assert first.json()["waiting"] == [in_flight]
        pending = await grant(12, 3_000_00, manager)
        assert pending["status"] == "pending_review"
        shown = (await client.get(f"/grants/{in_flight}", headers=officer)).json()
        assert shown["beneficiary"]["name"] == NAME
        assert shown["personal_data"] == "shown"
        before = (await client.get("/reports/programme", headers=coordinator)).json()["totals"]

        erased = new_event(
            CaseErased(
                erased_at=datetime.now(UTC), erased_by="cm.bianchi", reason=ErasureReason.DATA_SUBJECT_REQUEST
            ),
            producer="referral",
            municipality=ROMA,
            case_id=case_id,
        )
        await publish_events(kafka_bootstrap, settings.topic_namespace, [erased, erased])

        async def all_handled() -> list[dict[str, Any]] | None:
            views = [
                (await client.get(f"/grants/{g}", headers=officer)).json()
                for g in (settled, in_flight, pending["grant_id"])
            ]
            return views if all(v["personal_data"] != "shown" for v in views) else None

        paid, at_bank, cancelled = await eventually(all_handled, "the erasure of every grant of the case")
        # Paid: erased; the money and the story stay.
        assert (paid["personal_data"], paid["beneficiary"], paid["status"]) == ("erased", None, "disbursed")
        assert paid["amount_cents"] == 1_000_00
        # At the bank: kept, and the answer says so.
        assert at_bank["personal_data"] == "kept_until_settled"
        assert at_bank["beneficiary"]["iban"] == PAYEE_IBAN
        # Not yet paid: cannot be paid any more, so cancelled, then erased.
        assert (cancelled["status"], cancelled["personal_data"]) == ("cancelled", "erased")
        assert cancelled["decisions"][-1]["actor"] == "system:erasure"

        after = (await client.get("/reports/programme", headers=coordinator)).json()["totals"]
        assert after["disbursed_cents"] == before["disbursed_cents"]
        budget = (await client.get(f"/budgets/{ROMA}", headers=coordinator)).json()
        assert budget["reserved_cents"] == 1_200_00  # the cancelled grant's reservation went back

        docs = {d["_id"]: d for d in await raw(settings, "grants", {"case_id": case_id})}
        assert docs[settled]["personal"] is None
        assert docs[settled]["household_key"] is None
        assert docs[pending["grant_id"]]["personal"] is None
        assert docs[in_flight]["personal"] is not None
        (batch_doc,) = await raw(settings, "batches", {"_id": batch_id})
        payees = {i["grant_id"]: i["payee"] for i in batch_doc["instructions"]}
        assert payees[settled] is None
        assert payees[in_flight] is not None
        # No household key stays linked to an erased grant; the one at the bank still counts.
        assert [c["grant_id"] for c in await raw(settings, "household_claims", {})] == [in_flight]

        # The bank answers for the last one: erased in the same write that settles it.
        second = await client.post(
            f"/batches/{batch_id}/pain002", content=pain002(batch_id, "STS-2", in_flight), headers=xml
        )
        assert second.json()["settled"] == [in_flight]
        last = (await client.get(f"/grants/{in_flight}", headers=officer)).json()
        assert (last["status"], last["personal_data"], last["beneficiary"]) == ("disbursed", "erased", None)
        (batch_doc,) = await raw(settings, "batches", {"_id": batch_id})
        assert all(i["payee"] is None for i in batch_doc["instructions"])
        assert await raw(settings, "household_claims", {}) == []
        assert batch_doc["control_sum_cents"] == 2_200_00

        # The trail: reads and decisions, the erasure (one deferred), no duplicate for the redelivery.
        trail = await client.get("/audit", params={"page_size": 200}, headers=auditor)
        assert trail.status_code == 200, trail.text
        entries = trail.json()["items"]
        actions = [e["action"] for e in entries]
        for action in (
            "grant.requested",
            "grant.read_personal_data",
            "batch.created",
            "batch.exported",
            "batch.status_imported",
            "grant.personal_data_erased",
        ):
            assert action in actions, action
        erasures = [e for e in entries if e["action"] == "grant.personal_data_erased"]
        assert sorted(e["outcome"] for e in erasures) == ["deferred", "success", "success"]
        assert {e["actor"]["subject"] for e in erasures} == {"system:erasure"}
        read = next(e for e in entries if e["action"] == "grant.read_personal_data")
        assert (read["actor"]["subject"], read["case_id"]) == ("officer.rossi", case_id)
        exported = next(e for e in entries if e["action"] == "batch.exported")
        assert exported["details"] == {"format": "pain.001", "grants": 2}

        for role in (Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER, Role.PROGRAMME_COORDINATOR):
            assert (await client.get("/audit", headers=dev_auth.headers(role, [ROMA]))).status_code == 403
        milano = dev_auth.headers(Role.AUDITOR, [MILANO])
        assert (await client.get("/audit", headers=milano)).json()["total"] == 0
        assert (await client.get("/audit", params={"municipality": ROMA}, headers=milano)).status_code == 403

    text = repr(await raw(settings, "audit", {}))
    for secret in (NAME, PAYEE_IBAN, fiscal_code(10), fiscal_code(11), fiscal_code(12)):
        assert secret not in text, secret


async def test_budget_allocation_and_decisions_are_audited(
    settings: PaymentsSettings, dev_auth: DevAuth
) -> None:
    coordinator = dev_auth.headers(Role.PROGRAMME_COORDINATOR, [ROMA], subject="coord.ferri")
    manager = dev_auth.headers(Role.CASE_MANAGER, [ROMA], subject="cm.bianchi")
    approver = dev_auth.headers(Role.PAYMENTS_APPROVER, [ROMA], subject="approver.verdi")
    async with running(settings) as (_, client):
        budget = (await client.get(f"/budgets/{ROMA}", headers=coordinator)).json()
        changed = await client.put(
            f"/budgets/{ROMA}/allocation",
            json={"allocation_cents": budget["allocation_cents"] + 5_000_00, "reason": "Second tranche"},
            headers=coordinator,
        )
        assert changed.status_code == 200, changed.text
        body = {**details_body(20, requested_cents=3_000_00), "municipality": ROMA}
        one = (await client.post("/grants", json=body, headers=manager)).json()["grant_id"]
        two_body = {**details_body(21, requested_cents=3_000_00), "municipality": ROMA}
        two = (await client.post("/grants", json=two_body, headers=manager)).json()["grant_id"]
        three_body = {**details_body(22, requested_cents=3_000_00), "municipality": ROMA}
        three = (await client.post("/grants", json=three_body, headers=manager)).json()["grant_id"]
        assert (await client.post(f"/grants/{one}/approve", json={}, headers=approver)).status_code == 200
        rejected = await client.post(
            f"/grants/{two}/reject", json={"reasons": ["Documents missing"]}, headers=approver
        )
        assert rejected.status_code == 200, rejected.text
        cancelled = await client.post(
            f"/grants/{three}/cancel", json={"why": "Housed by family"}, headers=manager
        )
        assert cancelled.status_code == 200, cancelled.text

        auditor = dev_auth.headers(Role.AUDITOR, [ROMA])
        entries = (await client.get("/audit", headers=auditor)).json()["items"]
        by_action = {e["action"]: e for e in entries}
        allocation = by_action["budget.allocation_changed"]
        assert allocation["actor"]["subject"] == "coord.ferri"
        assert (allocation["resource_type"], allocation["resource_id"]) == ("budget", ROMA)
        assert by_action["grant.approved"]["resource_id"] == one
        assert by_action["grant.approved"]["actor"] == {
            "subject": "approver.verdi",
            "roles": ["payments_approver"],
        }
        assert by_action["grant.rejected"]["resource_id"] == two
        assert by_action["grant.cancelled"]["resource_id"] == three
        only = (await client.get("/audit", params={"action": "grant.rejected"}, headers=auditor)).json()
        assert [e["resource_id"] for e in only["items"]] == [two]
    text = repr(await raw(settings, "audit", {}))
    for secret in ("Documents missing", "Housed by family", "Second tranche", NAME):
        assert secret not in text, secret
