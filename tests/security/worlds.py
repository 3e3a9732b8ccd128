"""One seeded world per service, and for every route of the matrix the request that exercises a cell.

A world holds records of Roma (the "own" municipality of the callers); "other" callers are of
Milano, or partners of another shelter. Cells that change a record get a fresh one, so every
cell can run alone and in any order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from stdnum.it import codicefiscale

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseReported, CaseTriaged, Consent, Household, HousingRequirements
from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.types import Gender, Need, Priority
from lgnet_runtime.auth import Role
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import EventProbe, publish_events

from .conftest import MILANO, ROMA, SEALING_KEYS, RouteRule, Running


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Must appear in the own answer and never in the other one ("filtered" routes).
    marker: str | None = None


Builder = Callable[[RouteRule, Role, str], Awaitable[Call]]


class World:
    service = ""
    # Personal values seeded in this world: shown only to the matrix's `personal_data` roles.
    personal: tuple[str, ...] = ()

    def __init__(self, running: Running, auth: DevAuth) -> None:
        self.running = running
        self.client: httpx.AsyncClient = running.client
        self.auth = auth
        self.own_shelter = "sh-none"
        self.other_shelter = "sh-other"

    def headers(self, role: Role, side: str, *, subject: str | None = None) -> dict[str, str]:
        municipalities = (ROMA,) if side == "own" else (MILANO,)
        shelter = self.own_shelter if side == "own" else self.other_shelter
        return self.auth.headers(
            role,
            municipalities,
            subject=subject or f"{role}-{side}",
            shelter_id=shelter if role is Role.SHELTER_PARTNER else None,
        )

    def builders(self) -> dict[tuple[str, str], Builder]:
        raise NotImplementedError

    async def call_for(self, rule: RouteRule, role: Role, side: str) -> Call:
        builder = self.builders()[(rule.method, rule.path)]
        return await builder(rule, role, side)

    @staticmethod
    def runs(rule: RouteRule, role: Role, side: str) -> bool:
        """True when the request will reach the handler: a fresh record is worth creating."""
        return role in rule.roles and side == "own"


async def wait_until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


# -- referral ------------------------------------------------------------------------------------

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


# -- housing -------------------------------------------------------------------------------------


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


# -- payments ------------------------------------------------------------------------------------

PAYEE_IBAN = "IT60X0542811101000000123456"
BENEFICIARY = "Amina Ouedraogo"


def fiscal_code(index: int) -> str:
    """A valid codice fiscale per index: the surname letters vary, the check character is computed."""
    letters = ""
    n = index
    for _ in range(3):
        n, r = divmod(n, 26)
        letters += chr(ord("A") + r)
    base = f"{letters}MRA80A01H501"
    return base + codicefiscale.calc_check_digit(base)


class PaymentsWorld(World):
    service = "payments"
    personal = (PAYEE_IBAN, BENEFICIARY)

    def __init__(self, running: Running, auth: DevAuth) -> None:
        super().__init__(running, auth)
        # A household per grant: eligibility looks at what a household already received.
        self._households = uuid.uuid4().int % 10_000 * 10

    def details(self, requested_cents: int = 3_000_00) -> dict[str, Any]:
        self._households += 1
        return {
            "household_size": 3,
            "isee_cents": 9_500_00,
            "housing": {"rent_arrears": True, "eviction_notice": True, "lease_registered": True},
            "requested_cents": requested_cents,
            "purpose": "rent_arrears",
            "beneficiary_name": BENEFICIARY,
            "iban": PAYEE_IBAN,
            "fiscal_code": fiscal_code(self._households),
        }

    def officer(self) -> dict[str, str]:
        return self.auth.headers(Role.PAYMENTS_OFFICER, (ROMA,), subject="officer-seed")

    async def new_grant(self, requested_cents: int = 3_000_00, status: str = "pending_review") -> str:
        body = {**self.details(requested_cents), "municipality": ROMA}
        response = await self.client.post("/grants", json=body, headers=self.officer())
        assert response.status_code == 201, response.text
        assert response.json()["status"] == status, response.text
        return str(response.json()["grant_id"])

    async def new_request_from_triage(self) -> str:
        from lgnet_payments.application.intake import grant_id_for_event

        now = datetime.now(UTC)
        event = new_event(
            CaseTriaged(
                priority=Priority.P2,
                score=7,
                breakdown=[],
                needs=[Need.ECONOMIC_HARDSHIP],
                sla_deadline=now + timedelta(hours=24),
                policy_version="2025.1",
                household_size=3,
                reported_at=now - timedelta(minutes=5),
            ),
            producer="referral",
            municipality=ROMA,
            case_id=str(uuid.uuid4()),
        )
        s = self.running.settings
        await publish_events(s.kafka_bootstrap_servers, s.topic_namespace, [event])
        grant_id = grant_id_for_event(str(event.event_id))

        async def opened() -> bool:
            return (await self.client.get(f"/grants/{grant_id}", headers=self.officer())).status_code == 200

        await wait_until(opened, f"grant request {grant_id}")
        return grant_id

    async def seed(self) -> None:
        self.grant_id = await self.new_grant()
        paid = await self.new_grant(1_000_00, status="approved")  # under the threshold: approved by policy
        response = await self.client.post("/batches", json={"municipality": ROMA}, headers=self.officer())
        assert response.status_code == 201, response.text
        self.batch_id = str(response.json()["batch_id"])
        self.paid_grant = paid
        await self.new_grant(1_000_00, status="approved")  # left for the batch cell

    async def _grant(self, rule: RouteRule, role: Role, side: str) -> str:
        return await self.new_grant() if self.runs(rule, role, side) else self.grant_id

    def builders(self) -> dict[tuple[str, str], Builder]:
        async def create(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("POST", "/grants", json={**self.details(), "municipality": ROMA})

        async def listing(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/grants?limit=500", marker=self.grant_id)

        async def read(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/grants/{self.grant_id}", marker=self.grant_id)

        async def details(rule: RouteRule, role: Role, side: str) -> Call:
            grant_id = await self.new_request_from_triage() if self.runs(rule, role, side) else self.grant_id
            return Call("PUT", f"/grants/{grant_id}/details", json=self.details())

        async def approve(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"why": "Eviction notice checked."}
            return Call("POST", f"/grants/{await self._grant(rule, role, side)}/approve", json=body)

        async def reject(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"reasons": ["The lease is not registered."]}
            return Call("POST", f"/grants/{await self._grant(rule, role, side)}/reject", json=body)

        async def cancel(rule: RouteRule, role: Role, side: str) -> Call:
            body = {"why": "The family found other help."}
            return Call("POST", f"/grants/{await self._grant(rule, role, side)}/cancel", json=body)

        async def budget(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/budgets/{ROMA}", marker=ROMA)

        async def allocation(rule: RouteRule, role: Role, side: str) -> Call:
            coordinator = self.auth.headers(Role.PROGRAMME_COORDINATOR, (ROMA,))
            current = (await self.client.get(f"/budgets/{ROMA}", headers=coordinator)).json()[
                "allocation_cents"
            ]
            body = {"allocation_cents": current + 100, "reason": "Coordinators' decision of today"}
            return Call("PUT", f"/budgets/{ROMA}/allocation", json=body)

        async def budget_reconciliation(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/budgets/{ROMA}/reconciliation")

        async def report(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/reports/programme", marker=ROMA)

        async def report_csv(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", "/reports/programme.csv", marker=ROMA)

        async def create_batch(rule: RouteRule, role: Role, side: str) -> Call:
            if self.runs(rule, role, side):
                await self.new_grant(1_000_00, status="approved")
            return Call("POST", "/batches", json={"municipality": ROMA})

        async def batch(rule: RouteRule, role: Role, side: str) -> Call:
            return Call("GET", f"/batches/{self.batch_id}", marker=self.batch_id)

        def batch_file(name: str) -> Builder:
            async def build(rule: RouteRule, role: Role, side: str) -> Call:
                return Call("GET", f"/batches/{self.batch_id}/{name}")

            return build

        async def pain002(rule: RouteRule, role: Role, side: str) -> Call:
            from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002
            from lgnet_payments.domain.batch import end_to_end_id_for

            report = build_pain002(
                message_id=f"BANK-{uuid.uuid4().hex[:12]}",
                created_at=datetime.now(UTC),
                original_message_id=self.batch_id,
                original_payment_information_id=self.batch_id,
                statuses=[TransactionStatus(end_to_end_id_for(self.paid_grant), "ACSC")],
            )
            return Call(
                "POST",
                f"/batches/{self.batch_id}/pain002",
                content=report,
                headers={"Content-Type": "application/xml"},
            )

        async def audit(rule: RouteRule, role: Role, side: str) -> Call:
            # Reading a beneficiary is a sensitive read: it is in the trail of the grant's municipality.
            assert (
                await self.client.get(f"/grants/{self.grant_id}", headers=self.officer())
            ).status_code == 200
            return Call("GET", "/audit?page_size=100", marker=self.grant_id)

        return {
            ("GET", "/audit"): audit,
            ("POST", "/grants"): create,
            ("GET", "/grants"): listing,
            ("GET", "/grants/{grant_id}"): read,
            ("PUT", "/grants/{grant_id}/details"): details,
            ("POST", "/grants/{grant_id}/approve"): approve,
            ("POST", "/grants/{grant_id}/reject"): reject,
            ("POST", "/grants/{grant_id}/cancel"): cancel,
            ("GET", "/budgets/{istat}"): budget,
            ("PUT", "/budgets/{istat}/allocation"): allocation,
            ("GET", "/budgets/{istat}/reconciliation"): budget_reconciliation,
            ("GET", "/reports/programme"): report,
            ("GET", "/reports/programme.csv"): report_csv,
            ("POST", "/batches"): create_batch,
            ("GET", "/batches/{batch_id}"): batch,
            ("GET", "/batches/{batch_id}/pain001"): batch_file("pain001"),
            ("GET", "/batches/{batch_id}/export.csv"): batch_file("export.csv"),
            ("GET", "/batches/{batch_id}/export.json"): batch_file("export.json"),
            ("POST", "/batches/{batch_id}/pain002"): pain002,
        }


# -- notifications -------------------------------------------------------------------------------

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

        await wait_until(registered, "the recipient of the seeded case")

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
