"""The case timeline: every event about a case, from this and the other services, in time order."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lgnet_referral.domain.utc import require_utc
from lgnet_referral.domain.vulnerability import Need

REFERRAL_SOURCE = "referral"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    # The service that caused it: "referral", "housing", "payments", "notifications".
    source: str
    event_type: str
    summary: str
    # Ids to follow the story elsewhere, e.g. (("placement_id", "pl-9"), ("shelter_id", "sh-2")).
    refs: tuple[tuple[str, str], ...] = ()
    # The id of the event this entry records, so a redelivered event is not appended twice.
    event_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", require_utc(self.at, "timeline entry time"))


def insert_in_order(timeline: list[TimelineEntry], entry: TimelineEntry) -> None:
    """Events from other services can arrive late; keep the story in time order (ties: arrival)."""
    bisect.insort_right(timeline, entry, key=lambda item: item.at)


class Milestone(StrEnum):
    """What another service's event means for the case's needs (mapped by the adapters)."""

    PLACEMENT_CONFIRMED = "placement_confirmed"
    PLACEMENT_CHECKED_IN = "placement_checked_in"
    # The bed fell through or the stay ended early: the family may be outside again.
    PLACEMENT_CANCELLED = "placement_cancelled"
    GRANT_APPROVED = "grant_approved"
    GRANT_PAID = "grant_paid"

    @property
    def need_met(self) -> Need | None:
        return _MEETS.get(self)

    @property
    def need_reopened(self) -> Need | None:
        return Need.SHELTER_TONIGHT if self is Milestone.PLACEMENT_CANCELLED else None


_MEETS: dict[Milestone, Need] = {
    Milestone.PLACEMENT_CONFIRMED: Need.SHELTER_TONIGHT,
    Milestone.PLACEMENT_CHECKED_IN: Need.SHELTER_TONIGHT,
    Milestone.GRANT_APPROVED: Need.ECONOMIC_HARDSHIP,
    # Normally approval came first; a paid grant without one still meets the need.
    Milestone.GRANT_PAID: Need.ECONOMIC_HARDSHIP,
}
