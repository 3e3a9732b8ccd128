"""The household claim as the use cases drive it: taken before an approval, given back after the final write.

Like the budget reservation, the claim is taken *before* the budget and the approval write and
given back only *after* the write that makes the grant stop needing it (rejected, cancelled,
returned, or an approval that did not land). A crash in between leaves a claim held by a
grant that no longer needs it: the next grant of the household that finds it looks at the
holder (by id) and, when it is final, takes the claim over in the same single write.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lgnet_payments.application.ports import Clock, GrantRepository, HouseholdClaimRepository
from lgnet_payments.domain.grant import FINAL_STATUSES, Grant
from lgnet_payments.domain.household_claim import ClaimRequest

FINAL = frozenset(s.value for s in FINAL_STATUSES)


class HouseholdClaims:
    def __init__(self, claims: HouseholdClaimRepository, grants: GrantRepository, clock: Clock) -> None:
        self._claims = claims
        self._grants = grants
        self._clock = clock

    async def take(self, grant: Grant, at: datetime, window_days: int) -> bool:
        """True when ``grant`` holds its household's claim (taken now, or already its own)."""
        request = ClaimRequest(grant.household_key, grant.grant_id, at, timedelta(days=window_days))
        if await self._claims.take(request):
            return True
        current = await self._claims.get(grant.household_key)
        if current is None or request.admits(current):
            # Given back meanwhile, or two attempts of this grant raced on the first insert.
            return await self._claims.take(request)
        # A holder not stored yet may be a request being created: only a final one gives way.
        if await self._grants.status_of(current.grant_id) in FINAL:
            return await self._claims.take(request.replacing_holder(current.grant_id))
        return False

    async def release(self, grant: Grant) -> None:
        """After the write that made ``grant`` stop needing it; nothing when it does not hold it."""
        await self._claims.release(grant.household_key, grant.grant_id, self._clock())

    async def forget(self, grant_id: str) -> None:
        """After a grant's personal data was erased: its household key goes from the claims too."""
        await self._claims.forget(grant_id)
