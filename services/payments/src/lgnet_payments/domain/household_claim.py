"""At most one grant per household in the window, enforced by one small document per household.

Reading "has this household had a grant?" and then approving is a race: two grants of one
household decided at the same moment both read "no" and both get paid. So a grant must hold
its household's *claim* before it may be approved, and taking it is ONE conditional atomic
write on a document whose id is the household key::

    filter = {"_id": household_key,
              "$or": [{"grant_id": request.grant_id},             # already this grant's
                      {"released_at": {"$ne": None}},             # given back
                      {"claimed_at": {"$lte": request.lapsed_at}},  # older than the window
                      {"grant_id": request.replacing}]}           # its holder is final (when set)
    update = {"$set": {"grant_id": ..., "claimed_at": request.at, "released_at": None}}
    upsert = True   # no document: the claim is free and the insert takes it

When a live claim of another grant exists the filter matches nothing and the upsert's insert
collides on ``_id``: the claim is lost. ``ClaimRequest.admits`` is the same rule in memory.

The claim is taken with the approval's own time, so for an approved grant ``claimed_at`` is its
``granted_at`` and the window lapses exactly when the eligibility rule stops counting it:
``now - granted_at < window`` blocks. The household key is a peppered hash, never a fiscal code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from lgnet_payments.domain.moments import is_aware


class HouseholdClaimError(Exception):
    """A claim was asked for with values that cannot decide anything."""


def _require_aware(at: datetime) -> None:
    if not is_aware(at):
        raise HouseholdClaimError("claim times must be timezone-aware")


@dataclass(frozen=True, slots=True)
class HouseholdClaim:
    household_key: str
    grant_id: str
    # When the holder took it: its approval time once the approval landed.
    claimed_at: datetime
    released_at: datetime | None = None

    @property
    def released(self) -> bool:
        return self.released_at is not None

    def held_by(self, grant_id: str) -> bool:
        return self.grant_id == grant_id and not self.released

    def release(self, grant_id: str, at: datetime) -> HouseholdClaim | None:
        """The claim given back by its holder; None when this grant does not hold it (nothing to do)."""
        _require_aware(at)
        return replace(self, released_at=at) if self.held_by(grant_id) else None


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """A grant asking for its household's claim at ``at``, under its municipality's window."""

    household_key: str
    grant_id: str
    at: datetime
    window: timedelta
    # A grant seen final (rejected, cancelled, returned) that still holds the claim: a crash
    # came between its final write and the release. A final grant is never approved again.
    replacing: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.at)
        if self.window <= timedelta(0):
            raise HouseholdClaimError("the household window must be positive")
        if not self.household_key or not self.grant_id:
            raise HouseholdClaimError("a claim needs a household key and a grant id")

    @property
    def lapsed_at(self) -> datetime:
        """A claim taken at or before this instant no longer blocks anyone."""
        return self.at - self.window

    def admits(self, current: HouseholdClaim | None) -> bool:
        """True when this grant may hold the claim now (the write's filter, in memory)."""
        if current is None or current.released or current.grant_id == self.grant_id:
            return True
        # A claim dated after ``at`` (clock skew) still blocks: the safe side.
        if current.claimed_at <= self.lapsed_at:
            return True
        return self.replacing is not None and current.grant_id == self.replacing

    def taken(self) -> HouseholdClaim:
        return HouseholdClaim(self.household_key, self.grant_id, self.at)

    def replacing_holder(self, holder: str) -> ClaimRequest:
        return replace(self, replacing=holder)
