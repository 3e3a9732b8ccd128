from datetime import UTC, datetime, timedelta

import pytest

from lgnet_housing.domain.errors import (
    InsufficientBeds,
    InvalidValue,
    ReservationConflict,
    ReservationNotFound,
)
from lgnet_housing.domain.reconciliation import reconcile
from lgnet_housing.domain.shelter import (
    BedStock,
    ChangeKind,
    GuestKind,
    PartnerDelivery,
    ReleaseReason,
    ReservationStatus,
    Shelter,
)
from lgnet_housing.domain.values import BedCounts, BedType

NOW = datetime(2025, 3, 1, 22, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(minutes=30)


def shelter(single: int = 4, family_room: int = 0, accessible: int = 0) -> Shelter:
    return Shelter(
        id="s1",
        municipality="058091",
        name="Casa Roma",
        address="Via Roma 1",
        guest_kinds=frozenset({GuestKind.MIXED}),
        accessible=accessible > 0,
        languages=frozenset({"it", "en"}),
        beds={
            BedType.SINGLE: BedStock(capacity=single),
            BedType.FAMILY_ROOM: BedStock(capacity=family_room),
            BedType.ACCESSIBLE: BedStock(capacity=accessible),
        },
        delivery=PartnerDelivery.api_only(),
    )


def test_all_bed_types_present_and_available() -> None:
    s = shelter(single=3)
    assert set(s.beds) == set(BedType)
    assert s.available() == BedCounts(single=3)


def test_hold_decrements_available_and_records_reservation() -> None:
    s, change = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    assert change.kind is ChangeKind.HELD
    assert change.reserved_delta == {BedType.SINGLE: 2}
    assert s.available() == BedCounts(single=1)
    assert s.beds[BedType.SINGLE].reserved == 2
    reservation = s.reservation("p1")
    assert reservation is not None
    assert reservation.status is ReservationStatus.HELD
    assert reservation.held_until == UNTIL
    assert s.version == 1
    assert reconcile(s) == []


def test_hold_is_idempotent_by_placement() -> None:
    s1, _ = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    s2, change = s1.hold("p1", BedCounts(single=2), UNTIL)
    assert s2 is s1
    assert change.kind is ChangeKind.UNCHANGED
    assert not change.changed
    assert change.reserved_delta == {}


def test_hold_retry_with_other_beds_conflicts() -> None:
    s, _ = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    with pytest.raises(ReservationConflict):
        s.hold("p1", BedCounts(single=1), UNTIL)


def test_hold_beyond_available_is_refused() -> None:
    s, _ = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    assert not s.can_hold(BedCounts(single=2))
    with pytest.raises(InsufficientBeds):
        s.hold("p2", BedCounts(single=2), UNTIL)
    with pytest.raises(InvalidValue):
        s.hold("p3", BedCounts(), UNTIL)


def test_hold_guard_gives_the_storage_condition() -> None:
    s, _ = shelter(single=5).hold("p1", BedCounts(single=1), UNTIL)
    s, _ = s.set_availability(out_of_service=BedCounts(single=1), extra_tonight=BedCounts(single=2))
    guard = s.hold_guard(BedCounts(single=2))
    assert set(guard) == {BedType.SINGLE}
    g = guard[BedType.SINGLE]
    assert (g.capacity, g.out_of_service, g.extra_tonight) == (5, 1, 2)
    # 6 usable; holding 2 is safe while no more than 4 are reserved.
    assert g.max_reserved == 4


def test_confirm_then_occupy_then_release() -> None:
    s, _ = shelter().hold("p1", BedCounts(single=1), UNTIL)
    s, change = s.confirm("p1")
    assert change.kind is ChangeKind.CONFIRMED
    assert change.previous_status is ReservationStatus.HELD
    reservation = s.reservation("p1")
    assert reservation is not None
    assert reservation.held_until is None
    same, again = s.confirm("p1")
    assert same is s
    assert again.kind is ChangeKind.UNCHANGED
    s, change = s.occupy("p1")
    assert change.kind is ChangeKind.OCCUPIED
    s, change = s.release("p1", ReleaseReason.CHECKED_OUT)
    assert change.kind is ChangeKind.RELEASED
    assert change.reserved_delta == {BedType.SINGLE: -1}
    assert change.previous_status is ReservationStatus.OCCUPIED
    assert s.available() == BedCounts(single=4)
    assert s.reservations == ()


def test_occupy_needs_a_confirmed_reservation() -> None:
    s, _ = shelter().hold("p1", BedCounts(single=1), UNTIL)
    with pytest.raises(ReservationConflict):
        s.occupy("p1")
    s, _ = s.confirm("p1")
    s, _ = s.occupy("p1")
    with pytest.raises(ReservationConflict):
        s.confirm("p1")


@pytest.mark.parametrize("method", ["confirm", "occupy"])
def test_advancing_an_unknown_reservation_fails(method: str) -> None:
    with pytest.raises(ReservationNotFound):
        getattr(shelter(), method)("nobody")


def test_release_is_idempotent() -> None:
    s, _ = shelter().hold("p1", BedCounts(single=1), UNTIL)
    s, first = s.release("p1", ReleaseReason.DECLINED)
    again, second = s.release("p1", ReleaseReason.DECLINED)
    assert first.changed
    assert not second.changed
    assert again is s
    assert second.reserved_delta == {}


def test_availability_never_below_reserved() -> None:
    s, _ = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    s, change = s.set_availability(out_of_service=BedCounts(single=1))
    assert change.changed
    assert s.available() == BedCounts()
    with pytest.raises(InsufficientBeds):
        s.set_availability(out_of_service=BedCounts(single=2))
    s, _ = s.set_availability(out_of_service=BedCounts(single=2), extra_tonight=BedCounts(single=1))
    assert s.available() == BedCounts()
    with pytest.raises(InsufficientBeds):
        s.set_availability(extra_tonight=BedCounts())


def test_out_of_service_cannot_exceed_capacity() -> None:
    with pytest.raises(InvalidValue):
        shelter(single=2).set_availability(
            out_of_service=BedCounts(single=3), extra_tonight=BedCounts(single=5)
        )


def test_unchanged_availability_is_a_no_op() -> None:
    s = shelter()
    same, change = s.set_availability(out_of_service=BedCounts())
    assert same is s
    assert not change.changed


def test_set_capacity_respects_reservations() -> None:
    s, _ = shelter(single=3).hold("p1", BedCounts(single=2), UNTIL)
    s, change = s.set_capacity(BedCounts(single=2))
    assert change.changed
    assert s.available() == BedCounts()
    with pytest.raises(InsufficientBeds):
        s.set_capacity(BedCounts(single=1))
    with pytest.raises(InvalidValue):
        s.set_capacity(BedCounts(single=2, accessible=1))


def test_expired_holds() -> None:
    s, _ = shelter().hold("p1", BedCounts(single=1), UNTIL)
    s, _ = s.hold("p2", BedCounts(single=1), UNTIL + timedelta(hours=1))
    s, _ = s.hold("p3", BedCounts(single=1), NOW)
    s, _ = s.confirm("p3")
    assert s.expired_holds(UNTIL) == ["p1"]
    assert s.expired_holds(NOW) == []


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://partner.example.org/hooks", True),
        ("http://127.0.0.1:8080/hook", True),
        ("http://localhost/hook", True),
        ("http://partner.example.org/hook", False),
        ("ftp://partner.example.org/hook", False),
        ("not a url", False),
    ],
    ids=["https", "loopback-ip", "localhost", "plain-http", "ftp", "garbage"],
)
def test_webhook_url_must_be_https(url: str, ok: bool) -> None:
    if ok:
        assert PartnerDelivery.webhook(url).webhook_url == url
    else:
        with pytest.raises(InvalidValue):
            PartnerDelivery.webhook(url)


def test_shelter_registration_validation() -> None:
    with pytest.raises(InvalidValue):
        shelter(accessible=0).set_capacity(BedCounts(accessible=1))
    base = shelter()
    with pytest.raises(InvalidValue):
        Shelter(
            base.id,
            "58091",
            base.name,
            base.address,
            base.guest_kinds,
            False,
            base.languages,
            {},
            base.delivery,
        )
    with pytest.raises(InvalidValue):
        Shelter(
            base.id, "058091", base.name, base.address, frozenset(), False, base.languages, {}, base.delivery
        )
    with pytest.raises(InvalidValue):
        Shelter(
            base.id,
            "058091",
            base.name,
            base.address,
            base.guest_kinds,
            False,
            frozenset(),
            {BedType.ACCESSIBLE: BedStock(capacity=1)},
            base.delivery,
        )
    with pytest.raises(InvalidValue):
        PartnerDelivery.webhook("https://x.example.org").__class__(
            PartnerDelivery.api_only().mode, "https://x"
        )
