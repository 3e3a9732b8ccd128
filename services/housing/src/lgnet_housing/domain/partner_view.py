"""What a partner shelter may see of a placement: enough to receive the person, nothing more.

Data minimisation (GDPR art. 5(1)(c)): no surname, contacts, case notes, vulnerability or
health details (pregnancy included), no gender of the adults. Built from the placement only,
so nothing can leak in from other sources.
"""

from dataclasses import dataclass
from datetime import datetime

from .errors import NotVisibleToPartner
from .placement import OfferOutcome, Placement, PlacementStatus
from .values import BedCounts


@dataclass(frozen=True, slots=True)
class PartnerPlacementView:
    # Operational: which offer this is and what it asks of the shelter.
    placement_id: str
    shelter_id: str
    status: PlacementStatus
    beds: BedCounts
    offer_expires_at: datetime
    # About the person: the minimum needed to receive them.
    first_name: str | None
    adults: int
    minors_ages: tuple[int, ...]
    expected_arrival: datetime | None
    language: str
    accessibility_need: bool


# A partner sees an offer while it is theirs to answer or to host; declined, expired or cancelled
# offers disappear from their view.
_VISIBLE = frozenset(
    {
        PlacementStatus.OFFERED,
        PlacementStatus.ACCEPTED,
        PlacementStatus.CONFIRMED,
        PlacementStatus.CHECKED_IN,
        PlacementStatus.CHECKED_OUT,
    }
)


def partner_view(placement: Placement, shelter_id: str) -> PartnerPlacementView:
    """The view for `shelter_id`; raises NotVisibleToPartner if the placement is not theirs."""
    offer = placement.current_offer
    if (
        placement.status not in _VISIBLE
        or offer is None
        or offer.shelter_id != shelter_id
        or offer.outcome not in {OfferOutcome.PENDING, OfferOutcome.ACCEPTED}
    ):
        raise NotVisibleToPartner(f"placement {placement.id} is not visible to shelter {shelter_id}")
    request = placement.request
    household = request.household
    return PartnerPlacementView(
        placement_id=placement.id,
        shelter_id=shelter_id,
        status=placement.status,
        beds=offer.beds,
        offer_expires_at=offer.expires_at,
        first_name=request.first_name,
        adults=len(household.adults),
        minors_ages=tuple(sorted(household.minors_ages)),
        expected_arrival=placement.arrive_by or request.expected_arrival,
        language=household.language,
        accessibility_need=household.accessibility_need,
    )
