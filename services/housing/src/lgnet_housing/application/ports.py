"""What the use cases need from storage, and the records storage hands back.

Records wrap the domain aggregates with what only storage and messaging care about: the stored
revision (`_v`, for optimistic writes), the correlation id of the case's story, the shelter's
phone and webhook secret, and when each hold was taken (so repair never touches a fresh one).
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from lgnet_contracts import Envelope
from lgnet_housing.domain.placement import Placement, PlacementStatus
from lgnet_housing.domain.shelter import HoldGuard, ReservationChange, Shelter
from lgnet_housing.domain.values import BedCounts, BedType

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class StoredPlacement:
    placement: Placement
    correlation_id: UUID
    revision: int = 1


@dataclass(frozen=True, slots=True)
class ShelterRecord:
    shelter: Shelter
    phone: str | None
    webhook_secret: str | None
    revision: int = 1
    held_at: Mapping[str, datetime] = field(default_factory=dict)  # placement id -> hold time


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    """One message for a partner; `id` is the Standard Webhooks `webhook-id`, stable across retries."""

    id: str
    shelter_id: str
    event_type: str
    body: str  # the exact JSON that is signed and sent
    created_at: datetime


class HoldResult(StrEnum):
    HELD = "held"
    ALREADY_HELD = "already_held"  # a retry: this placement already holds these beds here
    CONFLICT = "conflict"  # the guard failed: beds taken or availability changed meanwhile


class PlacementRepository(Protocol):
    async def add(self, stored: StoredPlacement, events: Sequence[Envelope[Any]], *, handled: str) -> bool:
        """Insert; False when this cause was already applied (or the id exists)."""

    async def get(self, placement_id: str) -> StoredPlacement | None: ...

    async def save(
        self,
        stored: StoredPlacement,
        *,
        events: Sequence[Envelope[Any]] = (),
        webhooks: Sequence[WebhookMessage] = (),
        handled: str | None = None,
    ) -> bool:
        """Write the new state with its events if the stored revision is still `stored.revision`.

        False when `handled` was already applied; raises StaleVersion when someone else wrote first.
        """

    async def of_case(self, case_id: str) -> list[StoredPlacement]: ...

    async def at_shelter(
        self, shelter_id: str, statuses: Collection[PlacementStatus]
    ) -> list[StoredPlacement]: ...

    async def with_status(
        self,
        statuses: Collection[PlacementStatus],
        *,
        municipalities: Collection[str] | None = None,
        updated_before: datetime | None = None,
    ) -> list[StoredPlacement]: ...

    async def offers_due(self, now: datetime) -> list[StoredPlacement]:
        """Offered placements whose deadline has passed."""


class ShelterRepository(Protocol):
    async def add(self, record: ShelterRecord) -> None:
        """Raises AlreadyExists."""

    async def get(self, shelter_id: str) -> ShelterRecord | None: ...

    async def in_municipalities(self, municipalities: Collection[str]) -> list[ShelterRecord]: ...

    async def replace(self, record: ShelterRecord) -> None:
        """Profile, capacity and availability, if the revision is unchanged; else StaleVersion."""

    async def hold(
        self,
        shelter_id: str,
        placement_id: str,
        beds: BedCounts,
        held_until: datetime,
        guard: Mapping[BedType, HoldGuard],
        now: datetime,
    ) -> HoldResult:
        """ONE conditional update: reserve the beds only while the guard holds."""

    async def apply(self, shelter_id: str, change: ReservationChange) -> bool:
        """Confirm, occupy or release a reservation; False when it was not in the expected state."""
