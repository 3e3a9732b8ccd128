"""Which beds a household needs, and the hard rules that decide where it may never go.

Hard rules protect people (minors, women, families, disabled guests); they are never traded
against ranking. Every rule that fails is reported, so an exclusion can be explained.
"""

from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidValue
from .policy import FitPolicy
from .shelter import GuestKind, Shelter
from .values import BedCounts, BedType, language_code

_MAX_PEOPLE = 40


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Household:
    """Composition only: who must sleep under one roof, never why they are vulnerable."""

    adults: tuple[Gender, ...]
    minors_ages: tuple[int, ...] = ()
    unaccompanied_minor: bool = False
    pregnancy: bool = False
    accessibility_need: bool = False  # one member needs a wheelchair-accessible bed
    language: str = "it"

    def __post_init__(self) -> None:
        language_code(self.language)
        if not self.adults and not self.minors_ages:
            raise InvalidValue("a household has at least one person")
        if len(self.adults) + len(self.minors_ages) > _MAX_PEOPLE:
            raise InvalidValue(f"a household has at most {_MAX_PEOPLE} people")
        if any(not 0 <= age <= 17 for age in self.minors_ages):
            raise InvalidValue("minors are 0 to 17 years old")
        if self.unaccompanied_minor and self.adults:
            raise InvalidValue("unaccompanied minors come without adults")
        if not self.adults and not self.unaccompanied_minor:
            raise InvalidValue("minors without adults must be flagged as unaccompanied")

    @property
    def size(self) -> int:
        return len(self.adults) + len(self.minors_ages)

    @property
    def is_family(self) -> bool:
        """Adults with minors: they stay together, in one shelter that takes families."""
        return bool(self.adults) and bool(self.minors_ages)

    @property
    def all_adults_women(self) -> bool:
        return bool(self.adults) and all(g is Gender.FEMALE for g in self.adults)


def beds_needed(household: Household, policy: FitPolicy | None = None) -> BedCounts:
    """Beds (posti letto) by type: cots for the youngest, family-room beds for a family,
    single beds otherwise; with an accessibility need one of those becomes an accessible bed."""
    policy = policy or FitPolicy()
    cots = sum(1 for age in household.minors_ages if age <= policy.cot_max_age)
    others = household.size - cots
    main = BedType.FAMILY_ROOM if household.is_family else BedType.SINGLE
    counts = {BedType.COT: cots, main: others, BedType.ACCESSIBLE: 0}
    if household.accessibility_need:
        taken_from = main if others else BedType.COT
        counts[taken_from] -= 1
        counts[BedType.ACCESSIBLE] = 1
    return BedCounts.of(counts)


class ExclusionReason(StrEnum):
    UNACCOMPANIED_MINORS_NOT_ACCEPTED = "unaccompanied_minors_not_accepted"
    WOMEN_ONLY = "women_only"  # women-only shelter, and not every adult is a woman
    MEN_ONLY = "men_only"  # men-only shelter, and the household has a woman or a minor
    FAMILIES_NOT_ACCEPTED = "families_not_accepted"
    ADULTS_NOT_ACCEPTED = "adults_not_accepted"  # an adult's gender is not among the guest kinds
    NOT_ACCESSIBLE = "not_accessible"
    NOT_ENOUGH_BEDS = "not_enough_beds"
    OUT_OF_AREA = "out_of_area"  # neither the municipality nor a configured neighbour
    EXCLUDED_FOR_CASE = "excluded_for_case"  # declined or let an offer expire for this case


_ACCEPTED_BY = {
    Gender.FEMALE: {GuestKind.WOMEN, GuestKind.MIXED},
    Gender.MALE: {GuestKind.MEN, GuestKind.MIXED},
    # Not placed in a single-gender shelter by an algorithm: a person-level decision.
    Gender.OTHER: {GuestKind.MIXED},
}


def hard_rule_violations(household: Household, beds: BedCounts, shelter: Shelter) -> list[ExclusionReason]:
    """Every hard rule `shelter` breaks for `household` needing `beds`; empty means allowed."""
    kinds = shelter.guest_kinds
    women_only = kinds == {GuestKind.WOMEN}
    men_only = kinds == {GuestKind.MEN}
    reasons: list[ExclusionReason] = []

    if household.unaccompanied_minor and GuestKind.UNACCOMPANIED_MINORS not in kinds:
        reasons.append(ExclusionReason.UNACCOMPANIED_MINORS_NOT_ACCEPTED)
    if women_only and not household.all_adults_women:
        reasons.append(ExclusionReason.WOMEN_ONLY)
    has_woman = any(g is Gender.FEMALE for g in household.adults)
    if men_only and (has_woman or household.minors_ages):
        reasons.append(ExclusionReason.MEN_ONLY)
    if household.is_family:
        # A women-only shelter takes women with their children; any other family needs "families".
        if GuestKind.FAMILIES not in kinds and not (women_only and household.all_adults_women):
            reasons.append(ExclusionReason.FAMILIES_NOT_ACCEPTED)
    elif household.adults and not all(kinds & _ACCEPTED_BY[g] for g in household.adults):
        reasons.append(ExclusionReason.ADULTS_NOT_ACCEPTED)
    if household.accessibility_need and not (
        shelter.accessible and shelter.beds[BedType.ACCESSIBLE].capacity > 0
    ):
        reasons.append(ExclusionReason.NOT_ACCESSIBLE)
    if not shelter.can_hold(beds):
        reasons.append(ExclusionReason.NOT_ENOUGH_BEDS)
    return reasons
