"""The partner API: a shelter sees and answers only its own offers, and reports its beds."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends

from lgnet_housing.application.lifecycle import Lifecycle
from lgnet_housing.application.registry import ShelterRegistry
from lgnet_housing.domain.placement import Placement
from lgnet_housing.domain.values import BedCounts
from lgnet_runtime.audit import AuditLog, Detail
from lgnet_runtime.auth import Principal, Role, require_roles

from .schemas import DeclineIn, PartnerAvailabilityIn, PartnerOfferOut, PlacementOut, ShelterOut
from .views import offer_out, placement_out, shelter_out


def _shelter(principal: Principal) -> str:
    assert principal.shelter_id is not None  # the verifier refuses partner tokens without one
    return principal.shelter_id


def partners_router(
    current: Callable[..., Principal], lifecycle: Lifecycle, registry: ShelterRegistry, audit: AuditLog
) -> APIRouter:
    router = APIRouter(prefix="/partner", tags=["partner"])
    Partner = Annotated[Principal, Depends(require_roles(current, Role.SHELTER_PARTNER))]

    async def record(principal: Principal, action: str, placement: Placement, **details: Detail) -> None:
        # Scoped by the municipality that took the case, whose auditor answers for it.
        await audit.record(
            principal,
            action,
            resource_type="placement",
            resource_id=placement.id,
            municipality=placement.request.municipality,
            case_id=placement.request.case_id,
            details={"shelter_id": _shelter(principal), "status": str(placement.status), **details},
        )

    @router.get("/offers", summary="Offers and stays at the caller's shelter")
    async def offers(principal: Partner) -> list[PartnerOfferOut]:
        return [offer_out(v) for v in await lifecycle.offers_for(_shelter(principal))]

    @router.post("/placements/{placement_id}/accept", summary="Accept an offer before it expires")
    async def accept(placement_id: str, principal: Partner) -> PlacementOut:
        placement = await lifecycle.accept(placement_id, _shelter(principal), principal.subject)
        await record(principal, "placement.accepted", placement)
        return placement_out(placement)

    @router.post("/placements/{placement_id}/decline", summary="Decline an offer, with a reason")
    async def decline(placement_id: str, body: DeclineIn, principal: Partner) -> PlacementOut:
        placement = await lifecycle.decline(
            placement_id, _shelter(principal), principal.subject, body.reason, body.note
        )
        await record(principal, "placement.declined", placement, reason=str(body.reason))
        return placement_out(placement)

    @router.post("/placements/{placement_id}/check-in", summary="The person arrived")
    async def check_in(placement_id: str, principal: Partner) -> PlacementOut:
        placement = await lifecycle.check_in(placement_id, _shelter(principal))
        await record(principal, "placement.checked_in", placement)
        return placement_out(placement)

    @router.post("/placements/{placement_id}/check-out", summary="The person left; the beds are free")
    async def check_out(placement_id: str, principal: Partner) -> PlacementOut:
        placement = await lifecycle.check_out(placement_id, _shelter(principal))
        await record(principal, "placement.checked_out", placement)
        return placement_out(placement)

    @router.put("/availability", summary="Beds out of service and extra beds tonight (absolute numbers)")
    async def availability(body: PartnerAvailabilityIn, principal: Partner) -> ShelterOut:
        record = await registry.set_availability(
            _shelter(principal),
            BedCounts.of(body.out_of_service) if body.out_of_service is not None else None,
            BedCounts.of(body.extra_tonight) if body.extra_tonight is not None else None,
        )
        return shelter_out(record)

    return router
