"""Crash and restart the local engines from a test."""

from __future__ import annotations

import asyncio
import signal

from lgnet_cli import engines as local


class LocalEngines:
    """Kill -9, stop and start the local Kafka broker or MongoDB-wire server; data dirs are kept."""

    def __init__(self, cfg: local.EngineConfig) -> None:
        self.cfg = cfg

    def kill(self, engine: str, sig: signal.Signals = signal.SIGKILL) -> None:
        local.kill(engine, sig, self.cfg)

    def stop(self, engine: str) -> None:
        local.stop(engine, self.cfg)

    def start(self, engine: str) -> None:
        local.start(engine, self.cfg)

    def is_running(self, engine: str) -> bool:
        return bool(local.is_running(engine, self.cfg))

    async def crash_and_restart(self, engine: str) -> None:
        """kill -9, then start on the same data dir; the start runs in a thread to keep the loop free."""
        self.kill(engine)
        await asyncio.to_thread(self.start, engine)

    async def restart(self, engine: str) -> None:
        """Graceful stop (SIGTERM), then start on the same data dir."""
        await asyncio.to_thread(self.stop, engine)
        await asyncio.to_thread(self.start, engine)
