"""What the routers share: the token verifier, the use cases and the role sets."""

from __future__ import annotations

from dataclasses import dataclass

from lgnet_payments.application.decisions import GrantDecisions
from lgnet_payments.application.disbursement import Disbursement
from lgnet_payments.application.intake import GrantIntake
from lgnet_payments.application.ledger import BudgetLedger
from lgnet_payments.application.ports import Clock, GrantRepository
from lgnet_payments.application.records import GrantFile
from lgnet_payments.application.reports import BudgetReconciliation, ProgrammeReporting
from lgnet_runtime.audit import AuditLog, Detail
from lgnet_runtime.auth import Principal, Role, TokenVerifier

PREPARE_ROLES = (Role.CASE_MANAGER, Role.PAYMENTS_OFFICER)
APPROVE_ROLES = (Role.PAYMENTS_APPROVER,)
CANCEL_ROLES = (Role.CASE_MANAGER, Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER)
GRANT_READ_ROLES = (Role.CASE_MANAGER, Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER, Role.AUDITOR)
# Who sees the beneficiary's name, IBAN and fiscal code: those who prepare and check payments.
PERSONAL_ROLES = frozenset({Role.CASE_MANAGER, Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER})
BUDGET_ROLES = (Role.PROGRAMME_COORDINATOR,)
BUDGET_READ_ROLES = (Role.PROGRAMME_COORDINATOR, Role.AUDITOR, Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER)
BATCH_ROLES = (Role.PAYMENTS_OFFICER,)
BATCH_READ_ROLES = (Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER, Role.AUDITOR)
# Payment files name beneficiaries and their accounts.
BATCH_FILE_ROLES = (Role.PAYMENTS_OFFICER, Role.PAYMENTS_APPROVER)
REPORT_ROLES = (Role.PROGRAMME_COORDINATOR, Role.AUDITOR)


@dataclass(frozen=True, slots=True)
class PaymentsApi:
    verifier: TokenVerifier
    intake: GrantIntake
    decisions: GrantDecisions
    grants: GrantRepository
    ledger: BudgetLedger
    reconciliation: BudgetReconciliation
    disbursement: Disbursement
    reporting: ProgrammeReporting
    clock: Clock
    audit: AuditLog

    async def record_grant(
        self, principal: Principal, action: str, file: GrantFile, **details: Detail
    ) -> None:
        await self.audit.record(
            principal,
            action,
            resource_type="grant",
            resource_id=file.grant_id,
            municipality=file.municipality,
            case_id=file.intake.case_id,
            details={"status": file.status, **details},
        )

    async def record(
        self,
        principal: Principal,
        action: str,
        *,
        resource_type: str,
        resource_id: str,
        municipality: str,
        **details: Detail,
    ) -> None:
        await self.audit.record(
            principal,
            action,
            resource_type=resource_type,
            resource_id=resource_id,
            municipality=municipality,
            details=details,
        )
