"""A periodic background task that survives its own failures (the next tick tries again)."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(self, name: str, step: Callable[[], Awaitable[Any]], interval_seconds: float) -> None:
        self._name = name
        self._step = step
        self._interval = interval_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                result = await self._step()
                log.debug(f"{self._name}.done", result=repr(result))
            except Exception as exc:
                log.warning(f"{self._name}.failed", error=type(exc).__name__, detail=str(exc)[:300])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._stopping.wait()
