"""A case's life over HTTP: a repeat report links, new facts re-triage, an override is kept, it closes."""

from __future__ import annotations

import pytest

from lgnet_contracts.topics import CASES
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe

from .conftest import ROMA, report_body, running

pytestmark = pytest.mark.engines

LOW_URGENCY = {
    "household": {"adults": ["male"]},
    "factors": [],
    "needs": ["legal"],
    "contact": {"phone": "+39 347 555 0101"},
    "given_name": "Karim",
    "family_name": "Benali",
    "birth_date": "1980-01-15",
}


async def test_a_repeat_report_links_to_the_open_case(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR)
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(settings) as (_, client),
    ):
        first = (await client.post("/cases", json=report_body(), headers=operator)).json()
        # Same person, phone written differently, reported again an hour later by a volunteer.
        again = report_body(contact={"phone": "0039 333 1234567"}, location="Piazza dei Cinquecento")
        linked = await client.post("/cases", json=again, headers=operator)
        assert linked.status_code == 200, linked.text
        answer = linked.json()
        assert answer["duplicate_of"] == answer["case_id"] == first["case_id"]
        assert answer["created"] is False
        assert set(answer["match"]["matched_on"]) == {"name_and_birth_date", "phone"}
        assert "Possible duplicate" in answer["match"]["explanation"]

        # The operator knows better (another person on a shared phone): a new case after all.
        forced = await client.post("/cases", json={**again, "not_a_duplicate": True}, headers=operator)
        assert forced.status_code == 201

        await events.wait_for_type("case.triaged", forced.json()["case_id"])
        assert len(events.of_type("case.reported")) == 2
        shown = (await client.get(f"/cases/{first['case_id']}", headers=operator)).json()
        assert shown["linked_reports"] == 1
        assert any(e["event_type"] == "case.duplicate_report_linked" for e in shown["timeline"])


async def test_update_override_and_close(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-luca")
    manager = dev_auth.headers(Role.CASE_MANAGER, subject="cm-giulia")
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(settings) as (_, client),
    ):
        created = (await client.post("/cases", json=report_body(**LOW_URGENCY), headers=operator)).json()
        case_id = created["case_id"]
        assert created["priority"] == "P4"

        # He lost his bed and will sleep outside tonight: triaged again, more urgent.
        patched = await client.patch(
            f"/cases/{case_id}",
            json={"needs": ["legal", "shelter_tonight"], "location": "Villa Borghese"},
            headers=operator,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["priority"] == "P2"
        updated = (await events.wait_for_type("case.updated", case_id))[0].payload
        assert list(updated.changed) == ["needs"]
        triaged = await events.wait_for_type("case.triaged", case_id, count=2)
        assert [str(t.payload.priority) for t in triaged] == ["P4", "P2"]
        assert triaged[1].payload.housing is not None

        no_reason = await client.post(
            f"/cases/{case_id}/priority-override", json={"priority": "P1"}, headers=manager
        )
        assert no_reason.status_code == 422
        assert no_reason.json()["detail"][0]["field"] == "reason"
        override = await client.post(
            f"/cases/{case_id}/priority-override",
            json={"priority": "P1", "reason": "Heavy rain tonight and he has no coat"},
            headers=manager,
        )
        assert override.status_code == 200, override.text
        shown = override.json()
        assert shown["priority"] == "P1"
        assert shown["override"]["original_priority"] == "P2"
        assert shown["override"]["by"] == "cm-giulia"
        assert shown["triage"]["priority"] == "P2"  # the original result is kept
        triaged = await events.wait_for_type("case.triaged", case_id, count=3)
        published = triaged[2].payload.override
        assert (str(published.original_priority), published.overridden_by) == ("P2", "cm-giulia")

        # Closing is for case managers; a hotline operator may not.
        refused = await client.post(f"/cases/{case_id}/close", json={"outcome": "placed"}, headers=operator)
        assert refused.status_code == 403
        closed = await client.post(f"/cases/{case_id}/close", json={"outcome": "placed"}, headers=manager)
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"
        done = (await events.wait_for_type("case.closed", case_id))[0].payload
        assert (str(done.outcome), done.closed_by) == ("placed", "cm-giulia")

        late = await client.patch(f"/cases/{case_id}", json={"needs": ["food"]}, headers=operator)
        assert late.status_code == 409

        listed = (await client.get("/cases", params={"status": "closed"}, headers=manager)).json()
        assert [c["case_id"] for c in listed["items"]] == [case_id]
        opened = (await client.get(f"/cases/{case_id}", headers=manager)).json()
        assert opened["person"]["location"] == "Villa Borghese"


async def test_list_filters_and_pages(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, municipalities=(ROMA,))
    async with running(settings) as (_, client):
        ids = []
        for i in range(5):
            body = report_body(
                **{**LOW_URGENCY, "contact": {"phone": f"+39 347 555 010{i}"}, "given_name": f"P{i}"}
            )
            ids.append((await client.post("/cases", json=body, headers=operator)).json()["case_id"])
        urgent = (await client.post("/cases", json=report_body(), headers=operator)).json()["case_id"]

        page1 = (await client.get("/cases", params={"page_size": 4}, headers=operator)).json()
        page2 = (await client.get("/cases", params={"page_size": 4, "page": 2}, headers=operator)).json()
        assert page1["total"] == page2["total"] == 6
        seen = [c["case_id"] for c in page1["items"] + page2["items"]]
        assert sorted(seen) == sorted([*ids, urgent])
        p1 = (await client.get("/cases", params={"priority": "P1"}, headers=operator)).json()
        assert [c["case_id"] for c in p1["items"]] == [urgent]
        on_track = (await client.get("/cases", params={"sla_state": "on_track"}, headers=operator)).json()
        assert on_track["total"] == 6
        breached = (await client.get("/cases", params={"sla_state": "breached"}, headers=operator)).json()
        assert breached["total"] == 0
