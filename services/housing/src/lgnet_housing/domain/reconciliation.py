"""Recompute the counters from the reservations, to prove stored counters never drift."""

from dataclasses import dataclass
from enum import StrEnum

from .shelter import Shelter
from .values import BedType


class DiscrepancyKind(StrEnum):
    RESERVED_DRIFT = "reserved_drift"  # counter differs from the sum of active reservations
    OVERBOOKED = "overbooked"  # more reserved than usable: available would be negative
    OUT_OF_SERVICE_ABOVE_CAPACITY = "out_of_service_above_capacity"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    shelter_id: str
    bed_type: BedType
    kind: DiscrepancyKind
    stored: int  # what the counter says
    expected: int  # what the reservations (or capacity) say


def expected_reserved(shelter: Shelter) -> dict[BedType, int]:
    """Sum of the beds of every active reservation, per type."""
    totals = dict.fromkeys(BedType, 0)
    for reservation in shelter.reservations:
        for bed_type, count in reservation.beds.items():
            totals[bed_type] += count
    return totals


def reconcile(shelter: Shelter) -> list[Discrepancy]:
    """Empty when the shelter document is consistent; otherwise one entry per problem."""
    found: list[Discrepancy] = []
    expected = expected_reserved(shelter)
    for bed_type, stock in shelter.beds.items():
        if stock.reserved != expected[bed_type]:
            found.append(
                Discrepancy(
                    shelter.id, bed_type, DiscrepancyKind.RESERVED_DRIFT, stock.reserved, expected[bed_type]
                )
            )
        if expected[bed_type] > max(0, stock.usable):
            found.append(
                Discrepancy(
                    shelter.id, bed_type, DiscrepancyKind.OVERBOOKED, expected[bed_type], stock.usable
                )
            )
        if stock.out_of_service > stock.capacity:
            found.append(
                Discrepancy(
                    shelter.id,
                    bed_type,
                    DiscrepancyKind.OUT_OF_SERVICE_ABOVE_CAPACITY,
                    stock.out_of_service,
                    stock.capacity,
                )
            )
    return found
