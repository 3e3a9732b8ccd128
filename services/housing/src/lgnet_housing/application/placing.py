"""Open a placement for a triaged case, match it, hold beds, offer them; or put it on the waitlist.

The bed hold (shelter document) and the offer (placement document) are two single-document
writes. Each is idempotent by placement id, a hold whose offer never got written is released
by repair, and a lost race on the placement gives its hold back, so no bed is held twice.
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Need
from lgnet_housing.domain.household_fit import Gender, Household, beds_needed
from lgnet_housing.domain.matching import MatchResult, match
from lgnet_housing.domain.neighbours import NeighbourMap
from lgnet_housing.domain.placement import Placement, PlacementStatus
from lgnet_housing.domain.placement_events import PlacementEvent
from lgnet_housing.domain.policy import Policies
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.shelter import ReleaseReason
from lgnet_housing.domain.values import Priority
from lgnet_housing.domain.waitlist import WaitlistEntry, next_candidates, position_of

from .errors import Busy, NotFound, StaleVersion
from .messages import envelopes, webhook_messages
from .ports import Clock, HoldResult, PlacementRepository, ShelterRecord, ShelterRepository, StoredPlacement

_PLACEMENT_NS = uuid.UUID("5d0f5c1e-8a7b-4c3e-9f21-6b3d2a1c0e47")
_MATCHABLE = frozenset({PlacementStatus.REQUESTED, PlacementStatus.WAITLISTED})


def placement_id_for(triage_event_id: uuid.UUID) -> str:
    """Derived from the cause, so a redelivered case.triaged collides instead of opening a twin."""
    return str(uuid.uuid5(_PLACEMENT_NS, str(triage_event_id)))


async def commit(
    placements: PlacementRepository,
    stored: StoredPlacement,
    placement: Placement,
    events: Sequence[PlacementEvent],
    *,
    shelter: ShelterRecord | None = None,
    cause: Envelope[Any] | None = None,
    handled: str | None = None,
) -> StoredPlacement | None:
    """Save the new state with its contract events and partner webhooks in one write.

    Returns the new record, or None when `handled` had already been applied.
    """
    updated = replace(stored, placement=placement)
    sent = envelopes(updated, events, shelter=shelter, cause=cause)
    applied = await placements.save(
        updated, events=sent, webhooks=webhook_messages(placement, events, sent), handled=handled
    )
    return replace(updated, revision=stored.revision + 1) if applied else None


class Placer:
    def __init__(
        self,
        placements: PlacementRepository,
        shelters: ShelterRepository,
        neighbours: NeighbourMap,
        policies: Policies,
        clock: Clock,
        *,
        max_attempts: int = 30,
    ) -> None:
        self._placements = placements
        self._shelters = shelters
        self._neighbours = neighbours
        self._policies = policies
        self._clock = clock
        self._max_attempts = max_attempts
        # One matching at a time per placement in this process; across processes the writes decide.
        self._locks: dict[str, asyncio.Lock] = {}

    # -- a triaged case ---------------------------------------------------------------------------

    async def request(self, cause: Envelope[CaseTriaged]) -> str | None:
        """Open the placement of a case that needs a bed tonight; returns its id (None: no bed needed)."""
        triage = cause.payload
        if Need.SHELTER_TONIGHT not in triage.needs or triage.housing is None or cause.case_id is None:
            return None
        placement_id = placement_id_for(cause.event_id)
        for existing in await self._placements.of_case(cause.case_id):
            # A re-triage while a placement is running does not start a second search.
            if not existing.placement.is_terminal:
                return existing.placement.id
        needs = triage.housing
        household = Household(
            adults=tuple(Gender(g.value) for g in needs.household.adults),
            minors_ages=tuple(needs.household.minors_ages),
            unaccompanied_minor=needs.household.unaccompanied_minor,
            accessibility_need=needs.accessible_bed,
            language=needs.language,
        )
        request = PlacementRequest(
            case_id=cause.case_id,
            municipality=cause.municipality,
            priority=Priority(triage.priority.value),
            household=household,
            reported_at=triage.reported_at,
        )
        placement, events = Placement.open(
            placement_id, request, beds_needed(household, self._policies.fit), self._clock()
        )
        stored = StoredPlacement(placement, cause.correlation_id)
        await self._placements.add(
            stored, envelopes(stored, events, cause=cause), handled=str(cause.event_id)
        )
        return placement_id

    # -- matching ---------------------------------------------------------------------------------

    def area_of(self, municipality: str) -> set[str]:
        return {municipality, *self._neighbours.of(municipality)}

    def served_by(self, municipality: str) -> set[str]:
        """Municipalities whose cases may be placed in a shelter of `municipality`."""
        return {municipality} | {
            home for home, others in self._neighbours.neighbours.items() if municipality in others
        }

    async def place(self, placement_id: str, cause: Envelope[Any] | None = None) -> PlacementStatus:
        """Match and offer, or waitlist. Safe to call again at any time: it only acts on a
        placement that is still looking for a bed."""
        lock = self._locks.setdefault(placement_id, asyncio.Lock())
        try:
            async with lock:
                return await self._place(placement_id, cause)
        finally:
            if not lock.locked() and self._locks.get(placement_id) is lock:
                del self._locks[placement_id]

    async def _place(self, placement_id: str, cause: Envelope[Any] | None) -> PlacementStatus:
        for _ in range(self._max_attempts):
            stored = await self._placements.get(placement_id)
            if stored is None:
                raise NotFound(placement_id)
            placement = stored.placement
            if placement.status not in _MATCHABLE:
                return placement.status
            records = await self._shelters.in_municipalities(self.area_of(placement.request.municipality))
            result = match(
                placement.request,
                [r.shelter for r in records],
                self._neighbours,
                excluded_shelters=placement.excluded_shelters,
                fit=self._policies.fit,
                ranking=self._policies.ranking,
            )
            if not result.candidates:
                if placement.status is PlacementStatus.WAITLISTED:
                    return placement.status
                if await self._waitlist(stored, result, cause):
                    return PlacementStatus.WAITLISTED
                continue
            outcome = await self._offer_first(stored, result, {r.shelter.id: r for r in records}, cause)
            if outcome is not None:
                return outcome
        raise Busy(f"placement {placement_id}: no stable match after {self._max_attempts} attempts")

    async def _offer_first(
        self,
        stored: StoredPlacement,
        result: MatchResult,
        records: dict[str, ShelterRecord],
        cause: Envelope[Any] | None,
    ) -> PlacementStatus | None:
        """Hold in the best shelter that still has the beds and offer them; None means look again."""
        placement = stored.placement
        ttl = self._policies.offers.offer_ttl(placement.request.priority)
        for candidate in result.candidates:
            shelter = records[candidate.shelter_id].shelter
            now = self._clock()
            held = await self._shelters.hold(
                shelter.id, placement.id, candidate.beds, now + ttl, shelter.hold_guard(candidate.beds), now
            )
            if held is HoldResult.CONFLICT:
                continue  # taken meanwhile (or availability changed): the next one, then a fresh look
            offered, events = placement.offer(
                shelter.id, shelter.municipality, candidate.beds, now, self._policies.offers
            )
            try:
                await commit(self._placements, stored, offered, events, cause=cause)
            except StaleVersion:
                await self._give_back(shelter.id, placement.id)
                return None
            return PlacementStatus.OFFERED
        return None

    async def _give_back(self, shelter_id: str, placement_id: str) -> None:
        """Release our hold unless the placement, as now stored, is offered there after all."""
        current = await self._placements.get(placement_id)
        if current is not None and current.placement.shelter_id == shelter_id:
            return
        await release(self._shelters, shelter_id, placement_id, ReleaseReason.CANCELLED)

    async def _waitlist(
        self, stored: StoredPlacement, result: MatchResult, cause: Envelope[Any] | None
    ) -> bool:
        placement = stored.placement
        request = placement.request
        waiting = await self._placements.with_status(
            {PlacementStatus.WAITLISTED}, municipalities={request.municipality}
        )
        entries = [WaitlistEntry.of(s.placement) for s in waiting if s.placement.id != placement.id]
        me = WaitlistEntry(
            placement.id,
            request.case_id,
            request.priority,
            request.reported_at,
            request.municipality,
            placement.beds_needed,
        )
        position = position_of([*entries, me], placement.id)
        waitlisted, events = placement.waitlist(position, _no_bed_reason(result), self._clock())
        try:
            await commit(self._placements, stored, waitlisted, events, cause=cause)
        except StaleVersion:
            return False
        return True

    # -- beds freed -------------------------------------------------------------------------------

    async def promote(self, shelter_id: str) -> list[PlacementStatus]:
        """Beds came free in this shelter: match the head of the waitlist at once."""
        record = await self._shelters.get(shelter_id)
        if record is None:
            return []
        free = record.shelter.available()
        if free.is_empty:
            return []
        area = self.served_by(record.shelter.municipality)
        waiting = await self._placements.with_status({PlacementStatus.WAITLISTED}, municipalities=area)
        picks = next_candidates([WaitlistEntry.of(s.placement) for s in waiting], free, municipalities=area)
        return [await self.place(pick.placement_id) for pick in picks]


async def release(
    shelters: ShelterRepository, shelter_id: str, placement_id: str, reason: ReleaseReason
) -> bool:
    """Give a placement's beds back; a no-op when they are already back."""
    record = await shelters.get(shelter_id)
    if record is None:
        return False
    _, change = record.shelter.release(placement_id, reason)
    return change.changed and await shelters.apply(shelter_id, change)


def _no_bed_reason(result: MatchResult) -> str:
    if not result.excluded:
        return "no shelter registered in the area"
    counts = Counter(reason.value for exclusion in result.excluded for reason in exclusion.reasons)
    top = ", ".join(f"{reason} x{count}" for reason, count in counts.most_common(4))
    return f"no suitable free bed in {len(result.excluded)} shelters ({top})"[:500]
