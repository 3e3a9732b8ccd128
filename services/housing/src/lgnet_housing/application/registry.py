"""The shelter registry: coordinators register and update shelters, partners report availability.

Availability is always computed from the reservations held in the shelter document, and the
reconciliation report proves that the stored counters agree with them.
"""

import base64
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from lgnet_housing.domain.reconciliation import Discrepancy, expected_reserved, reconcile
from lgnet_housing.domain.shelter import (
    BedStock,
    DeliveryMode,
    GuestKind,
    PartnerDelivery,
    Shelter,
)
from lgnet_housing.domain.values import BedCounts, BedType, Coordinates

from .errors import Busy, NotFound, StaleVersion
from .placing import Placer
from .ports import ShelterRecord, ShelterRepository

_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class ShelterProfile:
    """Everything a coordinator states about a shelter (a PUT replaces all of it)."""

    name: str
    address: str
    phone: str | None
    guest_kinds: frozenset[GuestKind]
    accessible: bool
    languages: frozenset[str]
    capacity: BedCounts
    delivery: PartnerDelivery
    coordinates: Coordinates | None = None


@dataclass(frozen=True, slots=True)
class Availability:
    shelter_id: str
    municipality: str
    name: str
    usable: BedCounts
    reserved: BedCounts  # the sum of the reservations, never the stored counter
    available: BedCounts


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    shelter_id: str
    reserved_counters: BedCounts
    reserved_by_reservations: BedCounts
    reservations: int
    discrepancies: tuple[Discrepancy, ...]

    @property
    def consistent(self) -> bool:
        return not self.discrepancies


def new_webhook_secret() -> str:
    """A Standard Webhooks signing key (`whsec_` prefix, 32 random bytes, base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def availability_of(shelter: Shelter) -> Availability:
    reserved = BedCounts.of(expected_reserved(shelter))
    usable = BedCounts.of({t: max(0, s.usable) for t, s in shelter.beds.items()})
    available = BedCounts.of({t: max(0, usable[t] - reserved[t]) for t in BedType})
    return Availability(shelter.id, shelter.municipality, shelter.name, usable, reserved, available)


class ShelterRegistry:
    def __init__(self, shelters: ShelterRepository, placer: Placer) -> None:
        self._shelters = shelters
        self._placer = placer

    async def register(self, shelter_id: str, municipality: str, profile: ShelterProfile) -> ShelterRecord:
        shelter = Shelter(
            id=shelter_id,
            municipality=municipality,
            name=profile.name,
            address=profile.address,
            guest_kinds=profile.guest_kinds,
            accessible=profile.accessible,
            languages=profile.languages,
            beds={t: BedStock(capacity=profile.capacity[t]) for t in BedType},
            delivery=profile.delivery,
            coordinates=profile.coordinates,
        )
        secret = new_webhook_secret() if profile.delivery.mode is DeliveryMode.WEBHOOK else None
        record = ShelterRecord(shelter, profile.phone, secret)
        await self._shelters.add(record)
        await self._placer.promote(shelter_id)  # new capacity: the waitlist goes first
        return record

    async def get(self, shelter_id: str, municipalities: Collection[str]) -> ShelterRecord:
        record = await self._shelters.get(shelter_id)
        if record is None or record.shelter.municipality not in municipalities:
            raise NotFound(shelter_id)
        return record

    async def list_shelters(self, municipalities: Collection[str]) -> list[ShelterRecord]:
        records = await self._shelters.in_municipalities(municipalities)
        return sorted(records, key=lambda r: (r.shelter.municipality, r.shelter.name, r.shelter.id))

    async def update(
        self, shelter_id: str, municipalities: Collection[str], profile: ShelterProfile
    ) -> tuple[ShelterRecord, bool]:
        """Replace the profile and capacity; returns the record and whether a secret was issued."""

        def change(record: ShelterRecord) -> ShelterRecord:
            shelter = replace(
                record.shelter,
                name=profile.name,
                address=profile.address,
                guest_kinds=profile.guest_kinds,
                accessible=profile.accessible,
                languages=profile.languages,
                delivery=profile.delivery,
                coordinates=profile.coordinates,
            )
            shelter, _ = shelter.set_capacity(profile.capacity)
            secret = record.webhook_secret
            if profile.delivery.mode is DeliveryMode.WEBHOOK and secret is None:
                secret = new_webhook_secret()
            return replace(record, shelter=shelter, phone=profile.phone, webhook_secret=secret)

        before = await self.get(shelter_id, municipalities)
        after = await self._write(shelter_id, change)
        await self._placer.promote(shelter_id)
        return after, before.webhook_secret is None and after.webhook_secret is not None

    async def set_availability(
        self,
        shelter_id: str,
        out_of_service: BedCounts | None,
        extra_tonight: BedCounts | None,
    ) -> ShelterRecord:
        """The partner reports beds out of service and extra beds tonight (absolute numbers)."""

        def change(record: ShelterRecord) -> ShelterRecord:
            shelter, _ = record.shelter.set_availability(out_of_service, extra_tonight)
            return replace(record, shelter=shelter)

        after = await self._write(shelter_id, change)
        await self._placer.promote(shelter_id)
        return after

    async def availability(self, municipalities: Collection[str]) -> list[Availability]:
        return [availability_of(r.shelter) for r in await self.list_shelters(municipalities)]

    async def reconciliation(self, shelter_id: str, municipalities: Collection[str]) -> ReconciliationReport:
        shelter = (await self.get(shelter_id, municipalities)).shelter
        return ReconciliationReport(
            shelter_id=shelter.id,
            reserved_counters=BedCounts.of({t: s.reserved for t, s in shelter.beds.items()}),
            reserved_by_reservations=BedCounts.of(expected_reserved(shelter)),
            reservations=len(shelter.reservations),
            discrepancies=tuple(reconcile(shelter)),
        )

    async def _write(self, shelter_id: str, change: Any) -> ShelterRecord:
        """Load, decide, save on the revision read; holds racing with it make us decide again."""
        for _ in range(_ATTEMPTS):
            record = await self._shelters.get(shelter_id)
            if record is None:
                raise NotFound(shelter_id)
            updated: ShelterRecord = change(record)
            try:
                await self._shelters.replace(updated)
            except StaleVersion:
                continue
            return replace(updated, revision=record.revision + 1)
        raise Busy(f"shelter {shelter_id} keeps changing; try again")
