"""A small HTTP client for the local services, acting with development tokens."""

import os
import time
from collections.abc import Iterable
from typing import Any

import httpx

from lgnet_runtime.devtokens import mint

from .local_env import LocalSystem


class Api:
    def __init__(self, system: LocalSystem) -> None:
        self._system = system
        self._key = system.signing_key()
        # Where the services are: the local defaults, or LGNET_<NAME>_URL (compose, a cluster).
        self._urls = {s.name: os.environ.get(f"{s.prefix}URL", s.url) for s in system.services}
        self._client = httpx.Client(timeout=15)

    def headers(
        self,
        role: str,
        municipalities: Iterable[str],
        *,
        subject: str | None = None,
        shelter_id: str | None = None,
    ) -> dict[str, str]:
        token = mint(
            self._key,
            subject=subject or f"demo-{role}",
            roles=[role],
            municipalities=municipalities,
            shelter_id=shelter_id,
        )
        return {"Authorization": f"Bearer {token}"}

    def call(
        self,
        service: str,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        ok: Iterable[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        answer = self._client.request(method, self._urls[service] + path, headers=headers, **kwargs)
        if answer.status_code not in set(ok):
            raise RuntimeError(
                f"{service} {method} {path} answered {answer.status_code}: {answer.text[:500]}"
            )
        return answer

    def poll(self, what: str, probe: Any, timeout: float = 30.0, every: float = 0.3) -> Any:
        """Call `probe` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(every)
        raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
