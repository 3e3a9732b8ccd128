"""The audit trail on the MongoDB-wire engine, and its router for auditors."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lgnet_runtime.audit import Actor, AuditError, AuditLog, AuditOutcome, audit_router
from lgnet_runtime.auth import Principal, Role, TokenVerifier, authenticated
from lgnet_runtime.devtokens import DEV_AUDIENCE, DEV_ISSUER
from lgnet_testing.auth import DevAuth

pytestmark = pytest.mark.engines

ROMA, MILANO = "058091", "015146"


def manager() -> Principal:
    return Principal("cm-1", frozenset({Role.CASE_MANAGER}), frozenset({ROMA}))


async def test_entries_are_appended_and_found_newest_first(mongo_db: Any) -> None:
    log = AuditLog(mongo_db["audit"], service="probe")
    await log.ensure_indexes()
    first = await log.record(
        manager(),
        "case.read_personal_data",
        resource_type="case",
        resource_id="c1",
        municipality=ROMA,
        case_id="c1",
    )
    await log.record(
        Actor.system("retention"),
        "case.erased",
        resource_type="case",
        resource_id="c2",
        municipality=ROMA,
        case_id="c2",
        details={"reason": "retention"},
    )
    await log.record(manager(), "case.closed", resource_type="case", resource_id="c3", municipality=MILANO)
    page = await log.search(frozenset({ROMA}))
    assert page.total == 2
    assert [e.action for e in page.items] == ["case.erased", "case.read_personal_data"]
    assert page.items[1].id == first.id
    assert page.items[1].actor == Actor("cm-1", ("case_manager",))
    assert page.items[0].actor.subject == "system:retention"
    assert page.items[0].details == {"reason": "retention"}
    only = await log.search(frozenset({ROMA, MILANO}), action="case.closed")
    assert [e.resource_id for e in only.items] == ["c3"]
    later = await log.search(frozenset({ROMA}), since=datetime.now(UTC) + timedelta(minutes=1))
    assert later.total == 0


@pytest.mark.parametrize(
    "details",
    [{"name": "Amina Rahmani"}, {"phone": "+393331112222"}, {"email": "a@b.it"}, {"note": ["x"]}],
)
async def test_free_text_and_contacts_are_refused(mongo_db: Any, details: dict[str, Any]) -> None:
    log = AuditLog(mongo_db["audit"], service="probe")
    with pytest.raises(AuditError):
        await log.record(
            manager(),
            "case.closed",
            resource_type="case",
            resource_id="c1",
            municipality=ROMA,
            details=details,
        )
    with pytest.raises(AuditError):
        await log.record(
            manager(), "case closed by Amina", resource_type="case", resource_id="c1", municipality=ROMA
        )
    assert await mongo_db["audit"].count_documents({}) == 0


async def test_the_router_serves_auditors_of_their_municipalities_only(
    mongo_db: Any, dev_auth: DevAuth
) -> None:
    log = AuditLog(mongo_db["audit"], service="probe")
    for municipality in (ROMA, MILANO):
        await log.record(
            manager(),
            "grant.approved",
            resource_type="grant",
            resource_id="g-" + municipality,
            municipality=municipality,
            outcome=AuditOutcome.SUCCESS,
        )
    app = FastAPI()
    verifier = TokenVerifier(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, public_key=dev_auth.public_pem)
    app.include_router(audit_router(log, authenticated(verifier)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://probe") as client:
        answer = await client.get("/audit", headers=dev_auth.headers(Role.AUDITOR, [ROMA]))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["total"] == 1
        assert body["items"][0]["resource_id"] == "g-" + ROMA
        refused = await client.get(
            "/audit", params={"municipality": MILANO}, headers=dev_auth.headers(Role.AUDITOR, [ROMA])
        )
        assert refused.status_code == 403
        for role in (Role.CASE_MANAGER, Role.PROGRAMME_COORDINATOR, Role.PAYMENTS_APPROVER):
            assert (await client.get("/audit", headers=dev_auth.headers(role, [ROMA]))).status_code == 403
        assert (await client.get("/audit")).status_code == 401
