"""The one place where the payments service is wired: settings -> runtime, repositories, use cases, app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.topics import BUDGETS, CASES, GRANTS
from lgnet_payments.adapters.configuration import PaymentsConfiguration, load_configuration
from lgnet_payments.adapters.mongo_batches import MongoBatchRepository
from lgnet_payments.adapters.mongo_budgets import MongoBudgetRepository
from lgnet_payments.adapters.mongo_grants import MongoGrantRepository
from lgnet_payments.adapters.mongo_household_claims import MongoHouseholdClaimRepository
from lgnet_payments.adapters.personal_seal import PersonalSeal
from lgnet_payments.application.deciding import Decider
from lgnet_payments.application.decisions import GrantDecisions
from lgnet_payments.application.disbursement import Disbursement
from lgnet_payments.application.erasure import EraseCaseData
from lgnet_payments.application.errors import ConfigurationError
from lgnet_payments.application.household import HouseholdClaims
from lgnet_payments.application.intake import GrantIntake
from lgnet_payments.application.ledger import BudgetLedger
from lgnet_payments.application.ports import Clock
from lgnet_payments.application.reports import BudgetReconciliation, ProgrammeReporting
from lgnet_payments.entrypoints.api import PaymentsApi
from lgnet_payments.entrypoints.http_batches import batches_router
from lgnet_payments.entrypoints.http_budgets import budgets_router
from lgnet_payments.entrypoints.http_errors import install_error_handlers
from lgnet_payments.entrypoints.http_grants import grants_router
from lgnet_payments.entrypoints.kafka_handlers import case_handlers
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.audit import AuditLog, audit_router
from lgnet_runtime.auth import authenticated
from lgnet_runtime.http import create_http_app
from lgnet_runtime.outbox import utcnow
from lgnet_runtime.sealing import Sealer, SealingError
from lgnet_runtime.service import ServiceRuntime

MIN_PEPPER_BYTES = 16
CONFIG_ACTOR = "config:allocations.toml"
DESCRIPTION = (
    "Economic grants against housing hardship: eligibility per municipality, four-eyes approval, "
    "a budget ledger that never overspends, SEPA pain.001 and accounting exports, pain.002 import. "
    "Every endpoint needs a bearer token and sees only the caller's municipalities."
)


@dataclass(frozen=True, slots=True)
class PaymentsService:
    settings: PaymentsSettings
    configuration: PaymentsConfiguration
    runtime: ServiceRuntime
    app: FastAPI
    grants: MongoGrantRepository
    budgets: MongoBudgetRepository
    batches: MongoBatchRepository
    ledger: BudgetLedger
    intake: GrantIntake
    decisions: GrantDecisions
    disbursement: Disbursement
    reconciliation: BudgetReconciliation
    reporting: ProgrammeReporting

    async def load_allocations(self) -> None:
        """Budgets from configuration, idempotently: the change id names the file's version."""
        plan = self.configuration.allocations
        policy = self.configuration.policy
        for istat, cents in sorted(plan.allocations.items()):
            await self.ledger.open_budget(
                istat,
                cents,
                minimum_grant_cents=policy.rules_for(istat).minimum_grant_cents,
                change_id=f"config-v{plan.version}",
                actor=CONFIG_ACTOR,
            )


def _secrets(settings: PaymentsSettings, problems: list[str]) -> tuple[Sealer | None, bytes]:
    sealer: Sealer | None = None
    try:
        sealer = Sealer.from_setting(settings.sealing_keys.get_secret_value())
    except (SealingError, ValueError) as exc:
        problems.append(f"LGNET_SEALING_KEYS: {exc}")
    pepper = settings.household_pepper.get_secret_value().encode()
    if len(pepper) < MIN_PEPPER_BYTES:
        problems.append(f"LGNET_PAYMENTS_HOUSEHOLD_PEPPER must be at least {MIN_PEPPER_BYTES} bytes")
    return sealer, pepper


def build(settings: PaymentsSettings, *, clock: Clock = utcnow) -> PaymentsService:
    problems: list[str] = []
    configuration: PaymentsConfiguration | None = None
    try:
        configuration = load_configuration(
            settings.grants_config_file,
            settings.allocations_config_file,
            settings.debtor_accounts_config_file,
            allow_placeholder_accounts=settings.allow_placeholder_debtor_accounts,
        )
    except ConfigurationError as error:
        problems.extend(error.problems)
    sealer, pepper = _secrets(settings, problems)
    if problems or configuration is None or sealer is None:
        raise ConfigurationError(problems)

    runtime = ServiceRuntime(settings)
    seal = PersonalSeal(sealer)
    grants = MongoGrantRepository(runtime.aggregates("grants"), seal)
    budgets = MongoBudgetRepository(runtime.aggregates("budgets"))
    batches = MongoBatchRepository(runtime.aggregates("batches"), seal)
    claim_store = MongoHouseholdClaimRepository(runtime.db["household_claims"])
    ledger = BudgetLedger(budgets, clock)
    claims = HouseholdClaims(claim_store, grants, clock)
    decider = Decider(grants, ledger, claims, configuration.policy, clock)
    intake = GrantIntake(grants, decider, pepper=pepper, clock=clock)
    decisions = GrantDecisions(grants, decider)
    disbursement = Disbursement(
        grants,
        batches,
        decider,
        configuration.debtors,
        lead_days=settings.batch_execution_lead_days,
        max_grants=settings.max_grants_per_batch,
        clock=clock,
    )
    reconciliation = BudgetReconciliation(grants, budgets)
    names = {istat: m.name for istat, m in municipalities().items()}
    reporting = ProgrammeReporting(grants, budgets, names)
    runtime.publishes([GRANTS, BUDGETS])
    audit = AuditLog(runtime.db["audit"], service=settings.service_name)
    erase = EraseCaseData(grants, batches, decisions, claims, clock)
    runtime.subscribe([CASES], case_handlers(intake, erase, audit))

    verifier = settings.token_verifier()
    api = PaymentsApi(
        verifier=verifier,
        intake=intake,
        decisions=decisions,
        grants=grants,
        ledger=ledger,
        reconciliation=reconciliation,
        disbursement=disbursement,
        reporting=reporting,
        clock=clock,
        audit=audit,
    )
    service_ref: list[PaymentsService] = []

    async def load_allocations() -> None:
        await service_ref[0].load_allocations()

    app = create_http_app(
        runtime,
        title="LGNet3 payments",
        description=DESCRIPTION,
        routers=[
            grants_router(api),
            budgets_router(api),
            batches_router(api),
            audit_router(audit, authenticated(verifier)),
        ],
        on_started=[
            grants.ensure_indexes,
            batches.ensure_indexes,
            claim_store.ensure_indexes,
            audit.ensure_indexes,
            load_allocations,
        ],
    )
    install_error_handlers(app)
    service = PaymentsService(
        settings=settings,
        configuration=configuration,
        runtime=runtime,
        app=app,
        grants=grants,
        budgets=budgets,
        batches=batches,
        ledger=ledger,
        intake=intake,
        decisions=decisions,
        disbursement=disbursement,
        reconciliation=reconciliation,
        reporting=reporting,
    )
    service_ref.append(service)
    return service
