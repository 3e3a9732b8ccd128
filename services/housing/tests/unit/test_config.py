"""The shipped configuration parses and makes sense."""

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from lgnet_housing.domain.errors import InvalidValue
from lgnet_housing.domain.neighbours import NeighbourMap
from lgnet_housing.domain.policy import OfferPolicy, policies_from_config
from lgnet_housing.domain.values import Priority

CONFIG = Path(__file__).resolve().parents[2] / "config"
PROGRAMME = {
    "007003", "001272", "015146", "021008", "027042", "032006", "010025", "037006", "048017", "054039",
    "058091", "059011", "061022", "063049", "070006", "072006", "073027", "076063", "079023", "082053",
    "090064", "092009",
}  # fmt: skip


def load(name: str) -> dict[str, object]:
    return tomllib.loads((CONFIG / name).read_text(encoding="utf-8"))


def test_neighbours_cover_the_programme_and_are_symmetric() -> None:
    neighbours = NeighbourMap.from_config(load("neighbours.toml"))
    assert set(neighbours.neighbours) == PROGRAMME
    for home, others in neighbours.neighbours.items():
        assert set(others) <= PROGRAMME
        for other in others:
            assert home in neighbours.of(other), f"{home} -> {other} but not back"
    assert neighbours.of("058091") == ("059011",)
    assert neighbours.area_rank("072006", "076063") == 2


def test_placement_policies() -> None:
    policies = policies_from_config(load("placement.toml"))
    assert policies.offers.offer_ttl(Priority.P1) == timedelta(minutes=30)
    assert policies.offers.offer_ttl(Priority.P4) == timedelta(minutes=240)
    assert policies.fit.cot_max_age == 2
    assert policies.ranking.distance_band_km == 5.0


def test_policy_defaults_and_validation() -> None:
    assert policies_from_config({}).offers == OfferPolicy()
    for bad in (
        {"offer_ttl_minutes": {"P5": 1}},
        {"offer_ttl_minutes": {"P1": 0}},
        {"offer_ttl_minutes": {"P1": "soon"}},
        {"household_fit": {"cot_max_age": 1.5}},
        {"ranking": {"distance_band_km": -1}},
        {"ranking": 3},
    ):
        with pytest.raises(InvalidValue):
            policies_from_config(bad)
    with pytest.raises(InvalidValue):
        OfferPolicy({Priority.P1: timedelta(minutes=1)})


def test_neighbour_config_validation() -> None:
    with pytest.raises(InvalidValue):
        NeighbourMap.from_config({"neighbours": {"058091": "059011"}})
    with pytest.raises(InvalidValue):
        NeighbourMap.from_config({"neighbours": []})
