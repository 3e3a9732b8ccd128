"""Find and rank the shelters that may take a placement request.

Order of the ranking (lexicographic, each step explained by a score component):
1. area: the case's own municipality, then its configured neighbours in their listed order;
2. household fit: fewest beds left over of the types the household uses (best fit keeps
   large free blocks for large families);
3. distance band (haversine, when both ends have coordinates; unknown distance last);
4. a shelter that speaks the household's language;
5. exact distance, then shelter id, so equal inputs always give the same order.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .household_fit import ExclusionReason, beds_needed, hard_rule_violations
from .neighbours import NeighbourMap
from .policy import FitPolicy, RankingPolicy
from .request import PlacementRequest
from .shelter import Shelter
from .values import BedCounts


@dataclass(frozen=True, slots=True)
class ScoreComponents:
    area_rank: int  # 0 same municipality, n = n-th configured neighbour
    leftover_beds: int  # free beds of the needed types left after this placement
    distance_km: float | None
    distance_band: int | None
    language_match: bool

    def sort_key(self, shelter_id: str) -> tuple[int, int, float, bool, float, str]:
        band = math.inf if self.distance_band is None else float(self.distance_band)
        distance = math.inf if self.distance_km is None else self.distance_km
        return (self.area_rank, self.leftover_beds, band, not self.language_match, distance, shelter_id)

    def explain(self) -> str:
        area = "same municipality" if self.area_rank == 0 else f"neighbour #{self.area_rank}"
        distance = "distance unknown" if self.distance_km is None else f"{self.distance_km:.1f} km"
        language = "speaks the language" if self.language_match else "language not spoken"
        return f"{area}; {self.leftover_beds} beds left over; {distance}; {language}"


@dataclass(frozen=True, slots=True)
class Candidate:
    shelter_id: str
    municipality: str
    beds: BedCounts
    score: ScoreComponents


@dataclass(frozen=True, slots=True)
class Exclusion:
    shelter_id: str
    reasons: tuple[ExclusionReason, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    beds_needed: BedCounts
    candidates: tuple[Candidate, ...]  # best first
    excluded: tuple[Exclusion, ...]  # by shelter id

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def match(
    request: PlacementRequest,
    shelters: Iterable[Shelter],
    neighbours: NeighbourMap,
    *,
    excluded_shelters: frozenset[str] = frozenset(),
    fit: FitPolicy | None = None,
    ranking: RankingPolicy | None = None,
) -> MatchResult:
    """Rank every shelter that passes the hard rules; explain every one that does not."""
    ranking = ranking or RankingPolicy()
    household = request.household
    beds = beds_needed(household, fit)
    candidates: list[Candidate] = []
    excluded: list[Exclusion] = []
    for shelter in shelters:
        reasons: list[ExclusionReason] = []
        if shelter.id in excluded_shelters:
            reasons.append(ExclusionReason.EXCLUDED_FOR_CASE)
        area_rank = neighbours.area_rank(request.municipality, shelter.municipality)
        if area_rank is None:
            reasons.append(ExclusionReason.OUT_OF_AREA)
        reasons.extend(hard_rule_violations(household, beds, shelter))
        if reasons or area_rank is None:
            excluded.append(Exclusion(shelter.id, tuple(reasons)))
            continue
        candidates.append(
            Candidate(
                shelter.id, shelter.municipality, beds, _score(request, beds, shelter, area_rank, ranking)
            )
        )
    candidates.sort(key=lambda c: c.score.sort_key(c.shelter_id))
    excluded.sort(key=lambda e: e.shelter_id)
    return MatchResult(beds, tuple(candidates), tuple(excluded))


def _score(
    request: PlacementRequest, beds: BedCounts, shelter: Shelter, area_rank: int, ranking: RankingPolicy
) -> ScoreComponents:
    available = shelter.available()
    leftover = sum(available[bed_type] - count for bed_type, count in beds.nonzero().items())
    distance: float | None = None
    band: int | None = None
    if request.location is not None and shelter.coordinates is not None:
        distance = request.location.distance_km(shelter.coordinates)
        band = int(distance // ranking.distance_band_km)
    return ScoreComponents(
        area_rank=area_rank,
        leftover_beds=leftover,
        distance_km=distance,
        distance_band=band,
        language_match=request.household.language in shelter.languages,
    )
