from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_housing.domain.errors import NotVisibleToPartner
from lgnet_housing.domain.household_fit import Gender, Household
from lgnet_housing.domain.partner_view import PartnerPlacementView, partner_view
from lgnet_housing.domain.placement import Placement, PlacementStatus
from lgnet_housing.domain.placement_events import CancelReason, DeclineReason
from lgnet_housing.domain.request import PlacementRequest
from lgnet_housing.domain.values import BedCounts, Coordinates, Priority

T0 = datetime(2025, 3, 1, 21, 0, tzinfo=UTC)
BEDS = BedCounts(family_room=2, cot=1)


def offered() -> Placement:
    request = PlacementRequest(
        case_id="c1",
        municipality="072006",
        priority=Priority.P1,
        household=Household(
            (Gender.FEMALE, Gender.OTHER), (9, 1), pregnancy=True, accessibility_need=False, language="uk"
        ),
        reported_at=T0,
        first_name="Olena",
        location=Coordinates(41.12, 16.87),
        expected_arrival=T0 + timedelta(hours=2),
    )
    placement, _ = Placement.open("p1", request, BEDS, T0)
    return placement.offer("s1", "072006", BEDS, T0)[0]


def test_partner_sees_only_the_minimum() -> None:
    view = partner_view(offered(), "s1")
    assert view == PartnerPlacementView(
        placement_id="p1",
        shelter_id="s1",
        status=PlacementStatus.OFFERED,
        beds=BEDS,
        offer_expires_at=T0 + timedelta(minutes=30),
        first_name="Olena",
        adults=2,
        minors_ages=(1, 9),
        expected_arrival=T0 + timedelta(hours=2),
        language="uk",
        accessibility_need=False,
    )
    names = {f.name for f in fields(PartnerPlacementView)}
    for forbidden in (
        "case_id",
        "pregnancy",
        "location",
        "municipality",
        "priority",
        "adults_genders",
        "notes",
    ):
        assert forbidden not in names


def test_confirmed_arrival_time_replaces_the_estimate() -> None:
    p, _ = offered().accept("partner", T0)
    p, _ = p.confirm(T0 + timedelta(hours=3), T0)
    assert partner_view(p, "s1").expected_arrival == T0 + timedelta(hours=3)


def test_other_shelters_see_nothing() -> None:
    with pytest.raises(NotVisibleToPartner):
        partner_view(offered(), "s2")


@pytest.mark.parametrize("how", ["declined", "expired", "cancelled"])
def test_offer_disappears_once_it_is_no_longer_theirs(how: str) -> None:
    p = offered()
    if how == "declined":
        p, _ = p.decline("partner", DeclineReason.OTHER, T0)
    elif how == "expired":
        p, _ = p.expire(T0 + timedelta(hours=1))
    else:
        p, _ = p.cancel(CancelReason.CASE_CLOSED, T0)
    with pytest.raises(NotVisibleToPartner):
        partner_view(p, "s1")
