"""Starting, stopping and inspecting the local engines; one lock so concurrent callers do not race."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import process
from .config import EngineConfig
from .kafka import KafkaEngine
from .mongo import MongoEngine
from .spec import Engine, EngineError

ENGINE_NAMES = ("kafka", "mongo")
READY_TIMEOUT = {"kafka": 60.0, "mongo": 60.0}
Echo = Callable[[str], None]


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    mongodb_uri: str


@dataclass(frozen=True)
class EngineStatus:
    name: str
    pid: int | None
    running: bool
    answering: bool
    endpoint: str


def _quiet(_: str) -> None:
    pass


def engine(name: str, cfg: EngineConfig) -> Engine:
    if name == "kafka":
        return KafkaEngine(cfg)
    if name == "mongo":
        return MongoEngine(cfg)
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}")


def endpoints(cfg: EngineConfig) -> Endpoints:
    return Endpoints(kafka_bootstrap=cfg.kafka_bootstrap, mongodb_uri=cfg.mongodb_uri)


@contextlib.contextmanager
def _locked(cfg: EngineConfig) -> Iterator[None]:
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    with (cfg.data_dir / "engines.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pid(eng: Engine) -> int | None:
    pid = process.read_pid(eng.home / f"{eng.name}.pid")
    return pid if pid is not None and process.is_alive(pid, eng.marker) else None


def is_running(name: str, cfg: EngineConfig | None = None) -> bool:
    return _pid(engine(name, cfg or EngineConfig.from_env())) is not None


def _busy_ports(eng: Engine, wait: float) -> list[int]:
    """Ports still held, after waiting up to `wait` seconds (a killed JVM closes its sockets late)."""
    deadline = time.monotonic() + wait
    while True:
        busy = [port for port in eng.ports if process.port_open(eng.cfg.host, port)]
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.1)


def _launch(eng: Engine, echo: Echo) -> int | None:
    """Spawn the engine unless it runs; the pid to wait for, or None when it already answers."""
    pid = _pid(eng)
    if pid is not None:
        if eng.probe():
            echo(f"{eng.name}: already running (pid {pid})")
            return None
        return pid  # still starting, or hung: wait_ready decides
    busy = _busy_ports(eng, wait=10.0)
    if busy:
        raise EngineError(
            f"{eng.name}: port(s) {busy} already in use by another process; "
            f"stop it or choose other ports (LGNET_KAFKA_PORT, LGNET_MONGO_PORT)"
        )
    command = eng.prepare()
    echo(f"{eng.name}: starting")
    return process.spawn(command, eng.home, eng.home / f"{eng.name}.log", eng.home / f"{eng.name}.pid")


def _await_ready(eng: Engine, pid: int, echo: Echo) -> None:
    eng.wait_ready(lambda: process.is_alive(pid, eng.marker), READY_TIMEOUT[eng.name])
    echo(f"{eng.name}: ready (pid {pid}) at {eng.endpoint}")


def _start_all(names: tuple[str, ...], cfg: EngineConfig, echo: Echo) -> None:
    """Launch every engine first, then wait for each: the JVMs start side by side."""
    launched = [(eng, _launch(eng, echo)) for eng in (engine(name, cfg) for name in names)]
    for eng, pid in launched:
        if pid is not None:
            _await_ready(eng, pid, echo)


def start(name: str, cfg: EngineConfig | None = None, echo: Echo = _quiet) -> None:
    """Start one engine on its data dir (keeping data) and wait until it answers; no-op when it does."""
    cfg = cfg or EngineConfig.from_env()
    with _locked(cfg):
        _start_all((name,), cfg, echo)


def stop(name: str, cfg: EngineConfig | None = None, echo: Echo = _quiet) -> None:
    """SIGTERM and wait (SIGKILL when it does not end in time)."""
    cfg = cfg or EngineConfig.from_env()
    with _locked(cfg):
        eng = engine(name, cfg)
        pid = _pid(eng)
        if pid is None:
            echo(f"{name}: not running")
            return
        graceful = process.stop(pid, eng.marker)
        _busy_ports(eng, wait=10.0)
        echo(f"{name}: stopped (pid {pid}{'' if graceful else ', killed after timeout'})")


def kill(name: str, sig: signal.Signals = signal.SIGKILL, cfg: EngineConfig | None = None) -> None:
    """Send `sig` to a running engine (SIGKILL by default, to simulate a crash) and wait until it is gone."""
    cfg = cfg or EngineConfig.from_env()
    eng = engine(name, cfg)
    pid = _pid(eng)
    if pid is None:
        raise EngineError(f"{name} is not running")
    process.send(pid, sig)
    if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
        process.wait_gone(pid, eng.marker, 30.0)
        _busy_ports(eng, wait=30.0)


def up(cfg: EngineConfig | None = None, echo: Echo = _quiet) -> Endpoints:
    cfg = cfg or EngineConfig.from_env()
    with _locked(cfg):
        _start_all(ENGINE_NAMES, cfg, echo)
    return endpoints(cfg)


def down(cfg: EngineConfig | None = None, wipe: bool = False, echo: Echo = _quiet) -> None:
    cfg = cfg or EngineConfig.from_env()
    for name in ENGINE_NAMES:
        stop(name, cfg, echo)
    if wipe and cfg.data_dir.exists():
        shutil.rmtree(cfg.data_dir)
        echo(f"wiped {cfg.data_dir}")


def status(cfg: EngineConfig | None = None) -> list[EngineStatus]:
    cfg = cfg or EngineConfig.from_env()
    result = []
    for name in ENGINE_NAMES:
        eng = engine(name, cfg)
        pid = _pid(eng)
        answering = pid is not None and eng.probe()
        result.append(EngineStatus(name, pid, pid is not None, answering, eng.endpoint))
    return result


def ensure_engines(cfg: EngineConfig | None = None, echo: Echo = _quiet) -> Endpoints:
    """The endpoints of the local engines, starting whichever is not running yet."""
    return up(cfg, echo)
