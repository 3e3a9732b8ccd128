"""Report over HTTP on the real engines: triage answer, events on Kafka, nothing personal in the clear."""

from __future__ import annotations

import time
from typing import Any

import bson
import pytest
from pymongo import AsyncMongoClient

from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.topics import CASES
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe

from .conftest import FAMILY_NAME, GIVEN_NAME, PHONE_DIGITS, report_body, running

pytestmark = pytest.mark.engines


async def raw_case_document(settings: ReferralSettings, case_id: str) -> bytes:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri.get_secret_value())
    try:
        doc = await client[settings.database]["cases"].find_one({"_id": case_id})
        assert doc is not None
        return bson.encode(doc)
    finally:
        await client.close()


async def test_report_is_triaged_published_and_sealed(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR, subject="op-anna")
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(settings) as (_, client),
    ):
        started = time.perf_counter()
        answer = await client.post("/cases", json=report_body(), headers=operator)
        elapsed_ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 201, answer.text
        body = answer.json()
        case_id = body["case_id"]
        assert body["created"] is True
        assert body["priority"] == "P1"
        assert any("shelter tonight" in r.lower() for r in body["reasons"])
        assert {c["factor"] for c in body["breakdown"]} >= {"single_parent_with_minors", "shelter_tonight"}
        print(f"intake latency {elapsed_ms:.1f} ms")

        await events.wait_for_type("case.triaged", case_id)
        reported = events.of_type("case.reported", case_id)
        assert len(reported) == 1
        triaged = events.of_type("case.triaged", case_id)[0].payload
        assert str(triaged.priority) == "P1"
        factors = [c.factor for c in triaged.breakdown]
        assert "protected" in factors
        assert "torture_or_violence_survivor" not in factors
        assert triaged.housing is not None
        assert triaged.housing.language == "en"

        contact = reported[0].payload.contact
        assert contact is not None
        opened = Sealer.from_setting(settings.sealing_keys.get_secret_value()).open(
            contact, ContactDetails, bound_to=case_id
        )
        assert (opened.phone, opened.first_name) == ("+39" + PHONE_DIGITS, GIVEN_NAME)
        assert str(reported[0].payload.consent.recorded_by) == "op-anna"

        kafka_bytes = b"".join(r.value for r in events.raw)
        mongo_bytes = await raw_case_document(settings, case_id)
        for secret in (PHONE_DIGITS, GIVEN_NAME, FAMILY_NAME, "Lampedusa", "Termini", "torture"):
            assert secret.encode() not in kafka_bytes, secret
        for secret in (PHONE_DIGITS, GIVEN_NAME, FAMILY_NAME, "Lampedusa", "Termini", "1991-04-02"):
            assert secret.encode() not in mongo_bytes, secret

        shown = (await client.get(f"/cases/{case_id}", headers=operator)).json()
        assert shown["person"]["phone"] == "+39" + PHONE_DIGITS
        assert shown["person"]["location"].startswith("Roma Termini")
        auditor = dev_auth.headers(Role.AUDITOR)
        assert (await client.get(f"/cases/{case_id}", headers=auditor)).json()["person"] is None
