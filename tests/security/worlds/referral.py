"""The referral world: a reported case of Roma, with personal data only some roles may see."""

from __future__ import annotations

from typing import Any

from lgnet_runtime.auth import Role

from ..conftest import ROMA, RouteRule
from .base import Builder, Call, World

GIVEN_NAME = "Zainab"
FAMILY_NAME = "Okonkwo-Haddad"
PHONE = "+393331234567"
NOTES = "Arrived yesterday from Lampedusa; the younger child has a fever."


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": ROMA,
        "location": "Roma Termini, near platform 24",
        "household": {"adults": ["female"], "minors_ages": [2, 7], "pregnant": False},
        "factors": ["single_parent_with_minors", "torture_or_violence_survivor"],
        "needs": ["shelter_tonight", "food"],
        "contact": {"phone": "+39 333 123 4567", "email": "z.o@example.org", "preferred_language": "en"},
        "given_name": GIVEN_NAME,
        "family_name": FAMILY_NAME,
        "birth_date": "1991-04-02",
        "consent": {"contact": True, "data_processing": True},
        "notes": NOTES,
        "not_a_duplicate": True,
    }
    body.update(overrides)
    return body


class ReferralWorld(World):
    service = "referral"
    personal = (GIVEN_NAME, FAMILY_NAME, PHONE, NOTES, "z.o@example.org")

    async def seed(self) -> None:
        self.case_id = await self.new_case()

    async def new_case(self, **overrides: Any) -> str:
        headers = self.auth.headers(Role.HOTLINE_OPERATOR, (ROMA,), subject="hotline-seed")
        response = await self.client.post("/cases", json=report_body(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["case_id"])

    async def _case(self, rule: RouteRule, role: Role, side: str) -> str:
        # A plain case (no hard floor, low priority): every change to it is allowed by the domain.
        if self.runs(rule, role, side):
            return await self.new_case(factors=[], needs=["food", "legal"], household={"adults": ["male"]})
        return self.case_id

    def builders(self) -> dict[tuple[str, str], Builder]:
        async def create(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", "/cases", json=report_body())

        async def listing(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/cases?page_size=100", marker=self.case_id)

        async def read(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/cases/{self.case_id}", marker=self.case_id)

        async def update(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("PATCH", f"/cases/{await self._case(rule, role, side)}", json={"needs": ["food"]})

        async def override(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"priority": "P1", "reason": "Two small children outside at night in the cold"}
            return Call("POST", f"/cases/{await self._case(rule, role, side)}/priority-override", json=body)

        async def take_charge(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", f"/cases/{await self._case(rule, role, side)}/take-charge")

        async def need_met(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", f"/cases/{await self._case(rule, role, side)}/needs/food/met")

        async def close(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"outcome": "no_longer_needed"}
            return Call("POST", f"/cases/{await self._case(rule, role, side)}/close", json=body)

        async def erase(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"reason": "data_subject_request"}
            return Call("POST", f"/cases/{await self._case(rule, role, side)}/erase", json=body)

        async def audit(rule: RouteRule, role: Role, side: str) -> Call:
            # A sensitive read leaves a trace in the case's municipality; only its auditors see it.
            reader = self.auth.headers(Role.CASE_MANAGER, (ROMA,), subject="reader-seed")
            assert (await self.client.get(f"/cases/{self.case_id}", headers=reader)).status_code == 200
            return Call("GET", f"/audit?page_size=100&case_id={self.case_id}", marker=self.case_id)

        return {
            ("POST", "/cases/{case_id}/erase"): erase,
            ("GET", "/audit"): audit,
            ("POST", "/cases"): create,
            ("GET", "/cases"): listing,
            ("GET", "/cases/{case_id}"): read,
            ("PATCH", "/cases/{case_id}"): update,
            ("POST", "/cases/{case_id}/priority-override"): override,
            ("POST", "/cases/{case_id}/take-charge"): take_charge,
            ("POST", "/cases/{case_id}/needs/{need}/met"): need_met,
            ("POST", "/cases/{case_id}/close"): close,
        }
