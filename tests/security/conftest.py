"""The four services in-process on the real engines, and the authorisation matrix they are checked against."""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pymongo import AsyncMongoClient, MongoClient

from lgnet_runtime.auth import Role
from lgnet_runtime.sealing import Sealer
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.auth import DevAuth
from lgnet_testing.auth import dev_auth as dev_auth  # the session's token minter
from lgnet_testing.harness import isolated_settings
from lgnet_testing.sources import SessionEngines

MATRIX_FILE = Path(__file__).resolve().parents[2] / "security" / "authorization-matrix.toml"
SERVICES = ("referral", "housing", "payments", "notifications")
ROMA = "058091"
MILANO = "015146"
CALLBACK_TOKEN = "security-tests-callback-token"
SEALING_KEYS = "k1:" + Sealer.generate_key()
# Routes FastAPI adds for the API description; they carry no data.
DOC_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


# -- the matrix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    service: str
    method: str
    path: str
    roles: frozenset[Role]
    scope: str
    other: str
    ok: tuple[int, ...]
    personal_data: frozenset[Role] = frozenset()
    ok_reason: str = ""
    corrected: str = ""
    review: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.method, self.path)

    @property
    def label(self) -> str:
        return f"{self.service} {self.method} {self.path}"


@dataclass(frozen=True)
class Matrix:
    routes: tuple[RouteRule, ...]
    public: frozenset[tuple[str, str]]
    roles: tuple[Role, ...] = field(default_factory=tuple)

    def of(self, service: str) -> list[RouteRule]:
        return [r for r in self.routes if r.service == service]


def load_matrix(path: Path = MATRIX_FILE) -> Matrix:
    data = tomllib.loads(path.read_text("utf-8"))
    roles = tuple(Role(r) for r in data["roles"])
    assert set(roles) == set(Role), "the matrix lists every role of lgnet_runtime.auth.Role"
    rules = []
    for row in data["routes"]:
        rule = RouteRule(
            service=row["service"],
            method=row["method"],
            path=row["path"],
            roles=frozenset(Role(r) for r in row["roles"]),
            scope=row["scope"],
            other=row["other"],
            ok=tuple(row["ok"]),
            personal_data=frozenset(Role(r) for r in row.get("personal_data", [])),
            ok_reason=row.get("ok_reason", ""),
            corrected=row.get("corrected", ""),
            review=row.get("review", ""),
        )
        assert rule.service in SERVICES, rule.label
        assert rule.scope in {"municipality", "shelter", "callback"}, rule.label
        assert rule.other in {"not_found", "forbidden", "filtered"}, rule.label
        assert rule.personal_data <= rule.roles, rule.label
        assert all(200 <= s < 300 or (s in (404, 409, 422) and rule.ok_reason) for s in rule.ok), rule.label
        rules.append(rule)
    keys = [r.key for r in rules]
    assert len(keys) == len(set(keys)), "a route appears twice in the matrix"
    public = frozenset((p["method"], p["path"]) for p in data["public"]["paths"])
    return Matrix(tuple(rules), public, roles)


# -- the services --------------------------------------------------------------------------------


class AnchoredClock:
    """Payments decide inside the programme window (2024-01-16..2026-12-31) whatever day tests run."""

    ANCHOR = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)

    def __init__(self) -> None:
        self._started = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.ANCHOR + (datetime.now(UTC) - self._started)


def service_settings(
    service: str, engines: SessionEngines, auth: DevAuth, **overrides: Any
) -> RuntimeSettings:
    """Isolated settings (own topics, group, database) that trust the session's dev tokens.

    The rate limit is lifted: these tests send hundreds of requests per subject on purpose
    (the limit itself is proven in runtime/tests/test_limits.py).
    """
    unique = uuid.uuid4().hex[:12]
    common: dict[str, Any] = {
        **auth.settings,
        "sealing_keys": SEALING_KEYS,
        "rate_limit_per_minute": 1_000_000,
        "rate_limit_burst": 1_000_000,
        "log_level": "WARNING",
    }
    cls: type[RuntimeSettings]
    if service == "referral":
        from lgnet_referral.settings import ReferralSettings

        cls = ReferralSettings
        common |= {"identity_pepper": "security-pepper-" + unique, "sla_watchdog_interval_seconds": 5.0}
    elif service == "housing":
        from lgnet_housing.settings import HousingSettings

        cls = HousingSettings
        common |= {
            "expiry_sweep_interval_seconds": 1.0,
            "repair_grace_seconds": 30.0,
            "webhook_poll_seconds": 0.5,
        }
    elif service == "payments":
        from lgnet_payments.settings import PaymentsSettings

        cls = PaymentsSettings
        common |= {"household_pepper": "security-pepper-" + unique, "allow_placeholder_debtor_accounts": True}
    elif service == "notifications":
        from lgnet_notifications.settings import NotificationsSettings

        cls = NotificationsSettings
        # No provider is reachable: messages are recorded, none is sent anywhere.
        common |= {"smtp_host": "", "sms_callback_token": CALLBACK_TOKEN, "dispatch_poll_seconds": 0.5}
    else:
        raise ValueError(service)
    common.update(overrides)
    return isolated_settings(cls, engines.kafka_bootstrap, engines.mongodb_uri, unique, **common)


def build_app(service: str, settings: RuntimeSettings) -> FastAPI:
    if service == "referral":
        from lgnet_referral.bootstrap import build as build_referral

        return build_referral(settings).app  # type: ignore[arg-type]
    if service == "housing":
        from lgnet_housing.bootstrap import build as build_housing

        return build_housing(settings).app  # type: ignore[arg-type]
    if service == "payments":
        from lgnet_payments.bootstrap import build as build_payments

        return build_payments(settings, clock=AnchoredClock()).app  # type: ignore[arg-type]
    from lgnet_notifications.bootstrap import build as build_notifications

    return build_notifications(settings).app  # type: ignore[arg-type]


@dataclass
class Running:
    service: str
    app: FastAPI
    client: httpx.AsyncClient
    settings: RuntimeSettings


@asynccontextmanager
async def running(
    service: str, engines: SessionEngines, auth: DevAuth, **overrides: Any
) -> AsyncIterator[Running]:
    settings = service_settings(service, engines, auth, **overrides)
    app = build_app(service, settings)
    try:
        async with (
            LifespanManager(app, startup_timeout=60, shutdown_timeout=60),
            httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=f"http://{service}") as client,
        ):
            yield Running(service, app, client, settings)
    finally:
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(engines.mongodb_uri)
        try:
            await mongo.drop_database(settings.database)
        finally:
            await mongo.close()


def drop_database(engines: SessionEngines, settings: RuntimeSettings) -> None:
    with MongoClient(engines.mongodb_uri) as mongo:  # type: ignore[var-annotated]
        mongo.drop_database(settings.database)
