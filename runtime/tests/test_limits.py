"""Limits of `create_http_app`: body size (413), rate per client (429), and a 500 that leaks nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from structlog.testing import capture_logs

from lgnet_runtime.auth import Principal, authenticated
from lgnet_runtime.devtokens import generate_key_pair
from lgnet_runtime.http import create_http_app
from lgnet_runtime.limits import BodySizeLimit, TokenBuckets
from lgnet_runtime.service import ServiceRuntime
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import isolated_settings

from .conftest import ProbeSettings

pytestmark = pytest.mark.engines

LIMIT = 4096
PERSONAL = "Zainab Okonkwo-Haddad +393331234567"


class Note(BaseModel):
    text: str


@pytest.fixture
def settings(kafka_bootstrap: str, mongo_uri: str, unique_name: str, dev_auth: DevAuth) -> ProbeSettings:
    return isolated_settings(
        ProbeSettings,
        kafka_bootstrap,
        mongo_uri,
        unique_name,
        **dev_auth.settings,
        max_request_bytes=LIMIT,
        rate_limit_per_minute=60,
        rate_limit_burst=3,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def client(runtime: ServiceRuntime) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """A tiny service on the real engines; `calls` records which handlers actually ran."""
    calls: list[str] = []
    router = APIRouter()
    current = authenticated(runtime.settings.token_verifier())

    @router.post("/notes")
    async def add_note(note: Note) -> dict[str, int]:
        calls.append("notes")
        return {"length": len(note.text)}

    @router.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        calls.append("raw")
        return {"length": len(await request.body())}

    @router.get("/me")
    async def me(principal: Principal = Depends(current)) -> dict[str, str]:
        return {"subject": principal.subject}

    @router.get("/open")
    async def open_route() -> dict[str, str]:
        return {"ok": "yes"}

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError(f"could not reach {PERSONAL}")

    app = create_http_app(runtime, title="limits probe", routers=[router])
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://probe") as http,
    ):
        yield http, calls


async def test_a_declared_body_over_the_limit_is_refused_before_the_route_runs(
    client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, calls = client
    small = await http.post("/notes", json={"text": "x" * 100})
    assert small.status_code == 200
    big = await http.post("/notes", json={"text": "x" * (LIMIT + 1)})
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/json"
    assert big.json() == {"detail": f"the request body is larger than the limit of {LIMIT} bytes"}
    assert calls == ["notes"]


async def test_a_streamed_body_is_counted_as_it_arrives(client: tuple[httpx.AsyncClient, list[str]]) -> None:
    http, calls = client

    async def chunks(total: int) -> AsyncIterator[bytes]:
        for _ in range(total // 1024):
            yield b"a" * 1024

    fits = await http.post("/raw", content=chunks(LIMIT))
    assert fits.status_code == 200
    assert fits.json() == {"length": LIMIT}
    too_big = await http.post("/raw", content=chunks(LIMIT * 3))
    assert "content-length" not in too_big.request.headers  # chunked: only counting can catch it
    assert too_big.status_code == 413
    assert "larger than the limit" in too_big.json()["detail"]
    json_type = {"content-type": "application/json"}
    big_json = await http.post("/notes", content=chunks(LIMIT * 3), headers=json_type)
    assert big_json.status_code == 413
    assert calls == ["raw", "raw"]  # the oversized JSON never reached its handler


async def test_a_content_length_that_is_not_a_number_is_a_400() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("must not be reached")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"content-length", b"-5")]}
    await BodySizeLimit(app, max_bytes=10)(scope, receive, send)
    assert sent[0]["status"] == 400


async def test_each_client_has_its_own_bucket_and_probes_are_never_limited(
    client: tuple[httpx.AsyncClient, list[str]], dev_auth: DevAuth
) -> None:
    http, _ = client
    alice = dev_auth.headers("case_manager", subject="alice")
    bob = dev_auth.headers("case_manager", subject="bob")
    for _ in range(3):
        assert (await http.get("/me", headers=alice)).status_code == 200
    limited = await http.get("/me", headers=alice)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "too many requests" in limited.json()["detail"]
    # Another subject is not affected; neither are the operations endpoints.
    assert (await http.get("/me", headers=bob)).status_code == 200
    for path in ("/healthz", "/readyz", "/metrics", "/healthz", "/healthz"):
        assert (await http.get(path, headers=alice)).status_code == 200


async def test_an_unverified_token_cannot_spend_someone_elses_bucket(
    client: tuple[httpx.AsyncClient, list[str]], dev_auth: DevAuth
) -> None:
    http, _ = client
    other_key = DevAuth(*generate_key_pair())
    forged = other_key.headers("case_manager", subject="carol")  # carol's subject, wrong signature
    answers = [(await http.get("/me", headers=forged)).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]  # counted against the caller's address
    carol = dev_auth.headers("case_manager", subject="carol")
    assert (await http.get("/me", headers=carol)).status_code == 200
    # The address bucket is spent: anonymous calls from it wait too.
    assert (await http.get("/open")).status_code == 429


def test_buckets_refill_at_the_configured_rate() -> None:
    now = [1000.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: now[0])
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take("a") == 0.0
    now[0] += 3600
    assert [buckets.take("a") for _ in range(3)][:2] == [0.0, 0.0]  # never more than the burst


def test_buckets_forget_the_least_recent_client_first() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, max_clients=2, clock=lambda: 0.0)
    assert buckets.take("a") == 0.0
    assert buckets.take("b") == 0.0
    assert buckets.take("c") == 0.0  # "a" is forgotten
    assert buckets.take("c") > 0
    assert buckets.take("a") == 0.0


async def test_an_unexpected_error_is_a_generic_500_with_a_logged_error_id(
    client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, _ = client
    with capture_logs() as logs:
        response = await http.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"detail", "error_id"}
    assert response.headers["x-error-id"] == body["error_id"]
    for leak in ("Traceback", "RuntimeError", "could not reach", "Zainab", "boom", ".py"):
        assert leak not in response.text
    [entry] = [e for e in logs if e.get("event") == "http.unhandled_error"]
    assert entry["error_id"] == body["error_id"]
    assert entry["error_type"] == "RuntimeError"
    assert entry["route"] == "/boom"
    assert any("in boom" in frame for frame in entry["frames"])
    assert "Zainab" not in repr(entry)  # the message (possibly personal) is never logged
