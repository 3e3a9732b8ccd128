"""Idempotency-Key over HTTP on the real engines: a retry racing the original opens one case, once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from lgnet_contracts.topics import CASES
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe

from .conftest import report_body, running

pytestmark = pytest.mark.engines


async def stored_cases(settings: ReferralSettings) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri.get_secret_value())
    try:
        found = client[settings.database]["cases"].find({}, {"linked_reports": 1, "opened_with": 1})
        return [doc async for doc in found]
    finally:
        await client.close()


async def test_two_identical_requests_at_once_open_one_case_and_publish_once(
    settings: ReferralSettings, dev_auth: DevAuth
) -> None:
    key = str(uuid.uuid4())
    operator = {**dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-night"), "Idempotency-Key": key}
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(settings) as (_, client),
    ):
        answers = await asyncio.gather(
            client.post("/cases", json=report_body(), headers=operator),
            client.post("/cases", json=report_body(), headers=operator),
        )
        for answer in answers:
            assert answer.status_code == 201, answer.text
            assert answer.json()["created"] is True
        case_id = answers[0].json()["case_id"]
        assert answers[1].json()["case_id"] == case_id

        # A third try, well after the first two: still the same answer.
        later = await client.post("/cases", json=report_body(), headers=operator)
        assert (later.status_code, later.json()["case_id"]) == (201, case_id)

        await events.wait_for_type("case.triaged", case_id)
        # Time for a second case's events to arrive, were there one.
        await asyncio.sleep(1.0)
        assert len(events.of_type("case.reported")) == 1
        assert len(events.of_type("case.triaged")) == 1
        docs = await stored_cases(settings)
        assert [(d["_id"], d["linked_reports"]) for d in docs] == [(case_id, 0)]
        assert docs[0]["opened_with"]["key_id"] == case_id

        auditor = dev_auth.headers(Role.AUDITOR)
        trail = (await client.get("/audit", params={"case_id": case_id}, headers=auditor)).json()["items"]
        assert sorted(e["action"] for e in trail) == [
            "case.report_replayed",
            "case.report_replayed",
            "case.reported",
        ]


async def test_a_linked_report_retried_links_once(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-day")
    keyed = {**operator, "Idempotency-Key": "volunteer-call-0001"}
    async with running(settings) as (_, client):
        first = (await client.post("/cases", json=report_body(), headers=operator)).json()
        again = report_body(location="Piazza dei Cinquecento")
        answers = await asyncio.gather(
            client.post("/cases", json=again, headers=keyed),
            client.post("/cases", json=again, headers=keyed),
        )
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert answer.json()["duplicate_of"] == answer.json()["case_id"] == first["case_id"]
        shown = (await client.get(f"/cases/{first['case_id']}", headers=operator)).json()
        assert shown["linked_reports"] == 1
        linked = [e for e in shown["timeline"] if e["event_type"] == "case.duplicate_report_linked"]
        assert len(linked) == 1


async def test_a_malformed_key_is_a_400_and_a_reused_key_a_422(
    settings: ReferralSettings, dev_auth: DevAuth
) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-night")
    async with running(settings) as (_, client):
        for bad in ("short", "x" * 65, "has spaces in it", "semi;colon;key", "a/b/c/d/e/f"):
            refused = await client.post(
                "/cases", json=report_body(), headers={**operator, "Idempotency-Key": bad}
            )
            assert refused.status_code == 400, refused.text
            assert "Idempotency-Key must be 8 to 64" in refused.text
            assert bad not in refused.text
        assert await stored_cases(settings) == []

        keyed = {**operator, "Idempotency-Key": "report-2026-03-14-0042"}
        low = report_body(household={"adults": ["male"]}, factors=[], needs=["legal"])
        assert (await client.post("/cases", json=low, headers=keyed)).status_code == 201
        reused = await client.post("/cases", json=report_body(), headers=keyed)
        assert reused.status_code == 422, reused.text
        assert "already used for a different report" in reused.text
        assert len(await stored_cases(settings)) == 1

        # The same key is another operator's own.
        other = {
            **dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-other"),
            "Idempotency-Key": keyed["Idempotency-Key"],
        }
        theirs = await client.post("/cases", json={**low, "not_a_duplicate": True}, headers=other)
        assert theirs.status_code == 201, theirs.text

        spec = (await client.get("/openapi.json")).json()
        parameters = spec["paths"]["/cases"]["post"]["parameters"]
        header = next(p for p in parameters if p["name"] == "Idempotency-Key")
        assert header["in"] == "header"
        assert not header["required"]
