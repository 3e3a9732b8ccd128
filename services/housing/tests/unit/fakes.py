"""In-memory repositories with the same write semantics as the MongoDB ones (revisions, guards)."""

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from lgnet_contracts import Envelope
from lgnet_housing.application.errors import AlreadyExists, NotFound, StaleVersion
from lgnet_housing.application.ports import HoldResult, ShelterRecord, StoredPlacement, WebhookMessage
from lgnet_housing.domain.placement import PlacementStatus
from lgnet_housing.domain.shelter import (
    BedStock,
    ChangeKind,
    HoldGuard,
    Reservation,
    ReservationChange,
    ReservationStatus,
)
from lgnet_housing.domain.values import BedCounts, BedType


@dataclass
class FakeClock:
    now: datetime = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class FakePlacements:
    docs: dict[str, StoredPlacement] = field(default_factory=dict)
    handled: dict[str, set[str]] = field(default_factory=dict)
    events: list[Envelope[Any]] = field(default_factory=list)
    webhooks: list[WebhookMessage] = field(default_factory=list)

    async def add(self, stored: StoredPlacement, events: Sequence[Envelope[Any]], *, handled: str) -> bool:
        await asyncio.sleep(0)
        if stored.placement.id in self.docs:
            return False
        self.docs[stored.placement.id] = replace(stored, revision=1)
        self.handled[stored.placement.id] = {handled}
        self.events.extend(events)
        return True

    async def get(self, placement_id: str) -> StoredPlacement | None:
        await asyncio.sleep(0)
        return self.docs.get(placement_id)

    async def save(
        self,
        stored: StoredPlacement,
        *,
        events: Sequence[Envelope[Any]] = (),
        webhooks: Sequence[WebhookMessage] = (),
        handled: str | None = None,
    ) -> bool:
        await asyncio.sleep(0)
        current = self.docs.get(stored.placement.id)
        if current is None:
            raise NotFound(stored.placement.id)
        if handled is not None and handled in self.handled[stored.placement.id]:
            return False
        if current.revision != stored.revision:
            raise StaleVersion(stored.placement.id)
        self.docs[stored.placement.id] = replace(stored, revision=stored.revision + 1)
        if handled is not None:
            self.handled[stored.placement.id].add(handled)
        self.events.extend(events)
        self.webhooks.extend(webhooks)
        return True

    async def of_case(self, case_id: str) -> list[StoredPlacement]:
        return [s for s in self.docs.values() if s.placement.request.case_id == case_id]

    async def at_shelter(
        self, shelter_id: str, statuses: Collection[PlacementStatus]
    ) -> list[StoredPlacement]:
        return [
            s
            for s in self.docs.values()
            if s.placement.shelter_id == shelter_id and s.placement.status in statuses
        ]

    async def with_status(
        self,
        statuses: Collection[PlacementStatus],
        *,
        municipalities: Collection[str] | None = None,
        updated_before: datetime | None = None,
    ) -> list[StoredPlacement]:
        return [
            s
            for s in self.docs.values()
            if s.placement.status in statuses
            and (municipalities is None or s.placement.request.municipality in municipalities)
            and (updated_before is None or s.placement.updated_at < updated_before)
        ]

    async def offers_due(self, now: datetime) -> list[StoredPlacement]:
        return [
            s
            for s in self.docs.values()
            if s.placement.status is PlacementStatus.OFFERED and s.placement.offers[-1].expires_at <= now
        ]

    def event_types(self, case_id: str | None = None) -> list[str]:
        return [e.event_type for e in self.events if case_id is None or e.case_id == case_id]


@dataclass
class FakeShelters:
    docs: dict[str, ShelterRecord] = field(default_factory=dict)

    async def add(self, record: ShelterRecord) -> None:
        if record.shelter.id in self.docs:
            raise AlreadyExists(record.shelter.id)
        self.docs[record.shelter.id] = replace(record, revision=1)

    async def get(self, shelter_id: str) -> ShelterRecord | None:
        await asyncio.sleep(0)
        return self.docs.get(shelter_id)

    async def in_municipalities(self, municipalities: Collection[str]) -> list[ShelterRecord]:
        await asyncio.sleep(0)
        return [r for r in self.docs.values() if r.shelter.municipality in municipalities]

    async def replace(self, record: ShelterRecord) -> None:
        current = self.docs[record.shelter.id]
        if current.revision != record.revision:
            raise StaleVersion(record.shelter.id)
        # Only profile and availability: reservations stay what storage holds.
        shelter = replace(
            record.shelter,
            beds={
                t: replace(s, reserved=current.shelter.beds[t].reserved)
                for t, s in record.shelter.beds.items()
            },
            reservations=current.shelter.reservations,
        )
        self.docs[record.shelter.id] = replace(record, shelter=shelter, revision=current.revision + 1)

    async def hold(
        self,
        shelter_id: str,
        placement_id: str,
        beds: BedCounts,
        held_until: datetime,
        guard: Mapping[BedType, HoldGuard],
        now: datetime,
    ) -> HoldResult:
        await asyncio.sleep(0)
        record = self.docs[shelter_id]
        shelter = record.shelter
        existing = shelter.reservation(placement_id)
        if existing is not None:
            return HoldResult.ALREADY_HELD if existing.beds == beds else HoldResult.CONFLICT
        for bed_type, g in guard.items():
            stock = shelter.beds[bed_type]
            if (stock.capacity, stock.out_of_service, stock.extra_tonight) != (
                g.capacity,
                g.out_of_service,
                g.extra_tonight,
            ) or stock.reserved > g.max_reserved:
                return HoldResult.CONFLICT
        stocks = {t: replace(s, reserved=s.reserved + beds[t]) for t, s in shelter.beds.items()}
        reservation = Reservation(placement_id, beds, ReservationStatus.HELD, held_until)
        updated = replace(shelter, beds=stocks, reservations=(*shelter.reservations, reservation))
        self.docs[shelter_id] = replace(
            record,
            shelter=updated,
            revision=record.revision + 1,
            held_at={**record.held_at, placement_id: now},
        )
        return HoldResult.HELD

    async def apply(self, shelter_id: str, change: ReservationChange) -> bool:
        await asyncio.sleep(0)
        record = self.docs[shelter_id]
        shelter = record.shelter
        existing = shelter.reservation(change.placement_id)
        if existing is None:
            return False
        if change.kind is ChangeKind.RELEASED:
            updated, _ = shelter.release(change.placement_id, change.release_reason)  # type: ignore[arg-type]
        elif existing.status is change.previous_status:
            if change.kind is ChangeKind.CONFIRMED:
                updated, _ = shelter.confirm(change.placement_id)
            else:
                updated, _ = shelter.occupy(change.placement_id)
        else:
            return False
        self.docs[shelter_id] = replace(record, shelter=updated, revision=record.revision + 1)
        return True

    def reserved(self, shelter_id: str) -> int:
        return sum(s.reserved for s in self.docs[shelter_id].shelter.beds.values())


def stocks(single: int = 0, family_room: int = 0, cot: int = 0) -> dict[BedType, BedStock]:
    return {
        BedType.SINGLE: BedStock(capacity=single),
        BedType.FAMILY_ROOM: BedStock(capacity=family_room),
        BedType.COT: BedStock(capacity=cot),
    }
