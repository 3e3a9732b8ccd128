"""Use cases wired to in-memory fakes, with a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_payments.application.deciding import Decider
from lgnet_payments.application.decisions import GrantDecisions
from lgnet_payments.application.disbursement import Disbursement
from lgnet_payments.application.erasure import EraseCaseData
from lgnet_payments.application.household import HouseholdClaims
from lgnet_payments.application.intake import GrantIntake
from lgnet_payments.application.ledger import BudgetLedger
from lgnet_payments.application.records import Applicant, GrantDetails, GrantFile
from lgnet_payments.application.reports import BudgetReconciliation, ProgrammeReporting
from lgnet_payments.domain.batch import debtor_accounts_from_toml
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation
from lgnet_payments.domain.eligibility_policy import grant_policy_from_toml
from lgnet_testing.samples import fiscal_code

from ..conftest import CONFIG, PAYEE_IBAN
from .fakes import FakeBatches, FakeBudgets, FakeGrants, FakeHouseholdClaims

ROMA = "058091"
MILANO = "015146"
SCOPE = frozenset({ROMA})
T0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)  # a Monday inside the programme window
PEPPER = b"unit-test-pepper-0123456789"


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def details(
    requested_cents: int = 3_000_00, *, household_size: int = 3, isee_cents: int = 9_000_00
) -> GrantDetails:
    return GrantDetails(
        household_size=household_size,
        isee_cents=isee_cents,
        housing=HousingSituation(rent_arrears=True, eviction_notice=True, lease_registered=True),
        requested_cents=requested_cents,
        purpose=GrantPurpose.RENT_ARREARS,
    )


def applicant(index: int = 0) -> Applicant:
    return Applicant(f"Beneficiary {index}", PAYEE_IBAN, fiscal_code(index))


@dataclass
class Payments:
    clock: FakeClock
    grants: FakeGrants
    budgets: FakeBudgets
    batches: FakeBatches
    claims: FakeHouseholdClaims
    ledger: BudgetLedger
    intake: GrantIntake
    decisions: GrantDecisions
    disbursement: Disbursement
    erase: EraseCaseData
    reconciliation: BudgetReconciliation
    reporting: ProgrammeReporting

    async def fund(self, municipality: str = ROMA, cents: int = 48_925_14) -> None:
        await self.ledger.open_budget(
            municipality, cents, minimum_grant_cents=100_00, change_id="config-v1", actor="config"
        )

    async def create(self, index: int = 0, requested_cents: int = 3_000_00, **kw: object) -> GrantFile:
        case_id = kw.get("case_id")
        return await self.intake.create(
            municipality=ROMA,
            case_id=str(case_id) if case_id is not None else None,
            details=details(requested_cents),
            applicant=applicant(index),
            actor=str(kw.get("actor", "officer.rossi")),
        )


@pytest.fixture
def payments() -> Payments:
    clock = FakeClock()
    grants, budgets, batches, claims = FakeGrants(), FakeBudgets(), FakeBatches(), FakeHouseholdClaims()
    policy = grant_policy_from_toml((CONFIG / "grants.toml").read_text("utf-8"))
    debtors = debtor_accounts_from_toml((CONFIG / "debtor_accounts.toml").read_text("utf-8"))
    ledger = BudgetLedger(budgets, clock)
    household = HouseholdClaims(claims, grants, clock)
    decider = Decider(grants, ledger, household, policy, clock)
    decisions = GrantDecisions(grants, decider)
    return Payments(
        clock=clock,
        grants=grants,
        budgets=budgets,
        batches=batches,
        claims=claims,
        ledger=ledger,
        intake=GrantIntake(grants, decider, pepper=PEPPER, clock=clock),
        decisions=decisions,
        disbursement=Disbursement(
            grants, batches, decider, debtors, lead_days=2, max_grants=100, clock=clock
        ),
        erase=EraseCaseData(grants, batches, decisions, household, clock),
        reconciliation=BudgetReconciliation(grants, budgets),
        reporting=ProgrammeReporting(grants, budgets, {ROMA: "Roma", MILANO: "Milano"}),
    )
