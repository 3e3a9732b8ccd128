"""Who may do what: tokens, roles, municipalities; and field errors an operator can act on."""

from __future__ import annotations

import pytest

from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth

from .conftest import MILANO, PHONE_DIGITS, ROMA, report_body, running

pytestmark = pytest.mark.engines


async def test_scoping_roles_and_tokens(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    roma = dev_auth.headers(Role.HOTLINE_OPERATOR, municipalities=(ROMA,))
    milano = dev_auth.headers(Role.CASE_MANAGER, municipalities=(MILANO,))
    async with running(settings) as (_, client):
        case_id = (await client.post("/cases", json=report_body(), headers=roma)).json()["case_id"]

        # Another municipality's case does not exist, whatever one tries to do with it.
        assert (await client.get(f"/cases/{case_id}", headers=milano)).status_code == 404
        assert (
            await client.patch(f"/cases/{case_id}", json={"needs": ["food"]}, headers=milano)
        ).status_code == 404
        closing = await client.post(f"/cases/{case_id}/close", json={"outcome": "placed"}, headers=milano)
        assert closing.status_code == 404
        assert (await client.get("/cases", headers=milano)).json()["total"] == 0
        assert (await client.get("/cases", params={"municipality": ROMA}, headers=milano)).status_code == 403
        assert (await client.post("/cases", json=report_body(), headers=milano)).status_code == 403

        partner = dev_auth.headers(Role.SHELTER_PARTNER, municipalities=(ROMA,), shelter_id="sh-1")
        assert (await client.get(f"/cases/{case_id}", headers=partner)).status_code == 403
        assert (await client.post("/cases", json=report_body(), headers=partner)).status_code == 403
        auditor = dev_auth.headers(Role.AUDITOR, municipalities=(ROMA,))
        assert (await client.post("/cases", json=report_body(), headers=auditor)).status_code == 403

        assert (await client.get(f"/cases/{case_id}")).status_code == 401
        assert (await client.post("/cases", json=report_body())).status_code == 401
        forged = {"Authorization": "Bearer not-a-token"}
        assert (await client.get("/cases", headers=forged)).status_code == 401
        assert (await client.get("/cases/no-such-case", headers=roma)).status_code == 404

        spec = (await client.get("/openapi.json")).json()
        assert {
            "/cases",
            "/cases/{case_id}",
            "/cases/{case_id}/priority-override",
            "/cases/{case_id}/close",
        } <= set(spec["paths"])


async def test_field_errors_say_what_to_fix(settings: ReferralSettings, dev_auth: DevAuth) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR)
    bad = report_body(
        municipality="999999",
        contact={"phone": "+39 12", "email": "not-an-email"},
        fiscal_code="RSSMRA85T10A562X",
        household={"adults": [], "minors_ages": [], "pregnant": False},
        needs=[],
        birth_date="2999-01-01",
    )
    async with running(settings) as (_, client):
        answer = await client.post("/cases", json=bad, headers=operator)
        assert answer.status_code == 422
        errors = {e["field"]: e["message"] for e in answer.json()["detail"]}
        assert set(errors) == {
            "municipality",
            "contact.phone",
            "contact.email",
            "fiscal_code",
            "household",
            "needs",
            "birth_date",
        }
        assert "ISTAT" in errors["municipality"]
        assert "phone" in errors["contact.phone"]
        assert "check letter" in errors["fiscal_code"]
        assert "at least one person" in errors["household"]
        # The rejected values are not echoed back.
        assert "+39 12" not in answer.text

        provisional = report_body(fiscal_code="01234561205", contact={"phone": f"+39{PHONE_DIGITS}"})
        accepted = await client.post("/cases", json=provisional, headers=operator)
        assert accepted.status_code == 201, accepted.text

        minor_alone = report_body(
            household={"adults": ["female"], "minors_ages": [15], "unaccompanied_minor": True}
        )
        refused = await client.post("/cases", json=minor_alone, headers=operator)
        assert refused.status_code == 422
        assert "unaccompanied minor" in refused.json()["detail"][0]["message"]
