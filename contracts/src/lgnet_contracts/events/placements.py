"""Events of the housing service: a bed held, offered, accepted and lived in."""

from typing import Annotated

from pydantic import Field

from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.topics import PLACEMENTS
from lgnet_contracts.types import ActorId, BedType, EntityId, IstatCode, Priority, ShortText, UtcDatetime

BedCounts = dict[BedType, Annotated[int, Field(ge=1, le=40)]]


class _Placement(EventPayload):
    topic = PLACEMENTS.name

    placement_id: EntityId


class PlacementRequested(_Placement):
    event_type = "placement.requested"

    priority: Priority
    beds_needed: BedCounts


class PlacementOffered(_Placement):
    event_type = "placement.offered"

    shelter_id: EntityId
    shelter_municipality: IstatCode
    beds: BedCounts
    offer_expires_at: UtcDatetime


class PlacementAccepted(_Placement):
    event_type = "placement.accepted"

    shelter_id: EntityId
    accepted_by: ActorId


class PlacementDeclined(_Placement):
    event_type = "placement.declined"

    shelter_id: EntityId
    declined_by: ActorId
    reason: ShortText


class PlacementExpired(_Placement):
    event_type = "placement.expired"

    shelter_id: EntityId
    expired_at: UtcDatetime


class PlacementConfirmed(_Placement):
    """The bed is the person's: what they need to get there (no personal data)."""

    event_type = "placement.confirmed"

    shelter_id: EntityId
    shelter_name: Annotated[str, Field(min_length=1, max_length=200)]
    shelter_address: Annotated[str, Field(min_length=1, max_length=300)]
    shelter_phone: Annotated[str, Field(max_length=32)] | None = None
    arrive_by: UtcDatetime


class PlacementCheckedIn(_Placement):
    event_type = "placement.checked_in"

    shelter_id: EntityId
    at: UtcDatetime


class PlacementCheckedOut(_Placement):
    event_type = "placement.checked_out"

    shelter_id: EntityId
    at: UtcDatetime


class PlacementWaitlisted(_Placement):
    event_type = "placement.waitlisted"

    priority: Priority
    position: Annotated[int, Field(ge=1)]
    reason: ShortText
