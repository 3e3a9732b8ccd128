"""Tunable numbers of matching and offers, read from services/housing/config/placement.toml.

The application parses the TOML (tomllib) and hands the mapping here, so the domain stays I/O-free.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from .errors import InvalidValue
from .values import Priority

# The issue fixes 30 minutes for P1; the rest doubles per level, so slower cases tie up beds less.
_DEFAULT_TTL_MINUTES = {Priority.P1: 30, Priority.P2: 60, Priority.P3: 120, Priority.P4: 240}


def _default_ttl() -> Mapping[Priority, timedelta]:
    return MappingProxyType({p: timedelta(minutes=m) for p, m in _DEFAULT_TTL_MINUTES.items()})


@dataclass(frozen=True, slots=True)
class OfferPolicy:
    """How long a shelter has to answer an offer, per priority."""

    ttl: Mapping[Priority, timedelta] = field(default_factory=_default_ttl)

    def __post_init__(self) -> None:
        missing = set(Priority) - set(self.ttl)
        if missing:
            raise InvalidValue(f"offer time missing for {sorted(missing)}")
        if any(value <= timedelta(0) for value in self.ttl.values()):
            raise InvalidValue("offer times must be positive")

    def offer_ttl(self, priority: Priority) -> timedelta:
        return self.ttl[priority]


@dataclass(frozen=True, slots=True)
class FitPolicy:
    """How a household turns into beds."""

    cot_max_age: int = 2  # children up to this age (in years) sleep in a cot

    def __post_init__(self) -> None:
        if not 0 <= self.cot_max_age <= 5:
            raise InvalidValue("cot_max_age must be between 0 and 5")


@dataclass(frozen=True, slots=True)
class RankingPolicy:
    """Distances within one band count as equal, so the language match can decide between them."""

    distance_band_km: float = 5.0

    def __post_init__(self) -> None:
        if self.distance_band_km <= 0:
            raise InvalidValue("distance_band_km must be positive")


@dataclass(frozen=True, slots=True)
class Policies:
    offers: OfferPolicy = field(default_factory=OfferPolicy)
    fit: FitPolicy = field(default_factory=FitPolicy)
    ranking: RankingPolicy = field(default_factory=RankingPolicy)


def _section(data: Mapping[str, object], name: str) -> Mapping[str, object]:
    section = data.get(name, {})
    if not isinstance(section, Mapping):
        raise InvalidValue(f"[{name}] must be a table")
    return section


def _number(section: Mapping[str, object], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(f"{key} must be a number")
    return float(value)


def policies_from_config(data: Mapping[str, object]) -> Policies:
    """Build the policies from the parsed placement.toml; absent keys keep their defaults."""
    ttl_section = _section(data, "offer_ttl_minutes")
    unknown = set(ttl_section) - {p.value for p in Priority}
    if unknown:
        raise InvalidValue(f"unknown priorities in [offer_ttl_minutes]: {sorted(unknown)}")
    ttl = {
        priority: timedelta(minutes=_number(ttl_section, priority.value, _DEFAULT_TTL_MINUTES[priority]))
        for priority in Priority
    }
    fit_section = _section(data, "household_fit")
    cot_max_age = _number(fit_section, "cot_max_age", FitPolicy().cot_max_age)
    if not cot_max_age.is_integer():
        raise InvalidValue("cot_max_age must be a whole number of years")
    ranking_section = _section(data, "ranking")
    return Policies(
        offers=OfferPolicy(MappingProxyType(ttl)),
        fit=FitPolicy(int(cot_max_age)),
        ranking=RankingPolicy(_number(ranking_section, "distance_band_km", RankingPolicy().distance_band_km)),
    )
