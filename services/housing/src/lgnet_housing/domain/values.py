"""Small value types shared by the shelter, matching and placement modules."""

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidValue

_ISTAT = re.compile(r"^\d{6}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_EARTH_RADIUS_KM = 6371.0088


class Priority(StrEnum):
    """Triage priority; values match lgnet_contracts so mapping is the identity."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        """1 for P1 ... 4 for P4: lower is served sooner."""
        return int(self.value[1])


class BedType(StrEnum):
    SINGLE = "single"
    FAMILY_ROOM = "family_room"
    COT = "cot"
    ACCESSIBLE = "accessible"


def istat_code(value: str) -> str:
    """Validate the shape only; membership of the programme is the contracts' job."""
    if not _ISTAT.match(value):
        raise InvalidValue(f"not a 6-digit ISTAT code: {value!r}")
    return value


def language_code(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise InvalidValue(f"not an ISO 639-1 language code: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class BedCounts:
    """Beds (posti letto) by type. One field per type so storage can address each counter."""

    single: int = 0
    family_room: int = 0
    cot: int = 0
    accessible: int = 0

    def __post_init__(self) -> None:
        for bed_type in BedType:
            if self[bed_type] < 0:
                raise InvalidValue(f"negative {bed_type} beds: {self[bed_type]}")

    @classmethod
    def of(cls, counts: Mapping[BedType, int] | Mapping[str, int]) -> "BedCounts":
        values = {BedType(str(key)).value: int(count) for key, count in counts.items()}
        return cls(**values)

    def __getitem__(self, bed_type: BedType) -> int:
        value: int = getattr(self, bed_type.value)
        return value

    def items(self) -> Iterator[tuple[BedType, int]]:
        for bed_type in BedType:
            yield bed_type, self[bed_type]

    def nonzero(self) -> dict[BedType, int]:
        """The shape events and storage filters use: only the types actually involved."""
        return {bed_type: count for bed_type, count in self.items() if count}

    @property
    def total(self) -> int:
        return sum(count for _, count in self.items())

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    def __add__(self, other: "BedCounts") -> "BedCounts":
        return BedCounts.of({bed_type: count + other[bed_type] for bed_type, count in self.items()})

    def minus(self, other: "BedCounts") -> "BedCounts":
        """Subtract; raises InvalidValue if any type would go negative."""
        return BedCounts.of({bed_type: count - other[bed_type] for bed_type, count in self.items()})

    def covers(self, other: "BedCounts") -> bool:
        return all(count >= other[bed_type] for bed_type, count in self.items())


@dataclass(frozen=True, slots=True)
class Coordinates:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise InvalidValue(f"coordinates out of range: {self.latitude}, {self.longitude}")

    def distance_km(self, other: "Coordinates") -> float:
        """Great-circle (haversine) distance: road distance is not worth an external call here."""
        lat1, lat2 = math.radians(self.latitude), math.radians(other.latitude)
        dlat = lat2 - lat1
        dlon = math.radians(other.longitude - self.longitude)
        a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
