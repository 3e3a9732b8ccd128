"""The SLA watchdog's sweep: publish one breach per (priority, deadline) for late cases with a need unmet.

Exactly once across restarts and instances: the breach record and its event are one write
guarded by the case's version, so of two instances deciding the same breach only one write
lands; the loser reloads, sees the breach recorded, and does nothing. A crash before the
write leaves the case due, so the next sweep (of any instance) finds it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgnet_referral.application.clock import Clock, utc_now
from lgnet_referral.application.ports import CaseRepository, SaveOutcome
from lgnet_referral.domain.sla import breach_due

MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class SweepReport:
    checked: int
    breached: tuple[str, ...]
    # Cases whose stored state could not be read or decided on; the others were still swept.
    failed: tuple[str, ...] = ()


class SlaWatchdog:
    def __init__(self, repository: CaseRepository, *, clock: Clock = utc_now, batch_size: int = 200) -> None:
        self._repository = repository
        self._clock = clock
        self._batch_size = batch_size

    async def sweep(self) -> SweepReport:
        now = self._clock()
        due = await self._repository.due_for_sla_check(now, self._batch_size)
        breached: list[str] = []
        failed: list[str] = []
        for case_id in due:
            try:
                if await self._check(case_id):
                    breached.append(case_id)
            except (ValueError, KeyError, TypeError):
                # Bad data in one case (DomainError is a ValueError) must not starve the others.
                failed.append(case_id)
        return SweepReport(checked=len(due), breached=tuple(breached), failed=tuple(failed))

    async def _check(self, case_id: str) -> bool:
        for _ in range(MAX_ATTEMPTS):
            now = self._clock()
            file = await self._repository.get(case_id)
            if file is None:
                return False
            due = breach_due(file.case, now)
            if due is None:
                # Found by a stale check time (written by an older version, or the clock moved
                # back): writing the case again recomputes it, so it cannot clog the front of
                # the queue forever. A conflict means someone else rewrote it already.
                await self._repository.save(file, ())
                return False
            events = file.case.record_sla_breach(priority=due.priority, deadline=due.deadline, at=now)
            outcome = await self._repository.save(file, events)
            if outcome is SaveOutcome.SAVED:
                return True
            if outcome is SaveOutcome.NOT_FOUND:
                return False
        return False
