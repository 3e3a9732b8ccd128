"""Erasure (GDPR art. 17) by destroying the case's data key, retention, and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from lgnet_contracts.sealed import Sealed
from lgnet_contracts.topics import CASES
from lgnet_referral.adapters.personal_seal import PersonalSeal
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_runtime.keyring import CaseKeyring, Erased
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import eventually, probe

from .conftest import (
    FAMILY_NAME,
    GIVEN_NAME,
    MILANO,
    PHONE_DIGITS,
    MovableClock,
    report_body,
    running,
)

pytestmark = pytest.mark.engines

PERSONAL_VALUES = (PHONE_DIGITS, GIVEN_NAME, FAMILY_NAME, "Lampedusa", "Termini", "1991-04-02", "z.o@example")


async def raw(settings: ReferralSettings, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri.get_secret_value(), tz_aware=True
    )
    try:
        return await client[settings.database][collection].find(query).to_list()
    finally:
        await client.close()


async def test_erasure_destroys_the_key_and_keeps_the_aggregates(
    settings: ReferralSettings, dev_auth: DevAuth
) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-anna")
    manager = dev_auth.headers(Role.CASE_MANAGER, subject="cm-giulia")
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(settings) as (service, client),
    ):
        case_id = (await client.post("/cases", json=report_body(), headers=operator)).json()["case_id"]
        before = (await client.get(f"/cases/{case_id}", headers=manager)).json()
        assert before["person"]["given_name"] == GIVEN_NAME
        assert before["personal_data"] == "shown"

        # Only case managers of the case's municipality, and only with a reason code.
        body = {"reason": "data_subject_request"}
        assert (await client.post(f"/cases/{case_id}/erase", json=body, headers=operator)).status_code == 403
        other = dev_auth.headers(Role.CASE_MANAGER, [MILANO])
        assert (await client.post(f"/cases/{case_id}/erase", json=body, headers=other)).status_code == 404
        for bad in ({}, {"reason": "retention"}, {"reason": "she asked nicely"}):
            assert (
                await client.post(f"/cases/{case_id}/erase", json=bad, headers=manager)
            ).status_code == 422

        erased = await client.post(f"/cases/{case_id}/erase", json=body, headers=manager)
        assert erased.status_code == 200, erased.text
        answer = erased.json()
        assert answer["person"] is None
        assert answer["personal_data"] == "erased"
        assert answer["erasure"]["reason"] == "data_subject_request"
        assert answer["erasure"]["erased_by"] == "cm-giulia"

        # Asked again: the same answer, nothing done twice.
        again = await client.post(f"/cases/{case_id}/erase", json=body, headers=manager)
        assert again.status_code == 200
        assert again.json()["erasure"] == answer["erasure"]

        (published,) = await events.wait_for_type("case.erased", case_id)
        assert str(published.payload.reason) == "data_subject_request"
        assert published.payload.erased_by == "cm-giulia"
        assert len(events.of_type("case.erased", case_id)) == 1
        erased_bytes = b"".join(r.value for r in events.raw if b"case.erased" in r.value)
        for secret in PERSONAL_VALUES:
            assert secret.encode() not in erased_bytes, secret

        # The view: no person for anyone, no error; the story and the counts survive.
        after = await client.get(f"/cases/{case_id}", headers=manager)
        assert after.status_code == 200
        shown = after.json()
        assert shown["person"] is None
        assert shown["personal_data"] == "erased"
        assert (shown["priority"], shown["needs"], shown["household"]) == (
            before["priority"],
            before["needs"],
            before["household"],
        )
        kinds = [e["event_type"] for e in shown["timeline"]]
        assert kinds[0] == "case.reported"
        assert kinds[-1] == "case.erased"
        listed = (await client.get("/cases", headers=manager)).json()
        assert case_id in [c["case_id"] for c in listed["items"]]

        # The raw documents: the sealed record is still there but nothing can open it.
        (doc,) = await raw(settings, "cases", {"_id": case_id})
        assert doc["lookup"] == {"phone": None, "fiscal_code": None, "name_and_birth_date": None}
        assert doc["personal"]["kid"] == "case-dk1"
        fresh = CaseKeyring(
            service.runtime.db["data_keys"], Sealer.from_setting(settings.sealing_keys.get_secret_value())
        )
        with pytest.raises(Erased):
            await PersonalSeal(fresh).open(doc["personal"], case_id=case_id)
        with pytest.raises(Erased):
            await fresh.open_for_case(case_id, Sealed.model_validate(doc["personal"]), Sealed)
        (key,) = await raw(settings, "data_keys", {"_id": case_id})
        assert key["wrapped"] is None
        assert key["destroyed_at"] is not None

        # Without lookup keys the same person reported again is a new case, not a link.
        repeat = await client.post("/cases", json=report_body(), headers=operator)
        assert repeat.status_code == 201
        assert repeat.json()["case_id"] != case_id

        # The erasure is in the trail, with no personal value anywhere in it.
        auditor = dev_auth.headers(Role.AUDITOR, subject="aud-1")
        trail = (await client.get("/audit", params={"action": "case.erased"}, headers=auditor)).json()
        assert [(e["resource_id"], e["details"]["reason"]) for e in trail["items"]] == [
            (case_id, "data_subject_request")
        ]


async def test_audit_trail_of_reads_and_decisions(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-anna")
    manager = dev_auth.headers(Role.CASE_MANAGER, subject="cm-giulia")
    async with running(settings) as (_, client):
        low = report_body(household={"adults": ["male"]}, factors=[], needs=["legal"])
        roma_case = (await client.post("/cases", json=low, headers=operator)).json()["case_id"]
        milano_operator = dev_auth.headers(Role.HOTLINE_OPERATOR, [MILANO], subject="op-milano")
        milano_case = (
            await client.post("/cases", json=report_body(municipality=MILANO), headers=milano_operator)
        ).json()["case_id"]
        assert (await client.get(f"/cases/{roma_case}", headers=manager)).status_code == 200
        override = {"priority": "P2", "reason": "Hosted by Fatima Haddad's cousin tonight, confirmed"}
        overridden = await client.post(
            f"/cases/{roma_case}/priority-override", json=override, headers=manager
        )
        assert overridden.status_code == 200, overridden.text
        closing = {"outcome": "no_longer_needed"}
        assert (
            await client.post(f"/cases/{roma_case}/close", json=closing, headers=manager)
        ).status_code == 200

        auditor = dev_auth.headers(Role.AUDITOR, subject="aud-1")
        trail = await client.get("/audit", headers=auditor)
        assert trail.status_code == 200, trail.text
        entries = trail.json()["items"]
        assert {e["municipality"] for e in entries} == {"058091"}
        actions = [e["action"] for e in entries]
        assert actions[:3] == ["case.closed", "case.priority_overridden", "case.read_personal_data"]
        read = entries[2]
        assert read["actor"] == {"subject": "cm-giulia", "roles": ["case_manager"]}
        assert (read["resource_type"], read["resource_id"], read["case_id"]) == ("case", roma_case, roma_case)
        assert read["outcome"] == "success"
        assert entries[1]["details"]["priority"] == "P2"
        assert entries[0]["details"]["outcome"] == "no_longer_needed"

        only = await client.get("/audit", params={"action": "case.closed"}, headers=auditor)
        assert [e["resource_id"] for e in only.json()["items"]] == [roma_case]
        later = await client.get("/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=auditor)
        assert later.json()["total"] == 0

        # Scoped: the Milan auditor sees Milan only; asking for Rome is refused.
        milano_auditor = dev_auth.headers(Role.AUDITOR, [MILANO])
        seen = (await client.get("/audit", headers=milano_auditor)).json()["items"]
        assert {e["case_id"] for e in seen} == {milano_case}
        refused = await client.get("/audit", params={"municipality": "058091"}, headers=milano_auditor)
        assert refused.status_code == 403
        for role in (Role.HOTLINE_OPERATOR, Role.CASE_MANAGER, Role.PROGRAMME_COORDINATOR):
            assert (await client.get("/audit", headers=dev_auth.headers(role))).status_code == 403

        text = str(await raw(settings, "audit", {}))
        for secret in (*PERSONAL_VALUES, "Fatima", "cousin"):
            assert secret not in text, secret


async def test_retention_anonymises_cases_closed_long_ago(
    settings: ReferralSettings, dev_auth: DevAuth, clock: MovableClock
) -> None:
    short = settings.model_copy(
        update={"retention_days_after_close": 30, "retention_sweep_interval_seconds": 0.1}
    )
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR)
    manager = dev_auth.headers(Role.CASE_MANAGER)
    async with (
        probe(short.kafka_bootstrap_servers, short.topic_namespace, [CASES]) as events,
        running(short, clock) as (_, client),
    ):
        closed = (await client.post("/cases", json=report_body(), headers=operator)).json()["case_id"]
        still_open = (
            await client.post("/cases", json=report_body(not_a_duplicate=True), headers=operator)
        ).json()["case_id"]
        closing = {"outcome": "no_longer_needed"}
        assert (await client.post(f"/cases/{closed}/close", json=closing, headers=manager)).status_code == 200

        clock.advance(timedelta(days=29))
        await client.get("/healthz")
        shown = (await client.get(f"/cases/{closed}", headers=manager)).json()
        assert shown["personal_data"] == "shown"

        clock.advance(timedelta(days=2))
        (published,) = await events.wait_for_type("case.erased", closed)
        assert str(published.payload.reason) == "retention"
        assert published.payload.erased_by == "system:retention"

        async def erased_view() -> dict[str, Any] | None:
            view = (await client.get(f"/cases/{closed}", headers=manager)).json()
            return view if view["personal_data"] == "erased" else None

        view = await eventually(erased_view, what="the closed case erased")
        assert view["outcome"] == "no_longer_needed"
        assert view["erasure"]["reason"] == "retention"
        assert (await client.get(f"/cases/{still_open}", headers=manager)).json()["personal_data"] == "shown"
        assert events.of_type("case.erased", still_open) == []

        trail = await client.get(
            "/audit", params={"action": "case.erased"}, headers=dev_auth.headers(Role.AUDITOR)
        )
        (entry,) = trail.json()["items"]
        assert entry["actor"]["subject"] == "system:retention"
        assert entry["case_id"] == closed
