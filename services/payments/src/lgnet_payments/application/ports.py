"""What the use cases need from storage; the Mongo adapters and the unit tests' fakes provide it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from lgnet_contracts import Envelope
from lgnet_payments.application.records import BatchRecord, GrantFile, GrantRequestOpened
from lgnet_payments.domain.budget import Budget, BudgetEvent, BudgetWrite
from lgnet_payments.domain.eligibility import PreviousGrant
from lgnet_payments.domain.grant import GrantEvent
from lgnet_payments.domain.household_claim import ClaimRequest, HouseholdClaim

Clock = Callable[[], datetime]
GrantChange = GrantEvent | GrantRequestOpened
# The event that caused a change, when one did: its id marks the change as handled.
Cause = Envelope[Any]


class SaveOutcome(StrEnum):
    SAVED = "saved"
    # Someone else changed the record since it was loaded: load it again and decide again.
    CONFLICT = "conflict"
    # The event that caused this change was applied before (a redelivery).
    ALREADY_HANDLED = "already_handled"
    NOT_FOUND = "not_found"


class GrantRepository(Protocol):
    async def add(
        self, file: GrantFile, events: Sequence[GrantChange], *, cause: Cause | None = None
    ) -> SaveOutcome:
        """Store a new request and its events in one write; a taken id answers CONFLICT
        (or ALREADY_HANDLED when ``cause`` created it)."""

    async def get(self, grant_id: str) -> GrantFile | None: ...

    async def status_of(self, grant_id: str) -> str | None:
        """The status alone, nothing personal opened; None when there is no such grant."""

    async def save(self, file: GrantFile, events: Sequence[GrantChange]) -> SaveOutcome:
        """Write the grant and its events if it is still at ``file.version``; the version moves on."""

    async def open_request_for_case(self, case_id: str) -> str | None:
        """The id of a request of this case that is still undecided, if any."""

    async def previous_grants(self, household_key: str, *, excluding: str) -> Sequence[PreviousGrant]:
        """Grants already given to this household (approved or later, not returned)."""

    async def approved(self, municipality: str, limit: int) -> Sequence[GrantFile]:
        """Approved grants of a municipality not yet in a batch, oldest approval first."""

    async def in_batch(self, batch_id: str) -> Sequence[GrantFile]: ...

    async def ids_for_case(self, case_id: str) -> Sequence[str]:
        """Every grant of the case, whatever its status."""

    async def search(
        self, municipalities: frozenset[str], status: str | None, limit: int
    ) -> Sequence[GrantFile]: ...

    async def status_counts(self, municipalities: frozenset[str]) -> dict[str, dict[str, int]]:
        """Per municipality, how many grants in each status."""

    async def budget_holdings(self, municipality: str) -> dict[str, tuple[str, int]]:
        """Per grant id: (status, amount) of every grant that was ever approved."""


class BudgetRepository(Protocol):
    async def get(self, municipality: str) -> Budget | None: ...

    async def create(self, budget: Budget, events: Sequence[BudgetEvent]) -> bool:
        """Store a new budget; False when it exists already."""

    async def apply(self, municipality: str, write: BudgetWrite, events: Sequence[BudgetEvent]) -> bool:
        """One conditional atomic update; False when the guard no longer holds."""

    async def all(self, municipalities: frozenset[str]) -> Sequence[Budget]: ...

    async def stored_available_cents(self, municipality: str) -> int | None:
        """The redundant ``available`` counter the guards test, to check it against the others."""


class HouseholdClaimRepository(Protocol):
    async def take(self, request: ClaimRequest) -> bool:
        """One conditional upsert: True when the grant holds the claim now (``request.admits`` held)."""

    async def get(self, household_key: str) -> HouseholdClaim | None: ...

    async def release(self, household_key: str, grant_id: str, at: datetime) -> bool:
        """Mark the claim released if this grant holds it; False when it did not (nothing changes)."""

    async def forget(self, grant_id: str) -> int:
        """Erasure: delete every claim this grant holds or held, so no household key stays linked to it."""


class BatchRepository(Protocol):
    async def add(self, record: BatchRecord) -> bool:
        """Store a new batch; False when the id is taken."""

    async def get(self, batch_id: str) -> BatchRecord | None: ...

    async def save(self, record: BatchRecord) -> SaveOutcome: ...

    async def assembling(self, municipality: str) -> Sequence[BatchRecord]: ...

    async def ids_starting_with(self, prefix: str) -> Sequence[str]: ...
