"""The coordinators' API: the shelter registry, availability at a glance, reconciliation."""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from lgnet_contracts.types import IstatCode
from lgnet_housing.adapters.webhooks import DeliveryStatus, WebhookQueue
from lgnet_housing.application.registry import ShelterRegistry
from lgnet_housing.domain.values import BedCounts, BedType
from lgnet_runtime.auth import Principal, Role, ensure_municipality, require_roles

from .schemas import (
    AvailabilityReport,
    NewShelterIn,
    ReconciliationOut,
    ShelterIn,
    ShelterOut,
    WebhookDeliveryOut,
)
from .views import availability_out, profile_of, reconciliation_out, shelter_out

COORDINATORS = (Role.PROGRAMME_COORDINATOR, Role.CASE_MANAGER)


def _scope(principal: Principal, municipality: str | None) -> set[str]:
    """One municipality if asked for (it must be the caller's), else all of the caller's."""
    if municipality is None:
        return set(principal.municipalities)
    ensure_municipality(principal, municipality, exists=False)
    return {municipality}


def coordinators_router(
    current: Callable[..., Principal], registry: ShelterRegistry, webhooks: WebhookQueue
) -> APIRouter:
    router = APIRouter(tags=["shelters"])
    Coordinator = Annotated[Principal, Depends(require_roles(current, *COORDINATORS))]

    @router.post("/shelters", status_code=status.HTTP_201_CREATED, summary="Register a partner shelter")
    async def register(body: NewShelterIn, principal: Coordinator) -> ShelterOut:
        ensure_municipality(principal, body.municipality, exists=False)
        shelter_id = body.id or f"sh-{uuid.uuid4().hex[:16]}"
        record = await registry.register(shelter_id, body.municipality, profile_of(body))
        return shelter_out(record, with_secret=True)

    @router.put("/shelters/{shelter_id}", summary="Replace a shelter's profile and permanent beds")
    async def update(shelter_id: str, body: ShelterIn, principal: Coordinator) -> ShelterOut:
        record, issued = await registry.update(shelter_id, principal.municipalities, profile_of(body))
        return shelter_out(record, with_secret=issued)

    @router.get("/shelters", summary="The shelters of a municipality (or of all the caller's)")
    async def list_shelters(
        principal: Coordinator, municipality: Annotated[IstatCode | None, Query()] = None
    ) -> list[ShelterOut]:
        return [shelter_out(r) for r in await registry.list_shelters(_scope(principal, municipality))]

    @router.get("/shelters/{shelter_id}", summary="One shelter")
    async def get_shelter(shelter_id: str, principal: Coordinator) -> ShelterOut:
        return shelter_out(await registry.get(shelter_id, principal.municipalities))

    @router.get("/availability", summary="Free beds per shelter, computed from the reservations")
    async def availability(
        principal: Coordinator, municipality: Annotated[IstatCode | None, Query()] = None
    ) -> AvailabilityReport:
        scope = _scope(principal, municipality)
        rows = await registry.availability(scope)
        total = BedCounts()
        for row in rows:
            total = total + row.available
        return AvailabilityReport(
            municipalities=sorted(scope),
            total_available={t: total[t] for t in BedType},
            shelters=[availability_out(r) for r in rows],
        )

    @router.get(
        "/shelters/{shelter_id}/reconciliation",
        summary="Proof that the stored counters equal the sum of the reservations",
    )
    async def reconciliation(shelter_id: str, principal: Coordinator) -> ReconciliationOut:
        return reconciliation_out(await registry.reconciliation(shelter_id, principal.municipalities))

    @router.get("/shelters/{shelter_id}/webhook-deliveries", summary="Webhook deliveries (dead letters too)")
    async def deliveries(
        shelter_id: str, principal: Coordinator, status: Annotated[DeliveryStatus | None, Query()] = None
    ) -> list[WebhookDeliveryOut]:
        await registry.get(shelter_id, principal.municipalities)
        return [
            WebhookDeliveryOut(
                id=d["_id"],
                event_type=d["event_type"],
                status=d["status"],
                attempts=d.get("attempts", 0),
                created_at=d["created_at"],
                last_error=d.get("last_error"),
            )
            for d in await webhooks.of_shelter(shelter_id, status)
        ]

    return router
