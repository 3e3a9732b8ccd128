"""Use cases on in-memory repositories: matching, holds, the lifecycle, the waitlist, repair."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseClosed, CaseOutcome, CaseTriaged, HousingRequirements
from lgnet_contracts.events.cases import Household as ContractHousehold
from lgnet_contracts.types import Gender as ContractGender
from lgnet_contracts.types import Need
from lgnet_contracts.types import Priority as ContractPriority
from lgnet_housing.application.errors import NotFound
from lgnet_housing.application.lifecycle import Lifecycle
from lgnet_housing.application.placing import Placer, placement_id_for
from lgnet_housing.application.registry import ShelterProfile, ShelterRegistry
from lgnet_housing.application.repair import Sweeper
from lgnet_housing.domain.errors import InsufficientBeds, OfferExpired
from lgnet_housing.domain.neighbours import NeighbourMap
from lgnet_housing.domain.placement import PlacementStatus
from lgnet_housing.domain.placement_events import DeclineReason
from lgnet_housing.domain.policy import Policies
from lgnet_housing.domain.reconciliation import reconcile
from lgnet_housing.domain.shelter import GuestKind, PartnerDelivery
from lgnet_housing.domain.values import BedCounts

from .fakes import FakeClock, FakePlacements, FakeShelters

ROMA, LATINA = "058091", "059011"
S = PlacementStatus


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.placements = FakePlacements()
        self.shelters = FakeShelters()
        neighbours = NeighbourMap({ROMA: (LATINA,), LATINA: (ROMA,)})
        self.placer = Placer(self.placements, self.shelters, neighbours, Policies(), self.clock)
        self.lifecycle = Lifecycle(
            self.placements, self.shelters, self.placer, self.clock, arrival_window=timedelta(hours=2)
        )
        self.registry = ShelterRegistry(self.shelters, self.placer)
        self.sweeper = Sweeper(
            self.placements,
            self.shelters,
            self.placer,
            self.lifecycle,
            self.clock,
            municipalities={ROMA, LATINA},
            grace=timedelta(seconds=60),
        )

    async def shelter(self, shelter_id: str, single: int, municipality: str = ROMA) -> None:
        profile = ShelterProfile(
            name=f"Casa {shelter_id}",
            address="Via Roma 1",
            phone="+39061234567",
            guest_kinds=frozenset({GuestKind.MIXED}),
            accessible=False,
            languages=frozenset({"it"}),
            capacity=BedCounts(single=single),
            delivery=PartnerDelivery.api_only(),
        )
        await self.registry.register(shelter_id, municipality, profile)

    async def case(self, municipality: str = ROMA, priority: ContractPriority = ContractPriority.P1) -> str:
        event = triaged(municipality, priority, self.clock.now)
        pid = await self.placer.request(event)
        assert pid is not None
        await self.placer.place(pid, cause=event)
        return pid

    def status(self, pid: str) -> PlacementStatus:
        return self.placements.docs[pid].placement.status

    def shelter_of(self, pid: str) -> str | None:
        return self.placements.docs[pid].placement.shelter_id


def triaged(
    municipality: str = ROMA, priority: ContractPriority = ContractPriority.P1, at: datetime | None = None
) -> Envelope[CaseTriaged]:
    at = at or datetime.now(UTC)
    payload = CaseTriaged(
        priority=priority,
        score=5,
        breakdown=[],
        needs=[Need.SHELTER_TONIGHT],
        sla_deadline=at + timedelta(hours=1),
        policy_version="v1",
        housing=HousingRequirements(household=ContractHousehold(adults=[ContractGender.FEMALE])),
        household_size=1,
        reported_at=at,
    )
    return new_event(payload, producer="referral", municipality=municipality, case_id=str(uuid.uuid4()))


async def test_a_case_without_a_bed_need_opens_no_placement() -> None:
    w = World()
    event = triaged()
    payload = event.payload.model_copy(update={"needs": [Need.FOOD]})
    other = new_event(payload, producer="referral", municipality=ROMA, case_id=event.case_id)
    assert await w.placer.request(other) is None
    assert w.placements.docs == {}


async def test_request_is_idempotent_per_triage_event() -> None:
    w = World()
    await w.shelter("a", 2)
    event = triaged()
    first = await w.placer.request(event)
    again = await w.placer.request(event)
    assert first == again == placement_id_for(event.event_id)
    assert w.placements.event_types() == ["placement.requested"]


async def test_triaged_case_is_offered_in_its_municipality_first() -> None:
    w = World()
    await w.shelter("far", 5, LATINA)
    await w.shelter("near", 1, ROMA)
    pid = await w.case()
    assert (w.status(pid), w.shelter_of(pid)) == (S.OFFERED, "near")
    assert w.shelters.reserved("near") == 1
    # Then a neighbour, when home is full.
    second = await w.case()
    assert w.shelter_of(second) == "far"


async def test_no_bed_means_waitlisted_with_a_position() -> None:
    w = World()
    await w.shelter("a", 1)
    await w.case()
    second = await w.case()
    w.clock.advance(minutes=1)  # same priority: the earlier report goes first
    third = await w.case()
    assert (w.status(second), w.status(third)) == (S.WAITLISTED, S.WAITLISTED)
    waitlisted = [e for e in w.placements.events if e.event_type == "placement.waitlisted"]
    assert [e.payload.position for e in waitlisted] == [1, 2]


async def test_accept_confirms_with_the_shelter_details_and_confirms_the_reservation() -> None:
    w = World()
    await w.shelter("a", 1)
    pid = await w.case()
    placement = await w.lifecycle.accept(pid, "a", "partner-1")
    assert placement.status is S.CONFIRMED
    confirmed = next(e for e in w.placements.events if e.event_type == "placement.confirmed").payload
    assert (confirmed.shelter_name, confirmed.shelter_phone) == ("Casa a", "+39061234567")
    assert confirmed.arrive_by == w.clock.now + timedelta(hours=2)
    reservation = w.shelters.docs["a"].shelter.reservation(pid)
    assert reservation is not None
    assert reservation.status.value == "confirmed"


async def test_partner_cannot_touch_another_shelters_placement() -> None:
    w = World()
    await w.shelter("a", 1)
    await w.shelter("b", 1)
    pid = await w.case()
    other = "b" if w.shelter_of(pid) == "a" else "a"
    with pytest.raises(NotFound):
        await w.lifecycle.accept(pid, other, "partner-x")


async def test_decline_releases_and_rematches_elsewhere_and_the_waitlist_gets_the_bed() -> None:
    w = World()
    await w.shelter("a", 1)
    await w.shelter("b", 1)
    first = await w.case()
    second = await w.case()
    waiting = await w.case()
    assert w.status(waiting) is S.WAITLISTED
    declined_at = w.shelter_of(first)
    assert declined_at is not None
    await w.lifecycle.decline(first, declined_at, "partner", DeclineReason.SAFETY_CONCERN, None)
    # The freed bed went to the head of the waitlist; the declined case waits (the other bed is taken).
    assert w.shelter_of(waiting) == declined_at
    assert w.status(first) is S.WAITLISTED
    assert declined_at in w.placements.docs[first].placement.excluded_shelters
    assert w.status(second) is S.OFFERED


async def test_expiry_releases_rematches_and_a_late_accept_is_refused() -> None:
    w = World()
    await w.shelter("a", 1)
    pid = await w.case()
    await w.shelter("b", 1)
    w.clock.advance(minutes=31)  # P1 offers last 30 minutes
    with pytest.raises(OfferExpired):
        await w.lifecycle.accept(pid, "a", "partner")
    assert (w.status(pid), w.shelter_of(pid)) == (S.OFFERED, "b")
    assert w.shelters.reserved("a") == 0
    assert "placement.expired" in w.placements.event_types()


async def test_sweeper_expires_due_offers() -> None:
    w = World()
    await w.shelter("a", 1)
    pid = await w.case()
    w.clock.advance(minutes=29)
    assert (await w.sweeper.sweep()).expired == 0
    w.clock.advance(minutes=2)
    report = await w.sweeper.sweep()
    assert report.expired == 1
    assert w.status(pid) is S.WAITLISTED  # the only shelter is excluded now


async def test_check_out_frees_the_bed_for_the_head_of_the_waitlist_in_priority_order() -> None:
    w = World()
    await w.shelter("a", 1)
    pid = await w.case()
    low = await w.case(priority=ContractPriority.P3)
    w.clock.advance(minutes=1)
    high = await w.case(priority=ContractPriority.P1)
    await w.lifecycle.accept(pid, "a", "p")
    await w.lifecycle.check_in(pid, "a")
    assert w.shelters.docs["a"].shelter.reservation(pid).status.value == "occupied"  # type: ignore[union-attr]
    await w.lifecycle.check_out(pid, "a")
    assert (w.status(high), w.status(low)) == (S.OFFERED, S.WAITLISTED)
    assert reconcile(w.shelters.docs["a"].shelter) == []


async def test_new_capacity_promotes_the_waitlist_at_once() -> None:
    w = World()
    await w.shelter("a", 0)
    pid = await w.case()
    assert w.status(pid) is S.WAITLISTED
    await w.registry.set_availability("a", None, BedCounts(single=1))
    assert (w.status(pid), w.shelter_of(pid)) == (S.OFFERED, "a")


async def test_beds_already_promised_cannot_be_taken_out_of_service() -> None:
    w = World()
    await w.shelter("a", 1)
    await w.case()
    with pytest.raises(InsufficientBeds):
        await w.registry.set_availability("a", BedCounts(single=1), None)


async def test_case_closed_cancels_and_releases_once() -> None:
    w = World()
    await w.shelter("a", 1)
    event = triaged()
    pid = await w.placer.request(event)
    assert pid is not None
    await w.placer.place(pid)
    payload = CaseClosed(outcome=CaseOutcome.DUPLICATE, closed_by="op", closed_at=w.clock.now)
    close = new_event(payload, producer="referral", municipality=ROMA, case_id=event.case_id)
    assert await w.lifecycle.cancel_case(close) == 1
    assert await w.lifecycle.cancel_case(close) == 0
    assert w.status(pid) is S.CANCELLED
    assert w.shelters.reserved("a") == 0
    assert [m.event_type for m in w.placements.webhooks][-1] == "placement.cancelled"


async def test_repair_releases_an_orphan_hold_only_after_the_grace_period() -> None:
    w = World()
    await w.shelter("a", 1)
    event = triaged()
    pid = await w.placer.request(event)
    assert pid is not None
    # A flow that held the bed and stopped before writing the offer.
    shelter = w.shelters.docs["a"].shelter
    beds = BedCounts(single=1)
    await w.shelters.hold(
        "a", pid, beds, w.clock.now + timedelta(minutes=30), shelter.hold_guard(beds), w.clock.now
    )
    assert (await w.sweeper.release_orphan_holds()) == 0
    w.clock.advance(seconds=61)
    assert (await w.sweeper.release_orphan_holds()) == 1
    assert w.shelters.reserved("a") == 0
    await w.sweeper.sweep()  # the stale request is matched again
    assert w.status(pid) is S.OFFERED


async def test_concurrent_cases_never_overbook() -> None:
    w = World()
    await w.shelter("a", 4)
    await w.shelter("b", 3, LATINA)
    events = [triaged() for _ in range(120)]

    async def one(event: Envelope[CaseTriaged]) -> PlacementStatus:
        pid = await w.placer.request(event)
        assert pid is not None
        return await w.placer.place(pid)

    outcomes = await asyncio.gather(*(one(e) for e in events))
    assert outcomes.count(S.OFFERED) == 7
    assert outcomes.count(S.WAITLISTED) == 113
    for shelter_id in ("a", "b"):
        assert reconcile(w.shelters.docs[shelter_id].shelter) == []
