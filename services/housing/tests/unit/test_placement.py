from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_housing.domain.errors import InvalidTransition, InvalidValue, OfferExpired, ShelterExcluded
from lgnet_housing.domain.household_fit import Gender, Household
from lgnet_housing.domain.placement import (
    ALLOWED_FROM,
    TERMINAL,
    Action,
    OfferOutcome,
    Placement,
    PlacementStatus,
    Transition,
)
from lgnet_housing.domain.placement_events import (
    CancelReason,
    DeclineReason,
    PlacementAccepted,
    PlacementCancelled,
    PlacementCheckedIn,
    PlacementCheckedOut,
    PlacementConfirmed,
    PlacementDeclined,
    PlacementEvent,
    PlacementExpired,
    PlacementOffered,
    PlacementRequested,
    PlacementWaitlisted,
)
from lgnet_housing.domain.policy import OfferPolicy
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.values import BedCounts, Priority

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
BEDS = BedCounts(single=1)
S = PlacementStatus


def opened(priority: Priority = Priority.P1) -> Placement:
    request = PlacementRequest("c1", "058091", priority, Household((Gender.FEMALE,)), T0, first_name="Amina")
    placement, events = Placement.open("p1", request, BEDS, T0)
    assert events == [PlacementRequested("p1", "c1", T0, "058091", priority, BEDS)]
    return placement


def offered() -> Placement:
    return opened().offer("s1", "058091", BEDS, T0)[0]


def in_status(status: PlacementStatus) -> Placement:
    """Reach each status through valid transitions only."""
    p = opened()
    paths: dict[PlacementStatus, list[Callable[[Placement], Transition]]] = {
        S.REQUESTED: [],
        S.WAITLISTED: [lambda q: q.waitlist(1, "no beds", T0)],
        S.OFFERED: [lambda q: q.offer("s1", "058091", BEDS, T0)],
        S.ACCEPTED: [lambda q: q.offer("s1", "058091", BEDS, T0), lambda q: q.accept("partner", T0)],
        S.CONFIRMED: [
            lambda q: q.offer("s1", "058091", BEDS, T0),
            lambda q: q.accept("partner", T0),
            lambda q: q.confirm(T0 + timedelta(hours=1), T0),
        ],
        S.CHECKED_IN: [
            lambda q: q.offer("s1", "058091", BEDS, T0),
            lambda q: q.accept("partner", T0),
            lambda q: q.confirm(T0 + timedelta(hours=1), T0),
            lambda q: q.check_in(T0),
        ],
        S.CHECKED_OUT: [
            lambda q: q.offer("s1", "058091", BEDS, T0),
            lambda q: q.accept("partner", T0),
            lambda q: q.confirm(T0 + timedelta(hours=1), T0),
            lambda q: q.check_in(T0),
            lambda q: q.check_out(T0),
        ],
        S.CANCELLED: [lambda q: q.cancel(CancelReason.NO_LONGER_NEEDED, T0)],
    }
    for step in paths[status]:
        p, _ = step(p)
    assert p.status is status
    return p


LATE = T0 + timedelta(hours=1)
ACTIONS: dict[Action, Callable[[Placement], Transition]] = {
    Action.OFFER: lambda p: p.offer("s2", "058091", BEDS, T0),
    Action.ACCEPT: lambda p: p.accept("partner", T0),
    Action.DECLINE: lambda p: p.decline("partner", DeclineReason.NO_BEDS_AVAILABLE, T0),
    Action.EXPIRE: lambda p: p.expire(LATE),
    Action.CONFIRM: lambda p: p.confirm(LATE, T0),
    Action.CHECK_IN: lambda p: p.check_in(T0),
    Action.CHECK_OUT: lambda p: p.check_out(T0),
    Action.WAITLIST: lambda p: p.waitlist(3, "no beds", T0),
    Action.CANCEL: lambda p: p.cancel(CancelReason.CASE_CLOSED, T0),
}
EXPECTED_TARGET = {
    Action.OFFER: S.OFFERED,
    Action.ACCEPT: S.ACCEPTED,
    Action.DECLINE: S.REQUESTED,
    Action.EXPIRE: S.REQUESTED,
    Action.CONFIRM: S.CONFIRMED,
    Action.CHECK_IN: S.CHECKED_IN,
    Action.CHECK_OUT: S.CHECKED_OUT,
    Action.WAITLIST: S.WAITLISTED,
    Action.CANCEL: S.CANCELLED,
}
EXPECTED_EVENT: dict[Action, type[PlacementEvent]] = {
    Action.OFFER: PlacementOffered,
    Action.ACCEPT: PlacementAccepted,
    Action.DECLINE: PlacementDeclined,
    Action.EXPIRE: PlacementExpired,
    Action.CONFIRM: PlacementConfirmed,
    Action.CHECK_IN: PlacementCheckedIn,
    Action.CHECK_OUT: PlacementCheckedOut,
    Action.WAITLIST: PlacementWaitlisted,
    Action.CANCEL: PlacementCancelled,
}
PAIRS = [(action, status) for action in Action for status in PlacementStatus]
VALID = [(a, s) for a, s in PAIRS if s in ALLOWED_FROM[a]]
INVALID = [(a, s) for a, s in PAIRS if s not in ALLOWED_FROM[a]]


@pytest.mark.parametrize(("action", "status"), VALID, ids=[f"{s}-{a}" for a, s in VALID])
def test_valid_transition(action: Action, status: PlacementStatus) -> None:
    before = in_status(status)
    after, events = ACTIONS[action](before)
    assert after.status is EXPECTED_TARGET[action]
    assert [type(e) for e in events] == [EXPECTED_EVENT[action]]
    assert events[0].placement_id == "p1"
    assert events[0].case_id == "c1"
    assert after.version == before.version + 1


@pytest.mark.parametrize(("action", "status"), INVALID, ids=[f"{s}-{a}" for a, s in INVALID])
def test_invalid_transition(action: Action, status: PlacementStatus) -> None:
    with pytest.raises(InvalidTransition):
        ACTIONS[action](in_status(status))


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL:
        assert not any(in_status(status).can(action) for action in Action)


@pytest.mark.parametrize(
    ("priority", "minutes"),
    [(Priority.P1, 30), (Priority.P2, 60), (Priority.P3, 120), (Priority.P4, 240)],
    ids=["P1", "P2", "P3", "P4"],
)
def test_offer_expiry_by_priority(priority: Priority, minutes: int) -> None:
    p, events = opened(priority).offer("s1", "058091", BEDS, T0)
    assert events == [PlacementOffered("p1", "c1", T0, "s1", "058091", BEDS, T0 + timedelta(minutes=minutes))]
    assert p.shelter_id == "s1"


def test_offer_expiry_is_configurable() -> None:
    policy = OfferPolicy({p: timedelta(minutes=5) for p in Priority})
    p, _ = opened().offer("s1", "058091", BEDS, T0, policy)
    assert p.offers[-1].expires_at == T0 + timedelta(minutes=5)


def test_offer_must_hold_exactly_the_needed_beds() -> None:
    with pytest.raises(InvalidValue):
        opened().offer("s1", "058091", BedCounts(single=2), T0)


def test_decline_releases_and_excludes_the_shelter() -> None:
    p, events = offered().decline("op-7", DeclineReason.SAFETY_CONCERN, T0, note="no room for the dog")
    assert p.status is S.REQUESTED
    assert p.excluded_shelters == {"s1"}
    assert p.shelter_id is None
    assert events == [
        PlacementDeclined(
            "p1", "c1", T0, "s1", "op-7", DeclineReason.SAFETY_CONCERN, BEDS, "no room for the dog"
        )
    ]
    assert p.offers[-1].outcome is OfferOutcome.DECLINED
    with pytest.raises(ShelterExcluded):
        p.offer("s1", "058091", BEDS, T0)
    p2, _ = p.offer("s2", "058091", BEDS, T0)
    assert p2.status is S.OFFERED
    assert len(p2.offers) == 2


def test_decline_note_is_bounded() -> None:
    with pytest.raises(InvalidValue):
        offered().decline("op", DeclineReason.OTHER, T0, note="x" * 501)


def test_expire_only_after_the_deadline_and_excludes_the_shelter() -> None:
    p = offered()
    deadline = p.offers[-1].expires_at
    with pytest.raises(InvalidTransition):
        p.expire(deadline - timedelta(seconds=1))
    p, events = p.expire(deadline + timedelta(minutes=2))
    assert p.status is S.REQUESTED
    assert p.excluded_shelters == {"s1"}
    assert events == [PlacementExpired("p1", "c1", deadline + timedelta(minutes=2), "s1", deadline, BEDS)]


def test_accept_after_deadline_is_refused() -> None:
    p = offered()
    with pytest.raises(OfferExpired):
        p.accept("partner", p.offers[-1].expires_at)


def test_full_lifecycle_events() -> None:
    p = offered()
    p, accepted = p.accept("partner-1", T0 + timedelta(minutes=5))
    p, confirmed = p.confirm(T0 + timedelta(hours=2), T0 + timedelta(minutes=5))
    p, checked_in = p.check_in(T0 + timedelta(hours=1))
    p, checked_out = p.check_out(T0 + timedelta(days=3))
    assert accepted == [PlacementAccepted("p1", "c1", T0 + timedelta(minutes=5), "s1", "partner-1")]
    assert confirmed == [
        PlacementConfirmed("p1", "c1", T0 + timedelta(minutes=5), "s1", BEDS, T0 + timedelta(hours=2))
    ]
    assert checked_in == [PlacementCheckedIn("p1", "c1", T0 + timedelta(hours=1), "s1")]
    assert checked_out == [PlacementCheckedOut("p1", "c1", T0 + timedelta(days=3), "s1", BEDS)]
    assert p.is_terminal
    assert p.arrive_by == T0 + timedelta(hours=2)


@pytest.mark.parametrize(
    ("status", "releases"),
    [(S.REQUESTED, False), (S.WAITLISTED, False), (S.OFFERED, True), (S.ACCEPTED, True), (S.CONFIRMED, True)],
    ids=["requested", "waitlisted", "offered", "accepted", "confirmed"],
)
def test_cancel_tells_what_to_release(status: PlacementStatus, releases: bool) -> None:
    p, events = in_status(status).cancel(CancelReason.ARRANGED_ELSEWHERE, T0)
    event = events[0]
    assert isinstance(event, PlacementCancelled)
    assert (event.shelter_id == "s1") is releases
    assert event.beds_to_release == (BEDS if releases else BedCounts())
    if status is S.OFFERED:
        assert p.offers[-1].outcome is OfferOutcome.CANCELLED


def test_waitlist_then_offer() -> None:
    p, events = opened().waitlist(2, "no bed in Roma or Latina", T0)
    assert events == [PlacementWaitlisted("p1", "c1", T0, Priority.P1, 2, "no bed in Roma or Latina")]
    with pytest.raises(InvalidValue):
        opened().waitlist(0, "x", T0)
    p, _ = p.offer("s1", "058091", BEDS, T0)
    assert p.status is S.OFFERED


def test_open_validation() -> None:
    request = opened().request
    with pytest.raises(InvalidValue):
        Placement.open("p", request, BedCounts(), T0)
    with pytest.raises(InvalidValue):
        Placement.open("", request, BEDS, T0)
