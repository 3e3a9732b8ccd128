"""Where a test session gets its engines: env vars, Docker containers, or the local engines."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from lgnet_cli import engines as local

Source = Literal["env", "containers", "local"]


@dataclass
class SessionEngines:
    kafka_bootstrap: str
    mongodb_uri: str
    source: Source
    close: Callable[[], None] = field(default=lambda: None, repr=False)


def docker_answers(timeout: float = 2.0) -> bool:
    """A quick ping of the Docker engine; False (not a hang) when there is none."""
    socket_path = "/var/run/docker.sock"
    if not os.environ.get("DOCKER_HOST") and not os.path.exists(socket_path):
        return False
    try:
        import docker

        client = docker.from_env(timeout=int(max(timeout, 1)))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def from_env() -> SessionEngines | None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    uri = os.environ.get("MONGODB_URI")
    if bootstrap and uri:
        return SessionEngines(bootstrap, uri, "env")
    return None


def from_containers() -> SessionEngines:
    try:  # newer testcontainers moved these modules and warn on the old path
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.mongodb import MongoDbContainer
    except ImportError:
        from testcontainers.kafka import KafkaContainer
        from testcontainers.mongodb import MongoDbContainer

    stack = contextlib.ExitStack()
    try:
        kafka = stack.enter_context(KafkaContainer().with_kraft())
        mongo = stack.enter_context(MongoDbContainer("mongo:7"))
        return SessionEngines(
            kafka.get_bootstrap_server(), mongo.get_connection_url(), "containers", stack.close
        )
    except BaseException:
        stack.close()
        raise


def from_local() -> SessionEngines:
    cfg = local.EngineConfig.from_env()
    already = {name for name in local.ENGINE_NAMES if local.is_running(name, cfg)}
    endpoints = local.ensure_engines(cfg)

    def close() -> None:
        # Leave running what the developer had running; stop what this session started.
        for name in local.ENGINE_NAMES:
            if name not in already:
                local.stop(name, cfg)

    return SessionEngines(endpoints.kafka_bootstrap, endpoints.mongodb_uri, "local", close)


@contextlib.contextmanager
def session_engines() -> Iterator[SessionEngines]:
    """`LGNET_TEST_ENGINES=env|containers|local` forces a source; otherwise the first that is available."""
    forced = os.environ.get("LGNET_TEST_ENGINES", "")
    if forced == "local":
        chosen = from_local()
    elif forced == "containers":
        chosen = from_containers()
    elif forced == "env":
        found = from_env()
        if found is None:
            raise RuntimeError("LGNET_TEST_ENGINES=env needs KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI")
        chosen = found
    else:
        chosen = from_env() or (from_containers() if docker_answers() else from_local())
    try:
        yield chosen
    finally:
        chosen.close()
