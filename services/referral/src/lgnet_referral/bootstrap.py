"""The one place where the referral service is wired: settings -> runtime, repository, use cases, app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.topics import CASES, GRANTS, NOTIFICATIONS, PLACEMENTS
from lgnet_referral.adapters.mongo_cases import MongoCaseRepository
from lgnet_referral.adapters.personal_seal import ContactSeal, PersonalSeal
from lgnet_referral.application.case_commands import CaseCommands
from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.erasure import EraseCase, RetentionSweeper
from lgnet_referral.application.errors import ConfigurationError
from lgnet_referral.application.intake import ReportCase
from lgnet_referral.application.sla_watchdog import SlaWatchdog
from lgnet_referral.application.timeline_feed import RecordExternalEvent
from lgnet_referral.domain.duplicates import MIN_PEPPER_BYTES
from lgnet_referral.domain.errors import TriagePolicyError
from lgnet_referral.domain.triage_policy import PolicySet
from lgnet_referral.entrypoints.http_cases import CaseApi, cases_router
from lgnet_referral.entrypoints.http_errors import install_error_handlers
from lgnet_referral.entrypoints.kafka_handlers import timeline_handlers
from lgnet_referral.entrypoints.retention_task import RetentionTask
from lgnet_referral.entrypoints.watchdog_task import WatchdogTask
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.audit import AuditLog, audit_router
from lgnet_runtime.auth import authenticated
from lgnet_runtime.http import create_http_app
from lgnet_runtime.keyring import CaseKeyring
from lgnet_runtime.sealing import Sealer, SealingError
from lgnet_runtime.service import ServiceRuntime

DESCRIPTION = (
    "Hotline intake of urgent social cases, explainable triage (P1-P4), the case's whole story "
    "from every service, and an SLA watchdog. Every endpoint needs a bearer token and sees only "
    "the caller's municipalities."
)


@dataclass(frozen=True, slots=True)
class ReferralService:
    settings: ReferralSettings
    runtime: ServiceRuntime
    app: FastAPI
    repository: MongoCaseRepository
    report: ReportCase
    commands: CaseCommands
    watchdog: SlaWatchdog
    erase: EraseCase
    retention: RetentionTask
    keyring: CaseKeyring
    audit: AuditLog


def load_policies(directory: Path) -> PolicySet:
    """Read and validate every triage file; any problem stops the service, all listed at once."""
    default = directory / "default.toml"
    if not default.is_file():
        raise ConfigurationError([f"triage policy {default} not found"])
    overrides = {
        p.name: p.read_text("utf-8") for p in sorted(directory.glob("*.toml")) if p.name != "default.toml"
    }
    try:
        return PolicySet.from_texts(
            default.read_text("utf-8"), overrides, known_municipalities=frozenset(municipalities())
        )
    except TriagePolicyError as error:
        raise ConfigurationError([f"{directory}: {problem}" for problem in error.problems]) from None


def _checked_secrets(settings: ReferralSettings) -> tuple[Sealer, bytes]:
    problems: list[str] = []
    sealer: Sealer | None = None
    try:
        sealer = Sealer.from_setting(settings.sealing_keys.get_secret_value())
    except (SealingError, ValueError) as exc:
        problems.append(f"LGNET_SEALING_KEYS: {exc}")
    pepper = settings.identity_pepper.get_secret_value().encode()
    if len(pepper) < MIN_PEPPER_BYTES:
        problems.append(f"LGNET_REFERRAL_IDENTITY_PEPPER must be at least {MIN_PEPPER_BYTES} bytes")
    if problems or sealer is None:
        raise ConfigurationError(problems)
    return sealer, pepper


def build(settings: ReferralSettings, *, clock: Clock = utc_now) -> ReferralService:
    problems: list[str] = []
    policies: PolicySet | None = None
    secrets: tuple[Sealer, bytes] | None = None
    try:
        policies = load_policies(settings.triage_config_dir)
    except ConfigurationError as error:
        problems.extend(error.problems)
    try:
        secrets = _checked_secrets(settings)
    except ConfigurationError as error:
        problems.extend(error.problems)
    if problems or policies is None or secrets is None:
        raise ConfigurationError(problems)
    sealer, pepper = secrets

    runtime = ServiceRuntime(settings)
    # At rest under one data key per case (erasable); in events under the shared transport key.
    keyring = CaseKeyring(
        runtime.db["data_keys"], sealer, cache_seconds=settings.data_key_cache_seconds, clock=clock
    )
    audit = AuditLog(runtime.db["audit"], service=settings.service_name)
    repository = MongoCaseRepository(runtime.aggregates("cases"), PersonalSeal(keyring), ContactSeal(sealer))
    report = ReportCase(
        repository,
        policies,
        pepper=pepper,
        duplicate_window=timedelta(hours=settings.duplicate_window_hours),
        clock=clock,
    )
    commands = CaseCommands(repository, policies, clock=clock)
    watchdog = SlaWatchdog(repository, clock=clock, batch_size=settings.sla_watchdog_batch_size)
    erase = EraseCase(repository, keyring, clock=clock)
    retention = RetentionTask(
        RetentionSweeper(
            repository,
            erase,
            retain_for=timedelta(days=settings.retention_days_after_close),
            clock=clock,
            batch_size=settings.retention_sweep_batch_size,
        ),
        audit,
        interval_seconds=settings.retention_sweep_interval_seconds,
    )
    runtime.publishes([CASES])
    runtime.subscribe([PLACEMENTS, GRANTS, NOTIFICATIONS], timeline_handlers(RecordExternalEvent(repository)))

    task = WatchdogTask(watchdog, interval_seconds=settings.sla_watchdog_interval_seconds)
    due_soon = timedelta(minutes=settings.sla_due_soon_minutes)
    verifier = settings.token_verifier()
    api = CaseApi(
        verifier=verifier,
        report=report,
        commands=commands,
        queries=repository,
        clock=clock,
        due_soon=due_soon,
        erase=erase,
        audit=audit,
    )
    app = create_http_app(
        runtime,
        title="LGNet3 referral",
        description=DESCRIPTION,
        routers=[cases_router(api), audit_router(audit, authenticated(verifier))],
        on_started=[repository.ensure_indexes, audit.ensure_indexes, task.start, retention.start],
        on_stopping=[task.stop, retention.stop],
    )
    install_error_handlers(app)
    return ReferralService(
        settings=settings,
        runtime=runtime,
        app=app,
        repository=repository,
        report=report,
        commands=commands,
        watchdog=watchdog,
        erase=erase,
        retention=retention,
        keyring=keyring,
        audit=audit,
    )
