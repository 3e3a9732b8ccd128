"""The notifications world: a reported case of Roma whose recipient can be messaged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseReported, Consent, Household
from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.types import Gender, Need
from lgnet_runtime.auth import Role
from lgnet_runtime.sealing import Sealer
from lgnet_testing.harness import eventually, publish_events

from ..conftest import ROMA, SEALING_KEYS, RouteRule
from .base import Builder, Call, World

RECIPIENT_PHONE = "+393471234567"


class NotificationsWorld(World):
    service = "notifications"
    personal = (RECIPIENT_PHONE, "3471234567", "amina@example.org")

    async def seed(self) -> None:
        self.case_id = str(uuid.uuid4())
        sealer = Sealer.from_setting(SEALING_KEYS)
        now = datetime.now(UTC)
        contact = ContactDetails(
            first_name="Amina", phone=RECIPIENT_PHONE, email="amina@example.org", preferred_language="it"
        )
        reported = new_event(
            CaseReported(
                reported_at=now,
                reported_by="operator-7",
                household=Household(adults=[Gender.FEMALE], minors_ages=[4]),
                needs=[Need.SHELTER_TONIGHT],
                consent=Consent(
                    contact=True, data_processing=True, recorded_at=now, recorded_by="operator-7"
                ),
                contact=sealer.seal(contact, bound_to=self.case_id),
                preferred_language="it",
            ),
            producer="referral",
            municipality=ROMA,
            case_id=self.case_id,
        )
        s = self.running.settings
        await publish_events(s.kafka_bootstrap_servers, s.topic_namespace, [reported])
        manager = self.auth.headers(Role.CASE_MANAGER, (ROMA,))

        async def registered() -> bool:
            url = f"/cases/{self.case_id}/notifications"
            return (await self.client.get(url, headers=manager)).status_code == 200

        await eventually(registered, "the recipient of the seeded case", timeout=30)

    def builders(self) -> dict[tuple[str, str], Builder]:
        async def opt_out(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", "/notifications/opt-out", json={"case_id": self.case_id, "channel": "sms"})

        async def status(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/cases/{self.case_id}/notifications", marker=self.case_id)

        async def audit(rule: RouteRule, role: Role, side: str) -> Call:
            # Reading what a person was sent is a sensitive read: it leaves a trace.
            reader = self.auth.headers(Role.CASE_MANAGER, (ROMA,), subject="reader-seed")
            url = f"/cases/{self.case_id}/notifications"
            assert (await self.client.get(url, headers=reader)).status_code == 200
            return Call("GET", "/audit?page_size=100", marker=self.case_id)

        return {
            ("GET", "/audit"): audit,
            ("POST", "/notifications/opt-out"): opt_out,
            ("GET", "/cases/{case_id}/notifications"): status,
        }
