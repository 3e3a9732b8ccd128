"""The Placement aggregate: one case's search for a bed, from request to check-out.

    requested --offer--> offered --accept--> accepted --confirm--> confirmed --check_in--> checked_in
        |  ^                |                                                                 |
        |  +--decline/expire+  (back to matching; that shelter is excluded for this case)   check_out
        v                                                                                      v
    waitlisted --offer--> offered                                                         checked_out
    cancel: from requested, waitlisted, offered, accepted or confirmed

Accepted vs confirmed, deliberately two steps: *accepted* records the partner's answer (one
write on the placement document). *Confirmed* is the system's step once the shelter's held
reservation has become a confirmed one (a separate write on the shelter document, since no
transaction spans both). Until then the beds are still only held; if that second write is lost,
a retry finds the placement accepted and confirms again (both writes are idempotent).
Declined and expired are events, not resting states: the placement goes back to requested.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from .errors import InvalidTransition, InvalidValue, OfferExpired, ShelterExcluded
from .placement_events import (
    CancelReason,
    DeclineReason,
    PlacementAccepted,
    PlacementCancelled,
    PlacementCheckedIn,
    PlacementCheckedOut,
    PlacementConfirmed,
    PlacementDeclined,
    PlacementEvent,
    PlacementExpired,
    PlacementOffered,
    PlacementRequested,
    PlacementWaitlisted,
)
from .policy import OfferPolicy
from .request import PlacementRequest
from .values import BedCounts, istat_code

_MAX_NOTE = 500


class PlacementStatus(StrEnum):
    REQUESTED = "requested"  # waiting to be matched (again)
    OFFERED = "offered"
    ACCEPTED = "accepted"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Action(StrEnum):
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    EXPIRE = "expire"
    CONFIRM = "confirm"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    WAITLIST = "waitlist"
    CANCEL = "cancel"


_S = PlacementStatus
ALLOWED_FROM: Mapping[Action, frozenset[PlacementStatus]] = MappingProxyType(
    {
        Action.OFFER: frozenset({_S.REQUESTED, _S.WAITLISTED}),
        Action.ACCEPT: frozenset({_S.OFFERED}),
        Action.DECLINE: frozenset({_S.OFFERED}),
        Action.EXPIRE: frozenset({_S.OFFERED}),
        Action.CONFIRM: frozenset({_S.ACCEPTED}),
        Action.CHECK_IN: frozenset({_S.CONFIRMED}),
        Action.CHECK_OUT: frozenset({_S.CHECKED_IN}),
        Action.WAITLIST: frozenset({_S.REQUESTED}),
        # Once the person is in, the way out is check-out, never a cancellation.
        Action.CANCEL: frozenset({_S.REQUESTED, _S.WAITLISTED, _S.OFFERED, _S.ACCEPTED, _S.CONFIRMED}),
    }
)
TERMINAL: frozenset[PlacementStatus] = frozenset({_S.CHECKED_OUT, _S.CANCELLED})
# Statuses in which the current offer's beds are held or confirmed in the shelter.
_HOLDING = frozenset({_S.OFFERED, _S.ACCEPTED, _S.CONFIRMED, _S.CHECKED_IN})


class OfferOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Offer:
    shelter_id: str
    shelter_municipality: str
    beds: BedCounts
    offered_at: datetime
    expires_at: datetime
    outcome: OfferOutcome = OfferOutcome.PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    decline_reason: DeclineReason | None = None


Transition = tuple["Placement", list[PlacementEvent]]


@dataclass(frozen=True, slots=True)
class Placement:
    id: str
    request: PlacementRequest
    beds_needed: BedCounts
    status: PlacementStatus
    created_at: datetime
    updated_at: datetime
    offers: tuple[Offer, ...] = ()  # history, latest last
    excluded_shelters: frozenset[str] = frozenset()
    arrive_by: datetime | None = None
    version: int = 0

    @classmethod
    def open(
        cls, placement_id: str, request: PlacementRequest, beds_needed: BedCounts, now: datetime
    ) -> Transition:
        """A triaged case asks for beds."""
        if not placement_id:
            raise InvalidValue("a placement needs an id")
        if beds_needed.is_empty:
            raise InvalidValue("a placement needs at least one bed")
        placement = cls(placement_id, request, beds_needed, _S.REQUESTED, now, now)
        event = PlacementRequested(
            placement_id, request.case_id, now, request.municipality, request.priority, beds_needed
        )
        return placement, [event]

    # -- reading -------------------------------------------------------------------------------

    @property
    def current_offer(self) -> Offer | None:
        """The offer whose beds the placement holds (pending or accepted), if any."""
        if self.status in _HOLDING or self.status is _S.CHECKED_OUT:
            return self.offers[-1]
        return None

    @property
    def shelter_id(self) -> str | None:
        offer = self.current_offer
        return offer.shelter_id if offer else None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def can(self, action: Action) -> bool:
        return self.status in ALLOWED_FROM[action]

    # -- transitions ---------------------------------------------------------------------------

    def offer(
        self,
        shelter_id: str,
        shelter_municipality: str,
        beds: BedCounts,
        now: datetime,
        policy: OfferPolicy | None = None,
    ) -> Transition:
        """The beds are held in the shelter; the shelter has until the deadline to answer."""
        self._require(Action.OFFER)
        istat_code(shelter_municipality)
        if shelter_id in self.excluded_shelters:
            raise ShelterExcluded(f"shelter {shelter_id} is excluded for placement {self.id}")
        if beds != self.beds_needed:
            raise InvalidValue("an offer holds exactly the beds the household needs")
        expires_at = now + (policy or OfferPolicy()).offer_ttl(self.request.priority)
        offer = Offer(shelter_id, shelter_municipality, beds, now, expires_at)
        placement = self._to(_S.OFFERED, now, offers=(*self.offers, offer))
        event = PlacementOffered(
            self.id, self.request.case_id, now, shelter_id, shelter_municipality, beds, expires_at
        )
        return placement, [event]

    def accept(self, accepted_by: str, now: datetime) -> Transition:
        """The partner shelter says yes, before the deadline."""
        self._require(Action.ACCEPT)
        offer = self.offers[-1]
        if now >= offer.expires_at:
            raise OfferExpired(f"offer for placement {self.id} expired at {offer.expires_at.isoformat()}")
        decided = replace(offer, outcome=OfferOutcome.ACCEPTED, decided_at=now, decided_by=accepted_by)
        placement = self._to(_S.ACCEPTED, now, offers=(*self.offers[:-1], decided))
        return placement, [
            PlacementAccepted(self.id, self.request.case_id, now, offer.shelter_id, accepted_by)
        ]

    def decline(
        self, declined_by: str, reason: DeclineReason, now: datetime, note: str | None = None
    ) -> Transition:
        """The partner says no: back to matching without that shelter."""
        self._require(Action.DECLINE)
        if note is not None and len(note) > _MAX_NOTE:
            raise InvalidValue(f"decline note longer than {_MAX_NOTE} characters")
        offer = self.offers[-1]
        decided = replace(
            offer,
            outcome=OfferOutcome.DECLINED,
            decided_at=now,
            decided_by=declined_by,
            decline_reason=reason,
        )
        placement = self._back_to_matching(decided, now)
        event = PlacementDeclined(
            self.id, self.request.case_id, now, offer.shelter_id, declined_by, reason, offer.beds, note
        )
        return placement, [event]

    def expire(self, now: datetime) -> Transition:
        """No answer in time: back to matching without that shelter."""
        self._require(Action.EXPIRE)
        offer = self.offers[-1]
        if now < offer.expires_at:
            raise InvalidTransition(
                f"offer for placement {self.id} runs until {offer.expires_at.isoformat()}"
            )
        decided = replace(offer, outcome=OfferOutcome.EXPIRED, decided_at=now)
        placement = self._back_to_matching(decided, now)
        event = PlacementExpired(
            self.id, self.request.case_id, now, offer.shelter_id, offer.expires_at, offer.beds
        )
        return placement, [event]

    def confirm(self, arrive_by: datetime, now: datetime) -> Transition:
        """The shelter's reservation is confirmed: the beds are the person's."""
        self._require(Action.CONFIRM)
        offer = self.offers[-1]
        placement = self._to(_S.CONFIRMED, now, arrive_by=arrive_by)
        event = PlacementConfirmed(
            self.id, self.request.case_id, now, offer.shelter_id, offer.beds, arrive_by
        )
        return placement, [event]

    def check_in(self, now: datetime) -> Transition:
        self._require(Action.CHECK_IN)
        placement = self._to(_S.CHECKED_IN, now)
        return placement, [PlacementCheckedIn(self.id, self.request.case_id, now, self.offers[-1].shelter_id)]

    def check_out(self, now: datetime) -> Transition:
        self._require(Action.CHECK_OUT)
        offer = self.offers[-1]
        placement = self._to(_S.CHECKED_OUT, now)
        return placement, [
            PlacementCheckedOut(self.id, self.request.case_id, now, offer.shelter_id, offer.beds)
        ]

    def waitlist(self, position: int, reason: str, now: datetime) -> Transition:
        """No shelter can take the household now; it waits, visibly, in line."""
        self._require(Action.WAITLIST)
        if position < 1:
            raise InvalidValue("waitlist positions start at 1")
        placement = self._to(_S.WAITLISTED, now)
        event = PlacementWaitlisted(
            self.id, self.request.case_id, now, self.request.priority, position, reason
        )
        return placement, [event]

    def cancel(self, reason: CancelReason, now: datetime) -> Transition:
        self._require(Action.CANCEL)
        offers = self.offers
        shelter_id: str | None = None
        beds = BedCounts()
        if self.status in _HOLDING:
            offer = self.offers[-1]
            shelter_id, beds = offer.shelter_id, offer.beds
            if offer.outcome is OfferOutcome.PENDING:
                offers = (*offers[:-1], replace(offer, outcome=OfferOutcome.CANCELLED, decided_at=now))
        placement = self._to(_S.CANCELLED, now, offers=offers)
        return placement, [PlacementCancelled(self.id, self.request.case_id, now, reason, shelter_id, beds)]

    # -- internals -----------------------------------------------------------------------------

    def _require(self, action: Action) -> None:
        if not self.can(action):
            raise InvalidTransition(f"cannot {action} placement {self.id}: it is {self.status}")

    def _back_to_matching(self, decided: Offer, now: datetime) -> "Placement":
        return self._to(
            _S.REQUESTED,
            now,
            offers=(*self.offers[:-1], decided),
            excluded_shelters=self.excluded_shelters | {decided.shelter_id},
        )

    def _to(
        self,
        status: PlacementStatus,
        now: datetime,
        *,
        offers: tuple[Offer, ...] | None = None,
        excluded_shelters: frozenset[str] | None = None,
        arrive_by: datetime | None = None,
    ) -> "Placement":
        return replace(
            self,
            status=status,
            updated_at=now,
            offers=self.offers if offers is None else offers,
            excluded_shelters=self.excluded_shelters if excluded_shelters is None else excluded_shelters,
            arrive_by=self.arrive_by if arrive_by is None else arrive_by,
            version=self.version + 1,
        )
