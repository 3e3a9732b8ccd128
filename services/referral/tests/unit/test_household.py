"""Household facts and what they imply."""

from __future__ import annotations

import pytest

from lgnet_referral.domain.errors import InvalidHouseholdError
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.vulnerability import SPECIAL_CATEGORY_FACTORS
from lgnet_referral.domain.vulnerability import VulnerabilityFactor as F


def test_derived_facts() -> None:
    family = Household(adults=2, minor_ages=(0, 2, 3, 11), pregnant=True)

    assert (family.size, family.has_minors, family.minors_under_3) == (6, True, 2)
    assert family.implied_factors() == {F.MINOR, F.PREGNANCY}
    assert not family.is_unaccompanied_minor


def test_minor_alone_is_unaccompanied_even_if_not_ticked() -> None:
    assert Household(adults=0, minor_ages=(16,)).implied_factors() == {F.MINOR, F.UNACCOMPANIED_MINOR}


INVALID = {
    "nobody": (Household, {"adults": 0}, "at least one person"),
    "negative adults": (Household, {"adults": -1, "minor_ages": (3,)}, "adults must be 0 or more"),
    "adult listed as minor": (Household, {"adults": 1, "minor_ages": (18,)}, "between 0 and 17"),
    "unaccompanied with adults": (
        Household,
        {"adults": 1, "minor_ages": (15,), "unaccompanied_minor": True},
        "cannot be in a household with adults",
    ),
    "unaccompanied without age": (
        Household,
        {"adults": 0, "unaccompanied_minor": True},
        "age must be among the minor ages",
    ),
}


@pytest.mark.parametrize(("cls", "kwargs", "message"), INVALID.values(), ids=INVALID.keys())
def test_contradictions_are_refused(cls: type[Household], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidHouseholdError, match=message):
        cls(**kwargs)  # type: ignore[arg-type]


def test_special_category_factors_are_health_sex_life_and_violence() -> None:
    assert {f for f in F if not f.is_special_category} == {
        F.MINOR,
        F.UNACCOMPANIED_MINOR,
        F.ELDERLY,
        F.SINGLE_PARENT_WITH_MINORS,
    }
    assert F.PREGNANCY in SPECIAL_CATEGORY_FACTORS
