"""What happened to a placement: plain records the application maps onto lgnet_contracts events.

`beds_to_release` on the events that end a hold tells the application which shelter
reservation to release next (a separate single-document write, idempotent by placement id).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .values import BedCounts, Priority


class DeclineReason(StrEnum):
    NO_BEDS_AVAILABLE = "no_beds_available"
    HOUSEHOLD_NOT_SUITABLE = "household_not_suitable"
    SAFETY_CONCERN = "safety_concern"
    UNREACHABLE = "unreachable"  # the shelter could not receive the person in time
    OTHER = "other"


class CancelReason(StrEnum):
    CASE_CLOSED = "case_closed"
    NO_LONGER_NEEDED = "no_longer_needed"
    ARRANGED_ELSEWHERE = "arranged_elsewhere"
    NO_SHOW = "no_show"


@dataclass(frozen=True, slots=True)
class PlacementEvent:
    placement_id: str
    case_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class PlacementRequested(PlacementEvent):
    municipality: str
    priority: Priority
    beds_needed: BedCounts


@dataclass(frozen=True, slots=True)
class PlacementOffered(PlacementEvent):
    shelter_id: str
    shelter_municipality: str
    beds: BedCounts
    offer_expires_at: datetime


@dataclass(frozen=True, slots=True)
class PlacementAccepted(PlacementEvent):
    shelter_id: str
    accepted_by: str


@dataclass(frozen=True, slots=True)
class PlacementDeclined(PlacementEvent):
    shelter_id: str
    declined_by: str
    reason: DeclineReason
    beds_to_release: BedCounts
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PlacementExpired(PlacementEvent):
    shelter_id: str
    expired_at: datetime  # the offer's deadline, not when the sweeper noticed
    beds_to_release: BedCounts


@dataclass(frozen=True, slots=True)
class PlacementConfirmed(PlacementEvent):
    shelter_id: str
    beds: BedCounts
    arrive_by: datetime


@dataclass(frozen=True, slots=True)
class PlacementCheckedIn(PlacementEvent):
    shelter_id: str


@dataclass(frozen=True, slots=True)
class PlacementCheckedOut(PlacementEvent):
    shelter_id: str
    beds_to_release: BedCounts


@dataclass(frozen=True, slots=True)
class PlacementWaitlisted(PlacementEvent):
    priority: Priority
    position: int  # 1 = next in line
    reason: str


@dataclass(frozen=True, slots=True)
class PlacementCancelled(PlacementEvent):
    reason: CancelReason
    shelter_id: str | None  # set when beds were held or confirmed
    beds_to_release: BedCounts
