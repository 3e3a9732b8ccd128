"""Seed data for a local system: partner shelters in several municipalities (idempotent).

Budgets need no seeding: the payments service loads each municipality's allocation from its
configuration at start-up.
"""

import json
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from .api import Api
from .local_env import LocalSystem


def seed_shelters() -> list[dict[str, Any]]:
    raw = json.loads(files("lgnet_cli.system").joinpath("data/shelters.json").read_text("utf-8"))
    shelters: list[dict[str, Any]] = raw["shelters"]
    return shelters


def seed_all(system: LocalSystem, echo: Callable[[str], None]) -> None:
    api = Api(system)
    created = existing = 0
    for shelter in seed_shelters():
        headers = api.headers("programme_coordinator", [shelter["municipality"]], subject="seed")
        answer = api.call("housing", "POST", "/shelters", headers, json=shelter, ok=(200, 201, 409))
        if answer.status_code == 409:
            existing += 1
        else:
            created += 1
    shelters = seed_shelters()
    places = len({s["municipality"] for s in shelters})
    echo(f"shelters: {created} new, {existing} already there ({len(shelters)} in {places} municipalities)")
