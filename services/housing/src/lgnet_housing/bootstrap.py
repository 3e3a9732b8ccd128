"""The one place where the housing service is wired: runtime, repositories, use cases, HTTP, Kafka."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.topics import CASES, PLACEMENTS
from lgnet_housing.adapters.mongo_placements import MongoPlacementRepository
from lgnet_housing.adapters.mongo_shelters import MongoShelterRepository
from lgnet_housing.adapters.webhooks import WebhookDispatcher, WebhookPolicy, WebhookQueue
from lgnet_housing.application.config import load_neighbours, load_policies
from lgnet_housing.application.lifecycle import Lifecycle
from lgnet_housing.application.placing import Placer
from lgnet_housing.application.ports import Clock
from lgnet_housing.application.registry import ShelterRegistry
from lgnet_housing.application.repair import Sweeper
from lgnet_housing.entrypoints.background import Periodic
from lgnet_housing.entrypoints.http_coordinators import coordinators_router
from lgnet_housing.entrypoints.http_partners import partners_router
from lgnet_housing.entrypoints.kafka import case_handlers
from lgnet_housing.entrypoints.views import install_error_handlers
from lgnet_housing.settings import HousingSettings
from lgnet_runtime.audit import AuditLog, audit_router
from lgnet_runtime.auth import authenticated
from lgnet_runtime.http import create_http_app
from lgnet_runtime.service import ServiceRuntime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Service:
    app: FastAPI
    runtime: ServiceRuntime
    placer: Placer
    lifecycle: Lifecycle
    registry: ShelterRegistry
    sweeper: Sweeper
    webhooks: WebhookQueue
    dispatcher: WebhookDispatcher
    placements: MongoPlacementRepository
    shelters: MongoShelterRepository


def build(
    settings: HousingSettings,
    *,
    clock: Clock = utc_now,
    http_client: Callable[[], httpx.AsyncClient] | None = None,
) -> Service:
    runtime = ServiceRuntime(settings)
    placement_docs = runtime.aggregates("placements")
    placements = MongoPlacementRepository(placement_docs)
    shelters = MongoShelterRepository(runtime.aggregates("shelters"))
    policies = load_policies(settings.config_dir, settings.offer_ttl_override_seconds)
    neighbours = load_neighbours(settings.config_dir)

    placer = Placer(placements, shelters, neighbours, policies, clock)
    lifecycle = Lifecycle(
        placements, shelters, placer, clock, arrival_window=timedelta(minutes=settings.arrival_window_minutes)
    )
    registry = ShelterRegistry(shelters, placer)
    sweeper = Sweeper(
        placements,
        shelters,
        placer,
        lifecycle,
        clock,
        municipalities=set(municipalities()),
        grace=timedelta(seconds=settings.repair_grace_seconds),
    )
    webhooks = WebhookQueue(placement_docs.collection, runtime.db["webhook_deliveries"])
    dispatcher = WebhookDispatcher(
        webhooks,
        shelters,
        WebhookPolicy(
            max_attempts=settings.webhook_max_attempts,
            backoff_base_seconds=settings.webhook_backoff_base_seconds,
            backoff_max_seconds=settings.webhook_backoff_max_seconds,
            timeout_seconds=settings.webhook_timeout_seconds,
        ),
        clock,
        poll_seconds=settings.webhook_poll_seconds,
        client_factory=http_client,
    )
    sweeps = Periodic("housing.sweep", sweeper.sweep, settings.expiry_sweep_interval_seconds)

    runtime.publishes([PLACEMENTS])
    runtime.subscribe([CASES], case_handlers(placer, lifecycle))

    current = authenticated(settings.token_verifier())
    audit = AuditLog(runtime.db["audit"], service=settings.service_name)

    async def started() -> None:
        await placements.ensure_indexes()
        await shelters.ensure_indexes()
        await webhooks.ensure_indexes()
        await audit.ensure_indexes()
        await dispatcher.start()
        await sweeps.start()

    async def stopping() -> None:
        await sweeps.stop()
        await dispatcher.stop()

    app = create_http_app(
        runtime,
        title="LGNet3 housing",
        description="Partner shelters, safe matching, atomic bed holds and the placement lifecycle.",
        routers=[
            coordinators_router(current, registry, webhooks),
            partners_router(current, lifecycle, registry, audit),
            audit_router(audit, current),
        ],
        on_started=[started],
        on_stopping=[stopping],
    )
    install_error_handlers(app)
    return Service(
        app, runtime, placer, lifecycle, registry, sweeper, webhooks, dispatcher, placements, shelters
    )
