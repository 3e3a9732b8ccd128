"""The housing world: two shelters of Roma, offered placements and a partner's accepted one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseTriaged, Household, HousingRequirements
from lgnet_contracts.types import Gender, Need, Priority
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import EventProbe, publish_events

from ..conftest import ROMA, RouteRule, Running
from .base import Builder, Call, World


def shelter_body(shelter_id: str | None = None, beds: dict[str, int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": ROMA,
        "name": "Casa Security",
        "address": "Via Prenestina 1, Roma",
        "phone": "+39 06 1234567",
        "guest_kinds": ["mixed", "women", "families"],
        "languages": ["it", "ar"],
        "beds": beds if beds is not None else {"single": 20},
    }
    if shelter_id:
        body["id"] = shelter_id
    return body


class HousingWorld(World):
    service = "housing"

    def __init__(self, running: Running, auth: DevAuth, events: EventProbe) -> None:
        super().__init__(running, auth)
        self.events = events
        suffix = uuid.uuid4().hex[:8]
        self.own_shelter = f"sec-a-{suffix}"
        self.other_shelter = f"sec-b-{suffix}"

    def coordinator(self) -> dict[str, str]:
        return self.auth.headers(Role.PROGRAMME_COORDINATOR, (ROMA,), subject="coordinator-seed")

    def partner(self, shelter: str) -> dict[str, str]:
        return self.auth.headers(Role.SHELTER_PARTNER, (ROMA,), subject="partner-seed", shelter_id=shelter)

    async def seed(self) -> None:
        for shelter, beds in ((self.own_shelter, {"single": 20}), (self.other_shelter, {"single": 0})):
            response = await self.client.post(
                "/shelters", json=shelter_body(shelter, beds), headers=self.coordinator()
            )
            assert response.status_code == 201, response.text
        self.placement_id = await self.new_offer()
        # A partner's decision, in the audit trail of the municipality that took the case.
        self.accepted_id = await self.new_offer()
        await self._step(self.accepted_id, "accept")

    async def new_offer(self) -> str:
        now = datetime.now(UTC)
        event = new_event(
            CaseTriaged(
                priority=Priority.P1,
                score=9,
                breakdown=[],
                needs=[Need.SHELTER_TONIGHT],
                sla_deadline=now + timedelta(hours=2),
                policy_version="2025.1",
                housing=HousingRequirements(household=Household(adults=[Gender.FEMALE]), language="ar"),
                household_size=1,
                reported_at=now,
            ),
            producer="referral",
            municipality=ROMA,
            case_id=str(uuid.uuid4()),
        )
        s = self.running.settings
        await publish_events(s.kafka_bootstrap_servers, s.topic_namespace, [event])
        offered = await self.events.wait_for_type("placement.offered", event.case_id, timeout=30)
        assert offered[0].payload.shelter_id == self.own_shelter
        return str(offered[0].payload.placement_id)

    async def _step(self, placement_id: str, step: str) -> None:
        response = await self.client.post(
            f"/partner/placements/{placement_id}/{step}", headers=self.partner(self.own_shelter)
        )
        assert response.status_code == 200, response.text

    async def _placement(self, rule: RouteRule, role: Role, side: str, before: tuple[str, ...] = ()) -> str:
        if not self.runs(rule, role, side):
            return self.placement_id
        placement_id = await self.new_offer()
        for step in before:
            await self._step(placement_id, step)
        return placement_id

    def builders(self) -> dict[tuple[str, str], Builder]:
        async def register(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", "/shelters", json=shelter_body(f"sec-new-{uuid.uuid4().hex[:8]}"))

        async def replace(rule: RouteRule, role: Role, side: str) -> Call:
            body = shelter_body()
            del body["municipality"]
            return Call("PUT", f"/shelters/{self.own_shelter}", json=body)

        async def listing(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/shelters", marker=self.own_shelter)

        async def read(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/shelters/{self.own_shelter}", marker=self.own_shelter)

        async def availability(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/availability", marker=self.own_shelter)

        async def reconciliation(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/shelters/{self.own_shelter}/reconciliation")

        async def deliveries(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/shelters/{self.own_shelter}/webhook-deliveries")

        async def offers(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/partner/offers", marker=self.placement_id)

        async def accept(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", f"/partner/placements/{await self._placement(rule, role, side)}/accept")

        async def decline(rule: RouteRule, role: Role, side: str) -> Call:
            placement_id = await self._placement(rule, role, side)
            return Call(
                "POST", f"/partner/placements/{placement_id}/decline", json={"reason": "no_beds_available"}
            )

        async def check_in(rule: RouteRule, role: Role, side: str) -> Call:
            placement_id = await self._placement(rule, role, side, ("accept",))
            return Call("POST", f"/partner/placements/{placement_id}/check-in")

        async def check_out(rule: RouteRule, role: Role, side: str) -> Call:
            placement_id = await self._placement(rule, role, side, ("accept", "check-in"))
            return Call("POST", f"/partner/placements/{placement_id}/check-out")

        async def partner_availability(rule: RouteRule, role: Role, side: str) -> Call:
            # The shelter is the token's: the other partner can only ever change its own.
            return Call(
                "PUT", "/partner/availability", json={"extra_tonight": {"single": 1}}, marker=self.own_shelter
            )

        async def audit(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/audit?page_size=100", marker=self.accepted_id)

        return {
            ("GET", "/audit"): audit,
            ("POST", "/shelters"): register,
            ("PUT", "/shelters/{shelter_id}"): replace,
            ("GET", "/shelters"): listing,
            ("GET", "/shelters/{shelter_id}"): read,
            ("GET", "/availability"): availability,
            ("GET", "/shelters/{shelter_id}/reconciliation"): reconciliation,
            ("GET", "/shelters/{shelter_id}/webhook-deliveries"): deliveries,
            ("GET", "/partner/offers"): offers,
            ("POST", "/partner/placements/{placement_id}/accept"): accept,
            ("POST", "/partner/placements/{placement_id}/decline"): decline,
            ("POST", "/partner/placements/{placement_id}/check-in"): check_in,
            ("POST", "/partner/placements/{placement_id}/check-out"): check_out,
            ("PUT", "/partner/availability"): partner_availability,
        }
