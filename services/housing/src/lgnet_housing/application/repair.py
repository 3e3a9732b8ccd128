"""The sweeper: expires offers, finishes flows interrupted between their two writes, and gives
waiting cases any bed that is free.

Multi-document flows (a hold on the shelter, then the offer on the placement) cannot be one
transaction, so this is what makes them safe: every reservation must belong to a placement that
is at that shelter; one that does not (its placement moved on, or the flow stopped half-way) is
released, but only once it is older than the grace period, so a flow still running is never undone.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from lgnet_housing.domain.placement import PlacementStatus
from lgnet_housing.domain.shelter import ReleaseReason

from .lifecycle import Lifecycle
from .placing import Placer, release
from .ports import Clock, PlacementRepository, ShelterRepository

_HOLDING = frozenset(
    {PlacementStatus.OFFERED, PlacementStatus.ACCEPTED, PlacementStatus.CONFIRMED, PlacementStatus.CHECKED_IN}
)


@dataclass(frozen=True, slots=True)
class SweepReport:
    expired: int = 0
    orphan_holds_released: int = 0
    confirmations_finished: int = 0
    rematched: int = 0
    promoted: int = 0


class Sweeper:
    def __init__(
        self,
        placements: PlacementRepository,
        shelters: ShelterRepository,
        placer: Placer,
        lifecycle: Lifecycle,
        clock: Clock,
        *,
        municipalities: Collection[str],
        grace: timedelta,
    ) -> None:
        self._placements = placements
        self._shelters = shelters
        self._placer = placer
        self._lifecycle = lifecycle
        self._clock = clock
        self._municipalities = municipalities
        self._grace = grace

    async def sweep(self) -> SweepReport:
        expired = await self._lifecycle.expire_due()
        orphans = await self.release_orphan_holds()
        cutoff = self._clock() - self._grace
        stale_accepted = await self._placements.with_status({PlacementStatus.ACCEPTED}, updated_before=cutoff)
        for stored in stale_accepted:
            await self._lifecycle.confirm(stored)
        stale_requested = await self._placements.with_status(
            {PlacementStatus.REQUESTED}, updated_before=cutoff
        )
        for stored in stale_requested:
            await self._placer.place(stored.placement.id)
        promoted = await self.promote_everywhere()
        return SweepReport(expired, orphans, len(stale_accepted), len(stale_requested), promoted)

    async def release_orphan_holds(self) -> int:
        cutoff = self._clock() - self._grace
        released = 0
        for record in await self._shelters.in_municipalities(self._municipalities):
            shelter = record.shelter
            for reservation in shelter.reservations:
                held_at = record.held_at.get(reservation.placement_id)
                if held_at is not None and held_at > cutoff:
                    continue
                stored = await self._placements.get(reservation.placement_id)
                placement = stored.placement if stored else None
                if (
                    placement is not None
                    and placement.status in _HOLDING
                    and placement.shelter_id == shelter.id
                ):
                    await self._lifecycle.sync_reservation(shelter.id, placement)
                    continue
                if await release(
                    self._shelters, shelter.id, reservation.placement_id, ReleaseReason.CANCELLED
                ):
                    released += 1
                    await self._placer.promote(shelter.id)
        return released

    async def promote_everywhere(self) -> int:
        """A safety net for beds freed while nobody was waiting, or by a step that stopped early."""
        waiting = await self._placements.with_status({PlacementStatus.WAITLISTED})
        if not waiting:
            return 0
        areas: set[str] = set()
        for stored in waiting:
            areas |= self._placer.area_of(stored.placement.request.municipality)
        promoted = 0
        for record in await self._shelters.in_municipalities(areas):
            if not record.shelter.available().is_empty:
                statuses = await self._placer.promote(record.shelter.id)
                promoted += sum(1 for s in statuses if s is PlacementStatus.OFFERED)
        return promoted
