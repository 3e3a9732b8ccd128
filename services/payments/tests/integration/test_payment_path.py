"""The whole path on the real engines: triaged case -> grant -> four-eyes approval -> pain.001 -> pain.002."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pymongo import AsyncMongoClient

from lgnet_contracts.topics import BUDGETS, GRANTS
from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002
from lgnet_payments.application.intake import grant_id_for_event
from lgnet_payments.domain.batch import end_to_end_id_for
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe, publish_events
from lgnet_testing.samples import fiscal_code

from .conftest import PAYEE_IBAN, ROMA, details_body, running, triaged

pytestmark = pytest.mark.engines

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "pain.001.001.09.xsd"
NAME = "Amina Ouédraogo"
# SEPA files carry the Latin subset: sepaxml transliterates the name.
NAME_IN_FILE = "Amina Ouedraogo"


async def wait_for_grant(client: Any, grant_id: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(200):
        response = await client.get(f"/grants/{grant_id}", headers=headers)
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"grant {grant_id} never appeared: {response.status_code} {response.text}")


async def test_triaged_case_to_disbursed_and_returned_grants(
    settings: PaymentsSettings, kafka_bootstrap: str, mongo_uri: str, dev_auth: DevAuth
) -> None:
    ns = settings.topic_namespace
    manager = dev_auth.headers(Role.CASE_MANAGER, [ROMA], subject="case.manager.bianchi")
    officer = dev_auth.headers(Role.PAYMENTS_OFFICER, [ROMA], subject="officer.rossi")
    approver = dev_auth.headers(Role.PAYMENTS_APPROVER, [ROMA], subject="approver.verdi")
    same_person = dev_auth.headers(Role.PAYMENTS_APPROVER, [ROMA], subject="case.manager.bianchi")
    coordinator = dev_auth.headers(Role.PROGRAMME_COORDINATOR, [ROMA], subject="coordinator")

    async with (
        probe(kafka_bootstrap, ns, [GRANTS, BUDGETS]) as events,
        running(settings) as (service, client),
    ):
        # 1. A triaged case with economic hardship opens a request; a redelivery opens nothing more.
        cause = triaged()
        await publish_events(kafka_bootstrap, ns, [cause, cause])
        grant_id = grant_id_for_event(str(cause.event_id))
        opened = await wait_for_grant(client, grant_id, manager)
        assert opened["status"] == "awaiting_details"
        assert opened["source"] == "triage"
        requested = await events.wait_for_type("grant.requested", cause.case_id)
        assert requested[0].payload.grant_id == grant_id
        assert requested[0].correlation_id == cause.correlation_id

        # 2. Details a person can fix, field by field.
        bad = await client.put(
            f"/grants/{grant_id}/details",
            json=details_body(iban="IT00X0000000000000000000000", fiscal_code="RSSMRA80A01H501X"),
            headers=manager,
        )
        assert bad.status_code == 422
        fields = {e["field"]: e["message"] for e in bad.json()["detail"]}
        assert "IBAN" in fields["iban"]
        assert "codice fiscale" in fields["fiscal_code"]
        assert PAYEE_IBAN not in bad.text

        completed = await client.put(f"/grants/{grant_id}/details", json=details_body(0), headers=manager)
        assert completed.status_code == 200, completed.text
        assert completed.json()["status"] == "pending_review"
        assert completed.json()["amount_cents"] == 3_000_00

        # 3. Four eyes: who prepared it cannot approve it.
        refused = await client.post(f"/grants/{grant_id}/approve", json={}, headers=same_person)
        assert refused.status_code == 409
        assert "prepared this grant and cannot also approve it" in refused.json()["detail"]
        approved = await client.post(
            f"/grants/{grant_id}/approve", json={"why": "Eviction notice checked."}, headers=approver
        )
        assert approved.status_code == 200, approved.text
        decided = approved.json()
        assert decided["status"] == "approved"
        assert decided["approved_by"] == "approver.verdi"
        actions = [(d["action"], d["actor"]) for d in decided["decisions"]]
        assert actions == [
            ("request", "case.manager.bianchi"),
            ("submit_for_review", "system:eligibility-policy"),
            ("approve", "approver.verdi"),
        ]

        # A second grant, created directly and approved automatically (under the threshold).
        direct = await client.post(
            "/grants",
            json={**details_body(1, requested_cents=1_000_00), "municipality": ROMA},
            headers=officer,
        )
        assert direct.status_code == 201, direct.text
        assert direct.json()["status"] == "approved"
        returned_id = direct.json()["grant_id"]

        budget = (await client.get(f"/budgets/{ROMA}", headers=coordinator)).json()
        assert budget["reserved_cents"] == 4_000_00

        # 4. A batch, its pain.001 valid against the ISO 20022 schema, and the accounting exports.
        created = await client.post("/batches", json={"municipality": ROMA}, headers=officer)
        assert created.status_code == 201, created.text
        batch = created.json()
        assert sorted(batch["grant_ids"]) == sorted([grant_id, returned_id])
        assert batch["control_sum_cents"] == 4_000_00
        batch_id = batch["batch_id"]
        assert (
            await client.post("/batches", json={"municipality": ROMA}, headers=officer)
        ).status_code == 409

        xml = await client.get(f"/batches/{batch_id}/pain001", headers=officer)
        assert xml.status_code == 200
        schema = etree.XMLSchema(etree.parse(str(XSD)))
        document = etree.fromstring(xml.content)
        assert schema.validate(document), schema.error_log
        assert NAME_IN_FILE in xml.content.decode()
        exported = await client.get(f"/batches/{batch_id}/export.csv", headers=officer)
        rows = list(csv.reader(io.StringIO(exported.content.decode()), delimiter=";"))
        assert rows[0][0] == "batch_id"
        assert len(rows) == 3
        assert {r[10] for r in rows[1:]} == {"EUR"}
        as_json = json.loads((await client.get(f"/batches/{batch_id}/export.json", headers=officer)).content)
        assert as_json["control_sum_cents"] == 4_000_00
        auditor = dev_auth.headers(Role.AUDITOR, [ROMA])
        assert (await client.get(f"/batches/{batch_id}/pain001", headers=auditor)).status_code == 403

        # 5. The bank answers: one settled, one rejected.
        report = build_pain002(
            message_id="BANK-STS-0001",
            created_at=datetime.now(UTC),
            original_message_id=batch_id,
            original_payment_information_id=batch_id,
            statuses=[
                TransactionStatus(end_to_end_id_for(grant_id), "ACSC"),
                TransactionStatus(end_to_end_id_for(returned_id), "RJCT", "AC04", "account closed"),
            ],
        )
        imported = await client.post(
            f"/batches/{batch_id}/pain002",
            content=report,
            headers={**officer, "Content-Type": "application/xml"},
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["settled"] == [grant_id]
        assert imported.json()["returned"] == [returned_id]
        assert imported.json()["batch_status"] == "closed"
        again = await client.post(
            f"/batches/{batch_id}/pain002",
            content=report,
            headers={**officer, "Content-Type": "application/xml"},
        )
        assert again.status_code == 200

        disbursed = await events.wait_for_type("grant.disbursed", cause.case_id)
        assert disbursed[0].payload.amount_cents == 3_000_00
        assert disbursed[0].payload.batch_id == batch_id
        returned = await events.wait_for_type("grant.returned")
        assert returned[0].payload.grant_id == returned_id
        assert returned[0].payload.reason_code == "AC04"

        # 6. The money: committed for the paid grant, released for the returned one.
        budget = (await client.get(f"/budgets/{ROMA}", headers=coordinator)).json()
        assert budget["committed_cents"] == 3_000_00
        assert budget["reserved_cents"] == 0
        assert budget["available_cents"] == budget["allocation_cents"] - 3_000_00
        reconciliation = (await client.get(f"/budgets/{ROMA}/reconciliation", headers=coordinator)).json()
        assert reconciliation["clean"], reconciliation
        paid = (await client.get(f"/grants/{grant_id}", headers=auditor)).json()
        assert paid["status"] == "disbursed"
        assert paid["beneficiary"] is None

        # Exactly one request for the case, even after the redelivery.
        assert len(events.of_type("grant.requested", cause.case_id)) == 1
        assert len(await service.grants.search(frozenset({ROMA}), None, 100)) == 2

        await asyncio.sleep(0.5)  # let the relay publish everything before looking for leaks
        raw_events = b"".join(r.value for r in events.raw)

    # 7. Nothing personal in plaintext: not in MongoDB, not on Kafka.
    client_db: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        db = client_db[settings.database]
        stored = b""
        for name in ("grants", "batches", "budgets"):
            async for doc in db[name].find({}):
                stored += repr(doc).encode()
    finally:
        await client_db.close()
    for secret in (NAME, PAYEE_IBAN, fiscal_code(0), fiscal_code(1)):
        assert secret.encode() not in stored
        assert secret.encode() not in raw_events
