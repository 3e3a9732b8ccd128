import pytest

from lgnet_housing.domain.errors import InvalidValue
from lgnet_housing.domain.values import BedCounts, BedType, Coordinates, Priority, istat_code, language_code


def test_priority_rank_orders_p1_first() -> None:
    assert sorted(Priority, key=lambda p: p.rank) == [Priority.P1, Priority.P2, Priority.P3, Priority.P4]


def test_bed_counts_arithmetic() -> None:
    a = BedCounts(single=2, cot=1)
    b = BedCounts(single=1, accessible=1)
    assert (a + b) == BedCounts(single=3, cot=1, accessible=1)
    assert a.minus(BedCounts(single=1)) == BedCounts(single=1, cot=1)
    assert a.covers(BedCounts(single=2))
    assert not a.covers(b)
    assert a.total == 3
    assert a.nonzero() == {BedType.SINGLE: 2, BedType.COT: 1}
    assert BedCounts.of({"family_room": 4}) == BedCounts(family_room=4)


def test_bed_counts_never_negative() -> None:
    with pytest.raises(InvalidValue):
        BedCounts(single=-1)
    with pytest.raises(InvalidValue):
        BedCounts(single=1).minus(BedCounts(single=2))


def test_haversine_roma_latina() -> None:
    roma = Coordinates(41.9028, 12.4964)
    latina = Coordinates(41.4676, 12.9036)
    assert 55 < roma.distance_km(latina) < 65
    assert roma.distance_km(roma) == 0


@pytest.mark.parametrize("bad", ["58091", "05809A", ""], ids=["short", "letter", "empty"])
def test_istat_code_shape(bad: str) -> None:
    with pytest.raises(InvalidValue):
        istat_code(bad)


@pytest.mark.parametrize("bad", ["ita", "IT", "i"], ids=["three", "upper", "one"])
def test_language_code_shape(bad: str) -> None:
    assert language_code("ar") == "ar"
    with pytest.raises(InvalidValue):
        language_code(bad)


def test_coordinates_range() -> None:
    with pytest.raises(InvalidValue):
        Coordinates(91, 0)
