"""The household a report is about, and the facts triage derives from it."""

from __future__ import annotations

from dataclasses import dataclass

from lgnet_referral.domain.errors import InvalidHouseholdError
from lgnet_referral.domain.vulnerability import VulnerabilityFactor

ADULT_AGE = 18
# Under-3s get extra points: they cannot spend a night outside without immediate risk.
INFANT_AGE_LIMIT = 3


@dataclass(frozen=True, slots=True)
class Household:
    """Who needs help: adults, minors by age, a pregnancy, or a minor on their own."""

    adults: int
    minor_ages: tuple[int, ...] = ()
    pregnant: bool = False
    # The reported person is a minor without a parent or legal guardian in Italy.
    unaccompanied_minor: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.adults < 0:
            problems.append(f"adults must be 0 or more, got {self.adults}")
        bad_ages = [age for age in self.minor_ages if not 0 <= age < ADULT_AGE]
        if bad_ages:
            problems.append(f"minor ages must be between 0 and {ADULT_AGE - 1}, got {bad_ages}")
        if self.adults + len(self.minor_ages) < 1:
            problems.append("a household has at least one person")
        if self.unaccompanied_minor and self.adults > 0:
            problems.append("an unaccompanied minor cannot be in a household with adults")
        if self.unaccompanied_minor and not self.minor_ages:
            problems.append("an unaccompanied minor's age must be among the minor ages")
        if problems:
            raise InvalidHouseholdError("; ".join(problems))

    @property
    def size(self) -> int:
        return self.adults + len(self.minor_ages)

    @property
    def has_minors(self) -> bool:
        return bool(self.minor_ages)

    @property
    def is_unaccompanied_minor(self) -> bool:
        """Minors with no adult are unaccompanied whether or not the box was ticked."""
        return self.unaccompanied_minor or (self.adults == 0 and self.has_minors)

    @property
    def minors_under_3(self) -> int:
        return sum(1 for age in self.minor_ages if age < INFANT_AGE_LIMIT)

    def implied_factors(self) -> frozenset[VulnerabilityFactor]:
        """Factors the household facts prove, so a forgotten tick box cannot lower the priority.

        Single parenthood is not implied: one adult with children may be an aunt or a neighbour.
        """
        factors: set[VulnerabilityFactor] = set()
        if self.has_minors:
            factors.add(VulnerabilityFactor.MINOR)
        if self.is_unaccompanied_minor:
            factors.add(VulnerabilityFactor.UNACCOMPANIED_MINOR)
        if self.pregnant:
            factors.add(VulnerabilityFactor.PREGNANCY)
        return frozenset(factors)
