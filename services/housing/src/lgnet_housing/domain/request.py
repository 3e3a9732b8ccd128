"""What a triaged case asks of housing: a household, where, how urgently."""

from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidValue
from .household_fit import Household
from .values import Coordinates, Priority, istat_code


@dataclass(frozen=True, slots=True)
class PlacementRequest:
    case_id: str
    municipality: str  # ISTAT code of the municipality that took the case
    priority: Priority
    household: Household
    reported_at: datetime  # when the case was reported: the waitlist's second key
    first_name: str | None = None  # the only personal name housing keeps, for the partner
    location: Coordinates | None = None  # where the person is now, for distances
    expected_arrival: datetime | None = None

    def __post_init__(self) -> None:
        istat_code(self.municipality)
        if not self.case_id:
            raise InvalidValue("a placement request needs a case id")
        if self.reported_at.tzinfo is None:
            raise InvalidValue("reported_at must be timezone-aware")
        if self.expected_arrival is not None and self.expected_arrival.tzinfo is None:
            raise InvalidValue("expected_arrival must be timezone-aware")
        if self.first_name is not None and not 1 <= len(self.first_name.strip()) <= 100:
            raise InvalidValue("first name must be 1 to 100 characters")
