"""The whole system as separate processes on the session's engines, in a namespace of its own."""

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lgnet_cli.engines import EngineConfig
from lgnet_cli.system.local_env import LocalSystem
from lgnet_cli.system.processes import start_service, start_support, stop_all, wait_ready
from lgnet_cli.system.seed import seed_all
from lgnet_testing import leftovers
from lgnet_testing.sources import SessionEngines


@pytest.fixture(scope="session")
def system(engines: SessionEngines, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    unique = uuid.uuid4().hex[:8]
    running = LocalSystem(
        EngineConfig.from_env(),
        kafka_bootstrap=engines.kafka_bootstrap,
        mongodb_uri=engines.mongodb_uri,
        directory=Path(tmp_path_factory.mktemp("system")),
        port_offset=random.randrange(200, 2000, 10),
        namespace=f"e2e{unique}.",
    )
    leftovers.created(topic_prefix=running.namespace)
    for spec in running.services:
        leftovers.created(database=f"{spec.name}_{running.namespace.strip('.')}")
    lines: list[str] = []
    try:
        start_support(running, lines.append)
        for spec in running.services:
            start_service(running, spec, lines.append)
        for spec in running.services:
            wait_ready(running, spec)
        seed_all(running, lines.append)
        yield running
    finally:
        stop_all(running, lines.append)
