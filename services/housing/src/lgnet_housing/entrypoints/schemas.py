"""Request and response bodies of the housing API."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lgnet_contracts.types import EntityId, IstatCode, LanguageCode, PhoneE164
from lgnet_housing.domain.placement import PlacementStatus
from lgnet_housing.domain.placement_events import DeclineReason
from lgnet_housing.domain.shelter import DeliveryMode, GuestKind
from lgnet_housing.domain.values import BedType

BedMap = dict[BedType, Annotated[int, Field(ge=0, le=1000)]]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeliveryIn(_In):
    mode: DeliveryMode = DeliveryMode.API_ONLY
    webhook_url: Annotated[str, Field(max_length=500)] | None = None


class CoordinatesIn(_In):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class ShelterIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    address: Annotated[str, Field(min_length=1, max_length=300)]
    phone: PhoneE164 | None = None
    guest_kinds: list[GuestKind] = Field(min_length=1)
    accessible: bool = False
    languages: list[LanguageCode] = Field(default_factory=lambda: ["it"], max_length=30)
    beds: BedMap = Field(description="Permanent beds (posti letto) by type")
    delivery: DeliveryIn = Field(default_factory=DeliveryIn)
    coordinates: CoordinatesIn | None = None


class NewShelterIn(ShelterIn):
    municipality: IstatCode
    id: EntityId | None = Field(None, description="Chosen by the registry when absent")


class StockOut(BaseModel):
    capacity: int
    out_of_service: int
    extra_tonight: int
    reserved: int


class ShelterOut(BaseModel):
    id: str
    municipality: str
    name: str
    address: str
    phone: str | None
    guest_kinds: list[GuestKind]
    accessible: bool
    languages: list[str]
    beds: dict[BedType, StockOut]
    delivery: DeliveryIn
    coordinates: CoordinatesIn | None
    reservations: int
    webhook_secret: str | None = Field(
        None, description="Shown once, when issued: the key that signs this shelter's webhooks"
    )


class AvailabilityOut(BaseModel):
    shelter_id: str
    municipality: str
    name: str
    usable: dict[BedType, int]
    reserved: dict[BedType, int]
    available: dict[BedType, int]


class AvailabilityReport(BaseModel):
    municipalities: list[str]
    total_available: dict[BedType, int]
    shelters: list[AvailabilityOut]


class DiscrepancyOut(BaseModel):
    bed_type: BedType
    kind: str
    stored: int
    expected: int


class ReconciliationOut(BaseModel):
    shelter_id: str
    consistent: bool
    reservations: int
    reserved_counters: dict[BedType, int]
    reserved_by_reservations: dict[BedType, int]
    discrepancies: list[DiscrepancyOut]


class PartnerOfferOut(BaseModel):
    """The minimum a shelter needs to receive the person: never notes or vulnerability details."""

    placement_id: str
    status: PlacementStatus
    beds: dict[BedType, int]
    offer_expires_at: datetime
    first_name: str | None
    adults: int
    minors_ages: list[int]
    expected_arrival: datetime | None
    language: str
    accessibility_need: bool


class DeclineIn(_In):
    reason: DeclineReason
    note: Annotated[str, Field(max_length=500)] | None = None


class PartnerAvailabilityIn(_In):
    out_of_service: BedMap | None = Field(None, description="Beds out of service now (absolute)")
    extra_tonight: BedMap | None = Field(None, description="Extra beds tonight (absolute)")


class PlacementOut(BaseModel):
    placement_id: str
    status: PlacementStatus
    shelter_id: str | None
    arrive_by: datetime | None


class WebhookDeliveryOut(BaseModel):
    id: str
    event_type: str
    status: str
    attempts: int
    created_at: datetime
    last_error: str | None
