"""Domain and application objects to API bodies, and domain errors to HTTP answers."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from lgnet_housing.application.errors import AlreadyExists, Busy, NotFound, StaleVersion
from lgnet_housing.application.ports import ShelterRecord
from lgnet_housing.application.registry import Availability, ReconciliationReport, ShelterProfile
from lgnet_housing.domain.errors import DomainError, InvalidValue, NotVisibleToPartner
from lgnet_housing.domain.partner_view import PartnerPlacementView
from lgnet_housing.domain.placement import Placement
from lgnet_housing.domain.shelter import PartnerDelivery
from lgnet_housing.domain.values import BedCounts, BedType, Coordinates

from .schemas import (
    AvailabilityOut,
    CoordinatesIn,
    DeliveryIn,
    DiscrepancyOut,
    PartnerOfferOut,
    PlacementOut,
    ReconciliationOut,
    ShelterIn,
    ShelterOut,
    StockOut,
)


def bed_map(beds: BedCounts) -> dict[BedType, int]:
    return dict(beds.items())


def profile_of(body: ShelterIn) -> ShelterProfile:
    """Raises the domain's InvalidValue for what the body's shape cannot check (e.g. an http url)."""
    return ShelterProfile(
        name=body.name.strip(),
        address=body.address.strip(),
        phone=body.phone,
        guest_kinds=frozenset(body.guest_kinds),
        accessible=body.accessible,
        languages=frozenset(body.languages),
        capacity=BedCounts.of(body.beds),
        delivery=PartnerDelivery(body.delivery.mode, body.delivery.webhook_url),
        coordinates=Coordinates(body.coordinates.latitude, body.coordinates.longitude)
        if body.coordinates
        else None,
    )


def shelter_out(record: ShelterRecord, *, with_secret: bool = False) -> ShelterOut:
    s = record.shelter
    return ShelterOut(
        id=s.id,
        municipality=s.municipality,
        name=s.name,
        address=s.address,
        phone=record.phone,
        guest_kinds=sorted(s.guest_kinds),
        accessible=s.accessible,
        languages=sorted(s.languages),
        beds={
            t: StockOut(
                capacity=b.capacity,
                out_of_service=b.out_of_service,
                extra_tonight=b.extra_tonight,
                reserved=b.reserved,
            )
            for t, b in s.beds.items()
        },
        delivery=DeliveryIn(mode=s.delivery.mode, webhook_url=s.delivery.webhook_url),
        coordinates=CoordinatesIn(latitude=s.coordinates.latitude, longitude=s.coordinates.longitude)
        if s.coordinates
        else None,
        reservations=len(s.reservations),
        webhook_secret=record.webhook_secret if with_secret else None,
    )


def availability_out(a: Availability) -> AvailabilityOut:
    return AvailabilityOut(
        shelter_id=a.shelter_id,
        municipality=a.municipality,
        name=a.name,
        usable=bed_map(a.usable),
        reserved=bed_map(a.reserved),
        available=bed_map(a.available),
    )


def reconciliation_out(r: ReconciliationReport) -> ReconciliationOut:
    return ReconciliationOut(
        shelter_id=r.shelter_id,
        consistent=r.consistent,
        reservations=r.reservations,
        reserved_counters=bed_map(r.reserved_counters),
        reserved_by_reservations=bed_map(r.reserved_by_reservations),
        discrepancies=[
            DiscrepancyOut(bed_type=d.bed_type, kind=d.kind.value, stored=d.stored, expected=d.expected)
            for d in r.discrepancies
        ],
    )


def offer_out(v: PartnerPlacementView) -> PartnerOfferOut:
    return PartnerOfferOut(
        placement_id=v.placement_id,
        status=v.status,
        beds=v.beds.nonzero(),
        offer_expires_at=v.offer_expires_at,
        first_name=v.first_name,
        adults=v.adults,
        minors_ages=list(v.minors_ages),
        expected_arrival=v.expected_arrival,
        language=v.language,
        accessibility_need=v.accessibility_need,
    )


def placement_out(p: Placement) -> PlacementOut:
    return PlacementOut(placement_id=p.id, status=p.status, shelter_id=p.shelter_id, arrive_by=p.arrive_by)


def install_error_handlers(app: FastAPI) -> None:
    """Rule violations are the caller's problem (4xx), never a 500."""

    def answer(status: int):  # type: ignore[no-untyped-def]
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc) or type(exc).__name__}, status_code=status)

        return handler

    app.add_exception_handler(NotFound, answer(404))
    app.add_exception_handler(NotVisibleToPartner, answer(404))
    app.add_exception_handler(InvalidValue, answer(422))
    app.add_exception_handler(AlreadyExists, answer(409))
    app.add_exception_handler(StaleVersion, answer(409))
    app.add_exception_handler(Busy, answer(503))
    # Any other rule (invalid transition, expired offer, beds already promised) is a conflict.
    app.add_exception_handler(DomainError, answer(409))
