"""What the use cases need from storage; the Mongo adapter and the unit tests' fakes provide it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from lgnet_referral.application.case_file import CaseFile, Erasure
from lgnet_referral.domain.case_status import CaseStatus
from lgnet_referral.domain.duplicates import DuplicateCandidate, LookupKeys
from lgnet_referral.domain.events import CaseEvent
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.sla import SlaState


class SaveOutcome(StrEnum):
    SAVED = "saved"
    # Someone else changed the case since it was loaded: load it again and decide again.
    CONFLICT = "conflict"
    # The event that caused this change was applied before (a redelivery).
    ALREADY_HANDLED = "already_handled"
    NOT_FOUND = "not_found"


class CaseRepository(Protocol):
    async def add(self, file: CaseFile, events: Sequence[CaseEvent]) -> SaveOutcome:
        """Store a new case and the events it caused, in one write; CONFLICT, and nothing written,
        if a case with its id exists already."""

    async def get(self, case_id: str, *, open_personal: bool = False) -> CaseFile | None: ...

    async def save(
        self, file: CaseFile, events: Sequence[CaseEvent], *, handled: str | None = None
    ) -> SaveOutcome:
        """Write the case and its events in one write if it is still at ``file.case.version``;
        on success the version moves on."""

    async def duplicate_candidates(
        self, municipality: str, keys: LookupKeys, since: datetime
    ) -> Sequence[DuplicateCandidate]:
        """Open cases of the municipality reported since ``since`` sharing at least one key."""

    async def due_for_sla_check(self, now: datetime, limit: int) -> Sequence[str]:
        """Ids of cases whose next SLA check is before ``now``, the oldest first."""

    async def erase(self, file: CaseFile, erasure: Erasure) -> SaveOutcome:
        """Mark the case erased (no lookup keys, no personal data, no report fingerprints) and
        publish the erasure, in one write, if it is still at ``file.case.version``."""

    async def closed_before(self, cutoff: datetime, limit: int) -> Sequence[str]:
        """Ids of cases closed before ``cutoff`` and not erased yet, the longest closed first."""


class DataKeys(Protocol):
    """The per-case data keys: destroying one makes the case's sealed personal data unreadable."""

    async def destroy(self, case_id: str) -> datetime: ...


@dataclass(frozen=True, slots=True)
class CaseQuery:
    municipalities: frozenset[str]
    now: datetime
    status: CaseStatus | None = None
    priority: Priority | None = None
    sla_state: SlaState | None = None
    page: int = 1
    page_size: int = 20
    due_soon_within: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CasePage:
    items: Sequence[CaseFile]
    total: int
    page: int
    page_size: int


class CaseQueries(Protocol):
    async def search(self, query: CaseQuery) -> CasePage:
        """Cases without personal data or timeline, newest report first."""
