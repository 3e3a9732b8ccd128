from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from lgnet_housing.domain.reconciliation import Discrepancy, DiscrepancyKind, expected_reserved, reconcile
from lgnet_housing.domain.shelter import (
    BedStock,
    GuestKind,
    PartnerDelivery,
    Reservation,
    ReservationStatus,
    Shelter,
)
from lgnet_housing.domain.values import BedCounts, BedType

UNTIL = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)


def stored(reserved: int, capacity: int = 3, out_of_service: int = 0, holds: int = 2) -> Shelter:
    """A shelter as loaded from storage, counters and list possibly disagreeing."""
    reservations = tuple(
        Reservation(f"p{i}", BedCounts(single=1), ReservationStatus.HELD, UNTIL) for i in range(holds)
    )
    return Shelter(
        id="s1",
        municipality="063049",
        name="Casa Napoli",
        address="Via Toledo 1",
        guest_kinds=frozenset({GuestKind.MEN}),
        accessible=False,
        languages=frozenset({"it"}),
        beds=MappingProxyType(
            {BedType.SINGLE: BedStock(capacity=capacity, out_of_service=out_of_service, reserved=reserved)}
        ),
        delivery=PartnerDelivery.api_only(),
        reservations=reservations,
    )


def test_consistent_shelter_has_no_discrepancy() -> None:
    assert reconcile(stored(reserved=2)) == []
    assert expected_reserved(stored(reserved=2))[BedType.SINGLE] == 2


def test_reserved_counter_drift_is_reported() -> None:
    assert reconcile(stored(reserved=1)) == [
        Discrepancy("s1", BedType.SINGLE, DiscrepancyKind.RESERVED_DRIFT, stored=1, expected=2)
    ]


def test_overbooking_is_reported() -> None:
    found = reconcile(stored(reserved=4, capacity=3, holds=4))
    assert found == [Discrepancy("s1", BedType.SINGLE, DiscrepancyKind.OVERBOOKED, stored=4, expected=3)]


def test_out_of_service_above_capacity_is_reported() -> None:
    found = reconcile(stored(reserved=0, capacity=1, out_of_service=2, holds=0))
    assert [d.kind for d in found] == [DiscrepancyKind.OUT_OF_SERVICE_ABOVE_CAPACITY]


def test_released_reservation_with_stale_counter_is_drift() -> None:
    shelter = stored(reserved=2)
    tampered = replace(shelter, reservations=shelter.reservations[:1])
    assert [d.kind for d in reconcile(tampered)] == [DiscrepancyKind.RESERVED_DRIFT]
