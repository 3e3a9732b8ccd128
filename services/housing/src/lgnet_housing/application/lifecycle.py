"""A placement after the offer: the partner's answer, expiry, confirmation, stay, cancellation.

Each step writes the placement (with its events) first, then brings the shelter's reservation
in line (confirm, occupy, release), then lets freed beds go to the waitlist. Every step is
idempotent, and repair finishes a flow interrupted between its writes.
"""

from datetime import timedelta

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseClosed
from lgnet_housing.domain.errors import InsufficientBeds, NotVisibleToPartner, OfferExpired
from lgnet_housing.domain.partner_view import PartnerPlacementView, partner_view
from lgnet_housing.domain.placement import Placement, PlacementStatus
from lgnet_housing.domain.placement_events import CancelReason, DeclineReason
from lgnet_housing.domain.shelter import ReleaseReason, ReservationStatus

from .errors import NotFound
from .placing import Placer, commit, release
from .ports import Clock, HoldResult, PlacementRepository, ShelterRepository, StoredPlacement

_AT_SHELTER = frozenset(
    {PlacementStatus.OFFERED, PlacementStatus.ACCEPTED, PlacementStatus.CONFIRMED, PlacementStatus.CHECKED_IN}
)


class Lifecycle:
    def __init__(
        self,
        placements: PlacementRepository,
        shelters: ShelterRepository,
        placer: Placer,
        clock: Clock,
        *,
        arrival_window: timedelta,
    ) -> None:
        self._placements = placements
        self._shelters = shelters
        self._placer = placer
        self._clock = clock
        self._arrival_window = arrival_window

    # -- the partner's view -----------------------------------------------------------------------

    async def offers_for(self, shelter_id: str) -> list[PartnerPlacementView]:
        stored = await self._placements.at_shelter(shelter_id, _AT_SHELTER)
        views = []
        for s in stored:
            try:
                views.append(partner_view(s.placement, shelter_id))
            except NotVisibleToPartner:
                continue
        return sorted(views, key=lambda v: v.offer_expires_at)

    async def _partners(self, placement_id: str, shelter_id: str) -> StoredPlacement:
        """The placement if it is this shelter's; otherwise NotFound, exactly as if it did not exist."""
        stored = await self._placements.get(placement_id)
        if stored is None:
            raise NotFound(placement_id)
        try:
            partner_view(stored.placement, shelter_id)
        except NotVisibleToPartner:
            raise NotFound(placement_id) from None
        return stored

    # -- the partner's answer ---------------------------------------------------------------------

    async def accept(self, placement_id: str, shelter_id: str, actor: str) -> Placement:
        stored = await self._partners(placement_id, shelter_id)
        if stored.placement.status is PlacementStatus.OFFERED:
            try:
                accepted, events = stored.placement.accept(actor, self._clock())
            except OfferExpired:
                await self.expire(placement_id)
                raise
            stored = await commit(self._placements, stored, accepted, events) or stored
        if stored.placement.status is PlacementStatus.ACCEPTED:
            stored = await self.confirm(stored)
        return stored.placement

    async def confirm(self, stored: StoredPlacement) -> StoredPlacement:
        """accepted -> confirmed: the shelter's hold becomes the person's bed, then the event."""
        placement = stored.placement
        offer = placement.offers[-1]
        record = await self._shelters.get(offer.shelter_id)
        if record is None:
            raise NotFound(offer.shelter_id)
        now = self._clock()
        reservation = record.shelter.reservation(placement.id)
        if reservation is None:
            # The hold was lost (released by repair in a race): take the beds again if still free.
            held = await self._shelters.hold(
                record.shelter.id,
                placement.id,
                offer.beds,
                now + timedelta(minutes=1),
                record.shelter.hold_guard(offer.beds),
                now,
            )
            if held is HoldResult.CONFLICT:
                raise InsufficientBeds(f"shelter {record.shelter.id} no longer has the beds it accepted")
            record = await self._shelters.get(offer.shelter_id) or record
        _, change = record.shelter.confirm(placement.id)
        if change.changed:
            await self._shelters.apply(record.shelter.id, change)
        confirmed, events = placement.confirm(now + self._arrival_window, now)
        return await commit(self._placements, stored, confirmed, events, shelter=record) or stored

    async def decline(
        self, placement_id: str, shelter_id: str, actor: str, reason: DeclineReason, note: str | None
    ) -> Placement:
        stored = await self._partners(placement_id, shelter_id)
        declined, events = stored.placement.decline(actor, reason, self._clock(), note)
        await commit(self._placements, stored, declined, events)
        await self._after_release(shelter_id, placement_id, ReleaseReason.DECLINED, rematch=True)
        return declined

    async def check_in(self, placement_id: str, shelter_id: str) -> Placement:
        stored = await self._partners(placement_id, shelter_id)
        if stored.placement.status is PlacementStatus.CHECKED_IN:
            return stored.placement
        checked_in, events = stored.placement.check_in(self._clock())
        await commit(self._placements, stored, checked_in, events)
        await self.sync_reservation(shelter_id, checked_in)
        return checked_in

    async def check_out(self, placement_id: str, shelter_id: str) -> Placement:
        stored = await self._partners(placement_id, shelter_id)
        if stored.placement.status is PlacementStatus.CHECKED_OUT:
            return stored.placement
        checked_out, events = stored.placement.check_out(self._clock())
        await commit(self._placements, stored, checked_out, events)
        await self._after_release(shelter_id, placement_id, ReleaseReason.CHECKED_OUT, rematch=False)
        return checked_out

    # -- the system's steps -----------------------------------------------------------------------

    async def expire(self, placement_id: str) -> bool:
        """Expire an offer whose deadline passed; the beds go back and the case is matched again."""
        stored = await self._placements.get(placement_id)
        if stored is None or stored.placement.status is not PlacementStatus.OFFERED:
            return False
        offer = stored.placement.offers[-1]
        now = self._clock()
        if now < offer.expires_at:
            return False
        expired, events = stored.placement.expire(now)
        await commit(self._placements, stored, expired, events)
        await self._after_release(offer.shelter_id, placement_id, ReleaseReason.EXPIRED, rematch=True)
        return True

    async def expire_due(self) -> int:
        due = await self._placements.offers_due(self._clock())
        return sum([await self.expire(s.placement.id) for s in due])

    async def cancel_case(self, cause: Envelope[CaseClosed]) -> int:
        """The case is closed: every placement still running ends and its beds go back."""
        if cause.case_id is None:
            return 0
        cancelled = 0
        for stored in await self._placements.of_case(cause.case_id):
            placement = stored.placement
            if placement.status is PlacementStatus.CHECKED_IN or placement.is_terminal:
                continue  # a person in a bed leaves by check-out, never by a cancellation
            shelter_id = placement.shelter_id
            ended, events = placement.cancel(CancelReason.CASE_CLOSED, self._clock())
            await commit(self._placements, stored, ended, events, cause=cause, handled=str(cause.event_id))
            cancelled += 1
            if shelter_id is not None:
                await self._after_release(shelter_id, placement.id, ReleaseReason.CANCELLED, rematch=False)
        return cancelled

    async def sync_reservation(self, shelter_id: str, placement: Placement) -> None:
        """Bring the shelter's reservation in line with the placement (the placement decides)."""
        record = await self._shelters.get(shelter_id)
        if record is None:
            return
        reservation = record.shelter.reservation(placement.id)
        wanted = {
            PlacementStatus.CONFIRMED: ReservationStatus.CONFIRMED,
            PlacementStatus.CHECKED_IN: ReservationStatus.OCCUPIED,
        }.get(placement.status)
        if reservation is None or wanted is None or reservation.status is wanted:
            return
        shelter = record.shelter
        if reservation.status is ReservationStatus.HELD:
            shelter, change = shelter.confirm(placement.id)
            await self._shelters.apply(shelter_id, change)
        if wanted is ReservationStatus.OCCUPIED:
            _, change = shelter.occupy(placement.id)
            await self._shelters.apply(shelter_id, change)

    async def _after_release(
        self, shelter_id: str, placement_id: str, reason: ReleaseReason, *, rematch: bool
    ) -> None:
        await release(self._shelters, shelter_id, placement_id, reason)
        await self._placer.promote(shelter_id)
        if rematch:
            await self._placer.place(placement_id)
