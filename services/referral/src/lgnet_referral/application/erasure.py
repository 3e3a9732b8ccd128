"""Erase a case's personal data (GDPR art. 17) by destroying its data key; retention does the same.

Order matters: the key is destroyed first, then the case is marked erased together with the
``case.erased`` event. A crash in between leaves a case whose data cannot be opened any more
but is not yet marked; asking again (or the next retention sweep) finishes it, and the other
services only hear of it once it is complete. What the programme counts (needs, priority,
amounts, the timeline of decisions) stays in the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from lgnet_contracts.events.cases import ErasureReason
from lgnet_referral.application.case_file import CaseFile, Erasure
from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.errors import CaseNotFoundError, ConcurrentUpdateError
from lgnet_referral.application.ports import CaseRepository, DataKeys, SaveOutcome
from lgnet_referral.domain.timeline import REFERRAL_SOURCE, TimelineEntry

MAX_ATTEMPTS = 5
RETENTION_ACTOR = "system:retention"


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    file: CaseFile
    # False: the case had been erased before; nothing was done again.
    erased_now: bool


class EraseCase:
    def __init__(self, repository: CaseRepository, keys: DataKeys, *, clock: Clock = utc_now) -> None:
        self._repository = repository
        self._keys = keys
        self._clock = clock

    async def __call__(
        self, case_id: str, scope: frozenset[str] | None, *, actor: str, reason: ErasureReason
    ) -> ErasureOutcome:
        """``scope`` None: any municipality (the service's own retention sweep)."""
        for _ in range(MAX_ATTEMPTS):
            file = await self._repository.get(case_id)
            if file is None or (scope is not None and file.municipality not in scope):
                raise CaseNotFoundError(case_id)
            if file.erasure is not None:
                return ErasureOutcome(file, erased_now=False)
            await self._keys.destroy(case_id)
            now = self._clock()
            file.case.record_external_event(
                TimelineEntry(
                    at=now,
                    source=REFERRAL_SOURCE,
                    event_type="case.erased",
                    summary=f"Personal data erased ({reason})",
                ),
                takes_charge=False,
            )
            erasure = Erasure(erased_at=now, erased_by=actor, reason=reason)
            outcome = await self._repository.erase(file, erasure)
            if outcome is SaveOutcome.SAVED:
                return ErasureOutcome(file, erased_now=True)
            if outcome is SaveOutcome.NOT_FOUND:
                raise CaseNotFoundError(case_id)
        raise ConcurrentUpdateError(f"case {case_id} kept changing; try again")


@dataclass(frozen=True, slots=True)
class RetentionReport:
    checked: int
    erased: tuple[CaseFile, ...]
    failed: tuple[str, ...] = ()


class RetentionSweeper:
    """Anonymises cases closed longer ago than the retention period, the longest closed first."""

    def __init__(
        self,
        repository: CaseRepository,
        erase: EraseCase,
        *,
        retain_for: timedelta,
        clock: Clock = utc_now,
        batch_size: int = 200,
    ) -> None:
        self._repository = repository
        self._erase = erase
        self._retain_for = retain_for
        self._clock = clock
        self._batch_size = batch_size

    async def sweep(self) -> RetentionReport:
        due: Sequence[str] = await self._repository.closed_before(
            self._clock() - self._retain_for, self._batch_size
        )
        erased: list[CaseFile] = []
        failed: list[str] = []
        for case_id in due:
            try:
                outcome = await self._erase(
                    case_id, None, actor=RETENTION_ACTOR, reason=ErasureReason.RETENTION
                )
            except (CaseNotFoundError, ConcurrentUpdateError, ValueError, KeyError):
                # One case that cannot be erased now must not hold back the others; it stays due.
                failed.append(case_id)
                continue
            if outcome.erased_now:
                erased.append(outcome.file)
        return RetentionReport(checked=len(due), erased=tuple(erased), failed=tuple(failed))
