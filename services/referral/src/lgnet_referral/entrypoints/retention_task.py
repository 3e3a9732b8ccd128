"""Runs the retention sweep in the background while the app is up, and audits each erasure."""

from __future__ import annotations

import asyncio
import contextlib

from lgnet_referral.application.erasure import RetentionSweeper
from lgnet_runtime.audit import Actor, AuditLog
from lgnet_runtime.logging import get_logger
from lgnet_runtime.mongo import UNAVAILABLE

log = get_logger(__name__)


class RetentionTask:
    def __init__(self, sweeper: RetentionSweeper, audit: AuditLog, *, interval_seconds: float) -> None:
        self._sweeper = sweeper
        self._audit = audit
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="retention-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # An erasure cut short is finished by the next sweep: the case stays due until marked.
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def sweep_once(self) -> int:
        report = await self._sweeper.sweep()
        for file in report.erased:
            await self._audit.record(
                Actor.system("retention"),
                "case.erased",
                resource_type="case",
                resource_id=file.case_id,
                municipality=file.municipality,
                case_id=file.case_id,
                details={"reason": "retention"},
            )
        if report.erased or report.failed:
            log.info("retention.swept", checked=report.checked, erased=len(report.erased))
        for case_id in report.failed:
            log.error("retention.case_not_erased", case_id=case_id)
        return len(report.erased)

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except UNAVAILABLE as exc:
                log.warning("retention.store_unavailable", error=type(exc).__name__)
            except Exception:
                log.exception("retention.sweep_failed")
            await asyncio.sleep(self._interval)
