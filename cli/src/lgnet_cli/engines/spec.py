"""What the manager needs to know about one engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from .config import EngineConfig


class EngineError(RuntimeError):
    pass


class Engine(Protocol):
    name: str
    cfg: EngineConfig

    @property
    def home(self) -> Path:
        """The engine's folder in the data dir: its data, log file and pid file."""

    @property
    def marker(self) -> str:
        """A string only this engine's command line contains, to tell it from a recycled pid."""

    @property
    def endpoint(self) -> str: ...

    @property
    def ports(self) -> tuple[int, ...]: ...

    def prepare(self) -> list[str]:
        """Resolve jars, write config, format storage when new; return the command that runs the engine."""

    def probe(self) -> bool:
        """One real request: True when the engine answers it."""

    def wait_ready(self, alive: Callable[[], bool], timeout: float) -> None: ...
