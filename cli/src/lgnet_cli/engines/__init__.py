"""Real local engines (Kafka in KRaft mode, a MongoDB-wire server) run from jars cached outside the repo."""

from .config import EngineConfig
from .manager import (
    ENGINE_NAMES,
    Endpoints,
    EngineStatus,
    down,
    endpoints,
    ensure_engines,
    is_running,
    kill,
    start,
    status,
    stop,
    up,
)
from .spec import EngineError

__all__ = [
    "ENGINE_NAMES",
    "Endpoints",
    "EngineConfig",
    "EngineError",
    "EngineStatus",
    "down",
    "endpoints",
    "ensure_engines",
    "is_running",
    "kill",
    "start",
    "status",
    "stop",
    "up",
]
