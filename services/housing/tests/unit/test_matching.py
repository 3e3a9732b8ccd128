from datetime import UTC, datetime

import pytest

from lgnet_housing.domain.household_fit import ExclusionReason, Gender, Household
from lgnet_housing.domain.matching import match
from lgnet_housing.domain.neighbours import NeighbourMap
from lgnet_housing.domain.policy import RankingPolicy
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.shelter import BedStock, GuestKind, PartnerDelivery, Shelter
from lgnet_housing.domain.values import BedCounts, BedType, Coordinates, Priority

ROMA, LATINA, PERUGIA, NAPOLI = "058091", "059011", "054039", "063049"
NEIGHBOURS = NeighbourMap({ROMA: (LATINA, PERUGIA), LATINA: (ROMA,)})
REPORTED = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)
ROMA_CENTRE = Coordinates(41.9028, 12.4964)


def shelter(
    sid: str,
    municipality: str = ROMA,
    single: int = 5,
    *,
    kinds: frozenset[GuestKind] = frozenset({GuestKind.MIXED}),
    languages: frozenset[str] = frozenset({"it"}),
    at: Coordinates | None = None,
) -> Shelter:
    return Shelter(
        id=sid,
        municipality=municipality,
        name=sid,
        address="Via 1",
        guest_kinds=kinds,
        accessible=False,
        languages=languages,
        beds={BedType.SINGLE: BedStock(capacity=single)},
        delivery=PartnerDelivery.api_only(),
        coordinates=at,
    )


def request(household: Household | None = None, location: Coordinates | None = None) -> PlacementRequest:
    return PlacementRequest(
        case_id="c1",
        municipality=ROMA,
        priority=Priority.P1,
        household=household or Household((Gender.MALE,), language="ar"),
        reported_at=REPORTED,
        location=location,
    )


def ids(result_candidates: object) -> list[str]:
    return [c.shelter_id for c in result_candidates]  # type: ignore[attr-defined]


def test_same_municipality_before_neighbours_in_listed_order() -> None:
    shelters = [shelter("perugia", PERUGIA), shelter("latina", LATINA), shelter("roma", ROMA, single=50)]
    result = match(request(), shelters, NEIGHBOURS)
    assert ids(result.candidates) == ["roma", "latina", "perugia"]
    assert [c.score.area_rank for c in result.candidates] == [0, 1, 2]


def test_out_of_area_is_excluded_with_reason() -> None:
    result = match(request(), [shelter("napoli", NAPOLI)], NEIGHBOURS)
    assert result.best is None
    assert result.excluded[0].reasons == (ExclusionReason.OUT_OF_AREA,)


def test_best_fit_leaves_least_capacity_unused() -> None:
    shelters = [shelter("big", single=20), shelter("snug", single=2), shelter("mid", single=6)]
    result = match(request(Household((Gender.MALE, Gender.MALE))), shelters, NEIGHBOURS)
    assert ids(result.candidates) == ["snug", "mid", "big"]
    assert result.best is not None
    assert result.best.score.leftover_beds == 0
    assert result.beds_needed == BedCounts(single=2)


def test_distance_ranks_within_equal_fit() -> None:
    near = shelter("near", at=Coordinates(41.90, 12.50))
    far = shelter("far", at=Coordinates(41.80, 12.60))
    unknown = shelter("unknown")
    result = match(request(location=ROMA_CENTRE), [unknown, far, near], NEIGHBOURS)
    assert ids(result.candidates) == ["near", "far", "unknown"]
    best = result.best
    assert best is not None
    assert best.score.distance_km is not None
    assert best.score.distance_km < 1


def test_language_decides_within_a_distance_band() -> None:
    italian = shelter("italian", at=Coordinates(41.905, 12.497))
    arabic = shelter("arabic", at=Coordinates(41.92, 12.51), languages=frozenset({"it", "ar"}))
    result = match(request(location=ROMA_CENTRE), [italian, arabic], NEIGHBOURS)
    assert ids(result.candidates) == ["arabic", "italian"]
    # With a tiny band, distance wins over language.
    tight = match(request(location=ROMA_CENTRE), [italian, arabic], NEIGHBOURS, ranking=RankingPolicy(0.1))
    assert ids(tight.candidates) == ["italian", "arabic"]


def test_exclusions_for_this_case_are_respected() -> None:
    result = match(request(), [shelter("a"), shelter("b")], NEIGHBOURS, excluded_shelters=frozenset({"a"}))
    assert ids(result.candidates) == ["b"]
    assert result.excluded[0].shelter_id == "a"
    assert result.excluded[0].reasons == (ExclusionReason.EXCLUDED_FOR_CASE,)


def test_every_excluded_shelter_carries_all_its_reasons() -> None:
    men_only = shelter("men", NAPOLI, single=0, kinds=frozenset({GuestKind.MEN}))
    result = match(request(Household((Gender.FEMALE,))), [men_only], NEIGHBOURS)
    assert result.excluded[0].reasons == (
        ExclusionReason.OUT_OF_AREA,
        ExclusionReason.MEN_ONLY,
        ExclusionReason.ADULTS_NOT_ACCEPTED,
        ExclusionReason.NOT_ENOUGH_BEDS,
    )


def test_ties_break_by_shelter_id_and_explain_is_readable() -> None:
    result = match(request(), [shelter("b"), shelter("a")], NEIGHBOURS)
    assert ids(result.candidates) == ["a", "b"]
    best = result.best
    assert best is not None
    assert (
        best.score.explain() == "same municipality; 4 beds left over; distance unknown; language not spoken"
    )


def test_families_are_kept_together_in_one_shelter() -> None:
    family = Household((Gender.FEMALE, Gender.MALE), (4, 9))
    rooms = Shelter(
        id="rooms",
        municipality=ROMA,
        name="rooms",
        address="Via 2",
        guest_kinds=frozenset({GuestKind.FAMILIES}),
        accessible=False,
        languages=frozenset({"it"}),
        beds={BedType.FAMILY_ROOM: BedStock(capacity=3)},
        delivery=PartnerDelivery.api_only(),
    )
    result = match(request(family), [rooms, shelter("singles", single=10)], NEIGHBOURS)
    assert ids(result.candidates) == []  # 3 family beds for 4 people: never split across shelters
    bigger, _ = rooms.set_availability(extra_tonight=BedCounts(family_room=1))
    result = match(request(family), [bigger, shelter("singles", single=10)], NEIGHBOURS)
    assert ids(result.candidates) == ["rooms"]
    assert result.best is not None
    assert result.best.beds == BedCounts(family_room=4)


@pytest.mark.parametrize("bad", [{"058091": ("058091",)}, {"058091": ("059011", "059011")}, {"5809": ()}])
def test_neighbour_map_validation(bad: dict[str, tuple[str, ...]]) -> None:
    from lgnet_housing.domain.errors import InvalidValue

    with pytest.raises(InvalidValue):
        NeighbourMap(bad)
