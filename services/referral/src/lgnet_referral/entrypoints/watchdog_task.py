"""Runs the SLA watchdog's sweep in the background while the app is up."""

from __future__ import annotations

import asyncio
import contextlib

from lgnet_referral.application.sla_watchdog import SlaWatchdog
from lgnet_runtime.logging import get_logger
from lgnet_runtime.mongo import UNAVAILABLE

log = get_logger(__name__)


class WatchdogTask:
    def __init__(self, watchdog: SlaWatchdog, *, interval_seconds: float) -> None:
        self._watchdog = watchdog
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sla-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # A sweep cut short loses nothing: each breach is written whole or not at all.
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                report = await self._watchdog.sweep()
                if report.breached or report.failed:
                    log.info("sla.swept", checked=report.checked, breached=len(report.breached))
                for case_id in report.failed:
                    log.error("sla.case_unreadable", case_id=case_id)
            except UNAVAILABLE as exc:
                log.warning("sla.store_unavailable", error=type(exc).__name__)
            except Exception:
                # One bad case must not stop the watchdog for every other case.
                log.exception("sla.sweep_failed")
            await asyncio.sleep(self._interval)
