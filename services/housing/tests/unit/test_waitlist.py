from datetime import UTC, datetime, timedelta

import pytest

from lgnet_housing.domain.errors import InvalidValue
from lgnet_housing.domain.household_fit import Gender, Household
from lgnet_housing.domain.placement import Placement
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.values import BedCounts, Priority
from lgnet_housing.domain.waitlist import WaitlistEntry, next_candidates, ordered, position_of

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)


def entry(
    pid: str, priority: Priority, minutes: int, beds: BedCounts | None = None, case: str | None = None
) -> WaitlistEntry:
    return WaitlistEntry(
        pid,
        case or f"case-{pid}",
        priority,
        T0 + timedelta(minutes=minutes),
        "058091",
        beds or BedCounts(single=1),
    )


def test_order_is_priority_then_report_time_then_case_id() -> None:
    entries = [
        entry("late-p1", Priority.P1, 30),
        entry("p3", Priority.P3, 0),
        entry("early-p1", Priority.P1, 0, case="b"),
        entry("tie-p1", Priority.P1, 0, case="a"),
        entry("p2", Priority.P2, 5),
    ]
    assert [e.placement_id for e in ordered(entries)] == ["tie-p1", "early-p1", "late-p1", "p2", "p3"]
    assert position_of(entries, "p2") == 4
    with pytest.raises(InvalidValue):
        position_of(entries, "nobody")


def test_next_candidates_takes_the_head_that_fits() -> None:
    family = entry("family", Priority.P1, 0, BedCounts(family_room=3))
    single_a = entry("single-a", Priority.P2, 0)
    single_b = entry("single-b", Priority.P2, 10)
    single_c = entry("single-c", Priority.P3, 0)
    picked = next_candidates([single_c, single_b, family, single_a], BedCounts(single=2))
    # The family does not fit in single beds and must not block them.
    assert [e.placement_id for e in picked] == ["single-a", "single-b"]


def test_next_candidates_gives_the_head_first_pick() -> None:
    family = entry("family", Priority.P1, 0, BedCounts(family_room=3))
    single = entry("single", Priority.P2, 0, BedCounts(family_room=1))
    assert [e.placement_id for e in next_candidates([single, family], BedCounts(family_room=3))] == ["family"]


def test_next_candidates_filters_municipalities() -> None:
    roma = entry("roma", Priority.P2, 0)
    napoli = WaitlistEntry("napoli", "c-n", Priority.P1, T0, "063049", BedCounts(single=1))
    picked = next_candidates([napoli, roma], BedCounts(single=5), municipalities={"058091", "059011"})
    assert [e.placement_id for e in picked] == ["roma"]
    assert next_candidates([napoli, roma], BedCounts()) == []


def test_entry_from_waitlisted_placement_only() -> None:
    request = PlacementRequest("c1", "058091", Priority.P2, Household((Gender.MALE,)), T0)
    placement, _ = Placement.open("p1", request, BedCounts(single=1), T0)
    with pytest.raises(InvalidValue):
        WaitlistEntry.of(placement)
    waiting, _ = placement.waitlist(1, "full", T0)
    assert WaitlistEntry.of(waiting) == WaitlistEntry(
        "p1", "c1", Priority.P2, T0, "058091", BedCounts(single=1)
    )
