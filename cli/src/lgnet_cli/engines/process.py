"""Detached engine processes: own process group, log file, pid file, and signals by pid."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

# Popen objects of engines started by this interpreter, kept so they are reaped rather than left as zombies.
_children: dict[int, subprocess.Popen[bytes]] = {}


def spawn(command: list[str], cwd: Path, log_file: Path, pid_file: Path) -> int:
    cwd.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S%z')} starting: {' '.join(command)}\n".encode())
        log.flush()
        child = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _children[child.pid] = child
    pid_file.write_text(f"{child.pid}\n")
    return child.pid


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def is_alive(pid: int, marker: str) -> bool:
    """True when `pid` runs and its command line contains `marker` (a recycled pid does not count)."""
    child = _children.get(pid)
    if child is not None:
        # Our own child: poll() reaps it, and right after fork its cmdline is still Python's.
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process now holds the pid
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1]
    except (FileNotFoundError, IndexError):
        return True  # no /proc: trust the pid
    return marker in cmdline and not status.startswith("Z")


def send(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)  # the engine leads its own group (start_new_session)


def stop(pid: int, marker: str, timeout: float = 30.0) -> bool:
    """SIGTERM, wait up to `timeout`, then SIGKILL. Returns True when the process ended gracefully."""
    send(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid, marker):
            return True
        time.sleep(0.1)
    send(pid, signal.SIGKILL)
    wait_gone(pid, marker, 10.0)
    return False


def wait_gone(pid: int, marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while is_alive(pid, marker) and time.monotonic() < deadline:
        time.sleep(0.05)


def port_open(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
