"""Budgets from configuration, the coordinator's changes, the programme report, and who sees what."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.topics import BUDGETS, GRANTS
from lgnet_contracts.types import Need
from lgnet_payments.application.intake import grant_id_for_event
from lgnet_payments.domain.allocations import PROGRAMME_TOTAL_CENTS
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe, publish_events

from .conftest import MILANO, ROMA, details_body, running, triaged

pytestmark = pytest.mark.engines

ALL = sorted(municipalities())


def new_grant(index: int) -> dict[str, object]:
    return {**details_body(index), "municipality": ROMA}


async def test_allocations_load_once_and_the_coordinator_changes_them(
    settings: PaymentsSettings, kafka_bootstrap: str, dev_auth: DevAuth
) -> None:
    coordinator = dev_auth.headers(Role.PROGRAMME_COORDINATOR, ALL, subject="coordinator.neri")
    async with probe(kafka_bootstrap, settings.topic_namespace, [BUDGETS]) as events:
        async with running(settings) as (_, client):
            report = (await client.get("/reports/programme", headers=coordinator)).json()
            assert len(report["municipalities"]) == 22
            assert report["totals"]["allocation_cents"] == PROGRAMME_TOTAL_CENTS
            assert report["totals"]["available_cents"] == PROGRAMME_TOTAL_CENTS
            await events.wait_for_type("budget.allocated", count=22)
        # A restart loads the same configuration version: nothing changes, nothing is published.
        async with running(settings) as (_, client):
            budget = (await client.get(f"/budgets/{ROMA}", headers=coordinator)).json()
            assert len(budget["allocation_changes"]) == 1
            changed = await client.put(
                f"/budgets/{ROMA}/allocation",
                json={"allocation_cents": 60_000_00, "reason": "Regional top-up, decision 12/2026"},
                headers=coordinator,
            )
            assert changed.status_code == 200, changed.text
            body = changed.json()
            assert body["allocation_cents"] == 60_000_00
            last = body["allocation_changes"][-1]
            assert (last["actor"], last["reason"]) == (
                "coordinator.neri",
                "Regional top-up, decision 12/2026",
            )
            published = await events.wait_for_type("budget.allocated", count=23)
            mine = [e for e in published if e.payload.changed_by == "coordinator.neri"]
            assert mine[0].payload.previous_cents == 48_925_14
            assert mine[0].municipality == ROMA

            csv_text = (await client.get("/reports/programme.csv", headers=coordinator)).text
            rows = list(csv.DictReader(io.StringIO(csv_text)))
            total = rows[-1]
            assert total["istat"] == "TOTAL"
            for column in ("allocation_cents", "reserved_cents", "disbursed_cents", "available_cents"):
                assert int(total[column]) == sum(int(r[column]) for r in rows[:-1])
            assert int(total["allocation_cents"]) == PROGRAMME_TOTAL_CENTS - 48_925_14 + 60_000_00
            # Aggregates only: no grant id, name or IBAN columns.
            assert set(rows[0]) == {
                "istat",
                "name",
                "allocation_cents",
                "reserved_cents",
                "disbursed_cents",
                "available_cents",
                "grants_granted",
            }
        await asyncio.sleep(0.3)
        assert len(events.of_type("budget.allocated")) == 23


async def test_scope_roles_and_clear_refusals(
    settings: PaymentsSettings, kafka_bootstrap: str, dev_auth: DevAuth
) -> None:
    officer = dev_auth.headers(Role.PAYMENTS_OFFICER, [ROMA], subject="officer.rossi")
    milan_officer = dev_auth.headers(Role.PAYMENTS_OFFICER, [MILANO], subject="officer.milano")
    coordinator = dev_auth.headers(Role.PROGRAMME_COORDINATOR, [ROMA])
    auditor = dev_auth.headers(Role.AUDITOR, [ROMA])
    async with (
        probe(kafka_bootstrap, settings.topic_namespace, [GRANTS]) as events,
        running(settings) as (service, client),
    ):
        created = await client.post("/grants", json=new_grant(7), headers=officer)
        assert created.status_code == 201
        grant_id = created.json()["grant_id"]
        assert created.json()["status"] == "pending_review"

        # Another municipality's grant does not exist for you; a coordinator sees no grants at all.
        assert (await client.get(f"/grants/{grant_id}", headers=milan_officer)).status_code == 404
        assert (await client.get(f"/grants/{grant_id}", headers=coordinator)).status_code == 403
        assert (await client.get(f"/budgets/{ROMA}", headers=milan_officer)).status_code == 404
        elsewhere = await client.post("/grants", json=new_grant(8), headers=milan_officer)
        assert elsewhere.status_code == 403
        # Officers prepare, approvers approve.
        assert (await client.post(f"/grants/{grant_id}/approve", json={}, headers=officer)).status_code == 403
        seen = (await client.get(f"/grants/{grant_id}", headers=auditor)).json()
        assert seen["beneficiary"] is None
        assert seen["isee_cents"] is None

        # One grant per household in the window: the same fiscal code again is rejected with the reason.
        approver = dev_auth.headers(Role.PAYMENTS_APPROVER, [ROMA], subject="approver.verdi")
        assert (
            await client.post(f"/grants/{grant_id}/approve", json={}, headers=approver)
        ).status_code == 200
        twin = await client.post("/grants", json=new_grant(7), headers=officer)
        assert twin.json()["status"] == "rejected"
        codes = [r["code"] for r in twin.json()["decisions"][-1]["reasons"]]
        assert "previous_grant_in_window" in codes
        rejected = await events.wait_for_type("grant.rejected")
        assert rejected[0].payload.grant_id == twin.json()["grant_id"]

        # A reviewer's rejection says why; a decided grant cannot be decided again.
        other = await client.post("/grants", json=new_grant(9), headers=officer)
        other_id = other.json()["grant_id"]
        no = await client.post(
            f"/grants/{other_id}/reject", json={"reasons": ["Lease documents are forged."]}, headers=approver
        )
        assert no.status_code == 200
        assert no.json()["decisions"][-1]["reasons"][0]["text"] == "Lease documents are forged."
        late = await client.post(f"/grants/{other_id}/approve", json={}, headers=approver)
        assert late.status_code == 409
        assert "cannot approve from rejected" in late.json()["detail"]

        # A triaged case without economic hardship opens nothing; cancelling an open request works.
        quiet, needy = triaged(needs=(Need.SHELTER_TONIGHT,)), triaged()
        await publish_events(kafka_bootstrap, settings.topic_namespace, [quiet, needy])
        await events.wait_for_type("grant.requested", needy.case_id)
        assert await service.grants.get(grant_id_for_event(str(quiet.event_id))) is None
        needy_id = grant_id_for_event(str(needy.event_id))
        not_yet = await client.post(f"/grants/{needy_id}/approve", json={}, headers=approver)
        assert not_yet.status_code == 409
        assert "details must be completed first" in not_yet.json()["detail"]
        cancelled = await client.post(
            f"/grants/{needy_id}/cancel", json={"why": "The family found work."}, headers=officer
        )
        assert cancelled.json()["status"] == "cancelled"

        reconciliation = (await client.get(f"/budgets/{ROMA}/reconciliation", headers=coordinator)).json()
        assert reconciliation["clean"], reconciliation
