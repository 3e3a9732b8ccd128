"""The payments world: grants of Roma pending and paid, a batch, and the budget."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from lgnet_contracts import new_event
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Need, Priority
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import eventually, publish_events
from lgnet_testing.samples import fiscal_code

from ..conftest import ROMA, RouteRule, Running
from .base import Builder, Call, World

PAYEE_IBAN = "IT60X0542811101000000123456"
BENEFICIARY = "Amina Ouedraogo"


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

        await eventually(opened, f"grant request {grant_id}", timeout=30)
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
