"""Domain aggregates to MongoDB documents and back.

Placement documents also carry flat copies of what the queries filter on (case, municipality,
status, current shelter, offer deadline), kept in step by writing them with every save.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from lgnet_housing.application.ports import ShelterRecord, StoredPlacement
from lgnet_housing.domain.household_fit import Gender, Household
from lgnet_housing.domain.placement import Offer, OfferOutcome, Placement, PlacementStatus
from lgnet_housing.domain.placement_events import DeclineReason
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.shelter import (
    BedStock,
    DeliveryMode,
    GuestKind,
    PartnerDelivery,
    Reservation,
    ReservationStatus,
    Shelter,
)
from lgnet_housing.domain.values import BedCounts, BedType, Coordinates, Priority

Document = dict[str, Any]


def beds_doc(beds: BedCounts) -> dict[str, int]:
    return {t.value: n for t, n in beds.nonzero().items()}


def beds_of(doc: dict[str, int] | None) -> BedCounts:
    return BedCounts.of(doc or {})


def _coordinates_doc(c: Coordinates | None) -> Document | None:
    return None if c is None else {"latitude": c.latitude, "longitude": c.longitude}


def _coordinates_of(doc: Document | None) -> Coordinates | None:
    return None if doc is None else Coordinates(doc["latitude"], doc["longitude"])


# -- shelters ---------------------------------------------------------------------------------------


def stock_doc(stock: BedStock) -> dict[str, int]:
    return {
        "capacity": stock.capacity,
        "out_of_service": stock.out_of_service,
        "extra_tonight": stock.extra_tonight,
        "reserved": stock.reserved,
    }


def reservation_doc(r: Reservation, held_at: datetime | None) -> Document:
    return {
        "placement_id": r.placement_id,
        "beds": beds_doc(r.beds),
        "status": r.status.value,
        "held_until": r.held_until,
        "held_at": held_at,
    }


def shelter_profile_doc(record: ShelterRecord) -> Document:
    """Everything but the reservations and the reserved counters (those change only by holds)."""
    s = record.shelter
    doc: Document = {
        "municipality": s.municipality,
        "name": s.name,
        "address": s.address,
        "phone": record.phone,
        "guest_kinds": sorted(k.value for k in s.guest_kinds),
        "accessible": s.accessible,
        "languages": sorted(s.languages),
        "coordinates": _coordinates_doc(s.coordinates),
        "delivery": {"mode": s.delivery.mode.value, "webhook_url": s.delivery.webhook_url},
        "webhook_secret": record.webhook_secret,
    }
    for bed_type, stock in s.beds.items():
        for key in ("capacity", "out_of_service", "extra_tonight"):
            doc[f"beds.{bed_type.value}.{key}"] = getattr(stock, key)
    return doc


def shelter_doc(record: ShelterRecord) -> Document:
    s = record.shelter
    flat = {k: v for k, v in shelter_profile_doc(record).items() if not k.startswith("beds.")}
    return {
        "_id": s.id,
        **flat,
        "beds": {t.value: stock_doc(stock) for t, stock in s.beds.items()},
        "reservations": [reservation_doc(r, record.held_at.get(r.placement_id)) for r in s.reservations],
    }


def shelter_of(doc: Document) -> ShelterRecord:
    delivery = doc["delivery"]
    reservations = tuple(
        Reservation(
            r["placement_id"], beds_of(r["beds"]), ReservationStatus(r["status"]), r.get("held_until")
        )
        for r in doc.get("reservations", [])
    )
    shelter = Shelter(
        id=doc["_id"],
        municipality=doc["municipality"],
        name=doc["name"],
        address=doc["address"],
        guest_kinds=frozenset(GuestKind(k) for k in doc["guest_kinds"]),
        accessible=doc["accessible"],
        languages=frozenset(doc["languages"]),
        beds={BedType(t): BedStock(**stock) for t, stock in doc["beds"].items()},
        delivery=PartnerDelivery(DeliveryMode(delivery["mode"]), delivery.get("webhook_url")),
        coordinates=_coordinates_of(doc.get("coordinates")),
        reservations=reservations,
        version=doc.get("_v", 1),
    )
    held_at = {
        r["placement_id"]: r["held_at"] for r in doc.get("reservations", []) if r.get("held_at") is not None
    }
    return ShelterRecord(shelter, doc.get("phone"), doc.get("webhook_secret"), doc.get("_v", 1), held_at)


# -- placements -------------------------------------------------------------------------------------


def _offer_doc(o: Offer) -> Document:
    return {
        "shelter_id": o.shelter_id,
        "shelter_municipality": o.shelter_municipality,
        "beds": beds_doc(o.beds),
        "offered_at": o.offered_at,
        "expires_at": o.expires_at,
        "outcome": o.outcome.value,
        "decided_at": o.decided_at,
        "decided_by": o.decided_by,
        "decline_reason": o.decline_reason.value if o.decline_reason else None,
    }


def _offer_of(d: Document) -> Offer:
    return Offer(
        d["shelter_id"],
        d["shelter_municipality"],
        beds_of(d["beds"]),
        d["offered_at"],
        d["expires_at"],
        OfferOutcome(d["outcome"]),
        d.get("decided_at"),
        d.get("decided_by"),
        DeclineReason(d["decline_reason"]) if d.get("decline_reason") else None,
    )


def placement_fields(stored: StoredPlacement) -> Document:
    p = stored.placement
    r = p.request
    h = r.household
    offer = p.current_offer
    return {
        # Flat copies for queries.
        "case_id": r.case_id,
        "municipality": r.municipality,
        "priority": r.priority.value,
        "status": p.status.value,
        "shelter_id": offer.shelter_id if offer else None,
        "offer_expires_at": offer.expires_at if p.status is PlacementStatus.OFFERED and offer else None,
        "updated_at": p.updated_at,
        # The aggregate.
        "request": {
            "reported_at": r.reported_at,
            "first_name": r.first_name,
            "location": _coordinates_doc(r.location),
            "expected_arrival": r.expected_arrival,
            "household": {
                "adults": [g.value for g in h.adults],
                "minors_ages": list(h.minors_ages),
                "unaccompanied_minor": h.unaccompanied_minor,
                "pregnancy": h.pregnancy,
                "accessibility_need": h.accessibility_need,
                "language": h.language,
            },
        },
        "beds_needed": beds_doc(p.beds_needed),
        "created_at": p.created_at,
        "offers": [_offer_doc(o) for o in p.offers],
        "excluded_shelters": sorted(p.excluded_shelters),
        "arrive_by": p.arrive_by,
        "version": p.version,
        "correlation_id": str(stored.correlation_id),
    }


def placement_of(doc: Document) -> StoredPlacement:
    req = doc["request"]
    h = req["household"]
    request = PlacementRequest(
        case_id=doc["case_id"],
        municipality=doc["municipality"],
        priority=Priority(doc["priority"]),
        household=Household(
            adults=tuple(Gender(g) for g in h["adults"]),
            minors_ages=tuple(h["minors_ages"]),
            unaccompanied_minor=h["unaccompanied_minor"],
            pregnancy=h["pregnancy"],
            accessibility_need=h["accessibility_need"],
            language=h["language"],
        ),
        reported_at=req["reported_at"],
        first_name=req.get("first_name"),
        location=_coordinates_of(req.get("location")),
        expected_arrival=req.get("expected_arrival"),
    )
    placement = Placement(
        id=doc["_id"],
        request=request,
        beds_needed=beds_of(doc["beds_needed"]),
        status=PlacementStatus(doc["status"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        offers=tuple(_offer_of(o) for o in doc.get("offers", [])),
        excluded_shelters=frozenset(doc.get("excluded_shelters", [])),
        arrive_by=doc.get("arrive_by"),
        version=doc.get("version", 0),
    )
    return StoredPlacement(placement, UUID(doc["correlation_id"]), doc.get("_v", 1))
