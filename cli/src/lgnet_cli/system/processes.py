"""Start, watch and stop the local service processes (each its own process group, log and pid file)."""

import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from ..engines import process
from .local_env import DEV_CALLBACK_TOKEN, HOST, LocalSystem, ServiceSpec

Echo = Callable[[str], None]


def _pid_file(system: LocalSystem, name: str) -> Path:
    return system.root / f"{name}.pid"


def _marker(name: str) -> str:
    return name if name.startswith("lgnet_") else f"lgnet_{name}"


def running(system: LocalSystem, name: str) -> int | None:
    pid = process.read_pid(_pid_file(system, name))
    return pid if pid is not None and process.is_alive(pid, _marker(name)) else None


def _spawn(system: LocalSystem, name: str, command: list[str], env: dict[str, str]) -> int:
    import subprocess

    system.logs.mkdir(parents=True, exist_ok=True)
    log_file = system.logs / f"{name}.log"
    with log_file.open("ab") as log:
        child = subprocess.Popen(
            command,
            cwd=system.engines.repo_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process._children[child.pid] = child
    _pid_file(system, name).write_text(f"{child.pid}\n")
    return child.pid


def start_support(system: LocalSystem, echo: Echo) -> None:
    """The mail catcher and the fake SMS / App IO gateways that stand in for real providers."""
    env = system.service_env(system.services[-1])
    if running(system, "lgnet_cli.system.mailcatcher") is None:
        _spawn(
            system,
            "lgnet_cli.system.mailcatcher",
            [
                sys.executable,
                "-m",
                "lgnet_cli.system.mailcatcher",
                "--port",
                str(system.smtp_port),
                "--dir",
                str(system.mail_dir),
            ],
            env,
        )
        echo(f"mail catcher      smtp://{HOST}:{system.smtp_port}  (messages in {system.mail_dir})")
    if running(system, "lgnet_notifications.fakes") is None:
        notifications = system.services[-1]
        command = [
            sys.executable,
            "-m",
            "lgnet_notifications.fakes",
            "--host",
            HOST,
            "--sms-port",
            str(system.gateways_port),
            "--app-io-port",
            str(system.gateways_port + 1),
            "--callback-token",
            DEV_CALLBACK_TOKEN,
            "--inbound-url",
            f"{notifications.url}/callbacks/sms/inbound",
        ]
        _spawn(system, "lgnet_notifications.fakes", command, env)
        echo(f"fake SMS gateway  http://{HOST}:{system.gateways_port}")
        echo(f"fake App IO       http://{HOST}:{system.gateways_port + 1}")


def start_service(system: LocalSystem, spec: ServiceSpec, echo: Echo) -> None:
    if running(system, spec.module) is not None:
        echo(f"{spec.name:<17} already running at {spec.url}")
        return
    _spawn(system, spec.module, [sys.executable, "-m", spec.module], system.service_env(spec))
    echo(f"{spec.name:<17} starting at {spec.url}")


def wait_ready(system: LocalSystem, spec: ServiceSpec, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if running(system, spec.module) is None:
            raise RuntimeError(
                f"{spec.name} exited; its log says:\n{process.log_tail(system.logs / f'{spec.module}.log')}"
            )
        try:
            answer = httpx.get(f"{spec.url}/readyz", timeout=2)
            if answer.status_code == 200:
                return
            last = answer.text
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.3)
    raise RuntimeError(f"{spec.name} not ready after {timeout:.0f}s ({last}); see {system.logs}")


def stop_all(system: LocalSystem, echo: Echo) -> None:
    names = [s.module for s in system.services] + [
        "lgnet_notifications.fakes",
        "lgnet_cli.system.mailcatcher",
    ]
    for name in names:
        pid = running(system, name)
        if pid is not None:
            graceful = process.stop(pid, _marker(name), timeout=30)
            echo(f"stopped {name}{'' if graceful else ' (killed after 30s)'}")
        _pid_file(system, name).unlink(missing_ok=True)
