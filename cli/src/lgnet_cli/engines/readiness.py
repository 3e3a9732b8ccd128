"""Polling an engine until it answers a real request, failing fast when its process died."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from .process import log_tail
from .spec import EngineError

T = TypeVar("T")


def run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def wait_until(
    name: str, probe: Callable[[], bool], alive: Callable[[], bool], timeout: float, log_file: Path
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise EngineError(f"{name} exited while starting; last log lines:\n{log_tail(log_file)}")
        if probe():
            return
        if time.monotonic() > deadline:
            raise EngineError(
                f"{name} did not answer within {timeout:.0f}s; last log lines:\n{log_tail(log_file)}"
            )
        time.sleep(0.25)
