"""A world: records seeded in one service, and for each route the request that exercises a matrix cell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth

from ..conftest import MILANO, ROMA, RouteRule, Running


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Must appear in the own answer and never in the other one ("filtered" routes).
    marker: str | None = None


Builder = Callable[[RouteRule, Role, str], Awaitable[Call]]


class World:
    service = ""
    # Personal values seeded in this world: shown only to the matrix's `personal_data` roles.
    personal: tuple[str, ...] = ()

    def __init__(self, running: Running, auth: DevAuth) -> None:
        self.running = running
        self.client: httpx.AsyncClient = running.client
        self.auth = auth
        self.own_shelter = "sh-none"
        self.other_shelter = "sh-other"

    def headers(self, role: Role, side: str, *, subject: str | None = None) -> dict[str, str]:
        municipalities = (ROMA,) if side == "own" else (MILANO,)
        shelter = self.own_shelter if side == "own" else self.other_shelter
        return self.auth.headers(
            role,
            municipalities,
            subject=subject or f"{role}-{side}",
            shelter_id=shelter if role is Role.SHELTER_PARTNER else None,
        )

    def builders(self) -> dict[tuple[str, str], Builder]:
        raise NotImplementedError

    async def call_for(self, rule: RouteRule, role: Role, side: str) -> Call:
        builder = self.builders()[(rule.method, rule.path)]
        return await builder(rule, role, side)

    @staticmethod
    def runs(rule: RouteRule, role: Role, side: str) -> bool:
        """True when the request will reach the handler: a fresh record is worth creating."""
        return role in rule.roles and side == "own"
