"""No route is open by accident: every route of every service, from its OpenAPI document and its
routing table, needs a valid bearer token (or, for provider callbacks, the shared callback token),
and every route is in the authorisation matrix, and every row of the matrix is a route."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import fastapi.routing
import jwt
import pytest
import pytest_asyncio
from starlette.routing import Route

from lgnet_runtime.auth import Role
from lgnet_runtime.devtokens import generate_key_pair, mint
from lgnet_runtime.limits import BodySizeLimit, ErrorShield, RateLimit
from lgnet_testing.auth import DevAuth
from lgnet_testing.sources import SessionEngines

from .conftest import CALLBACK_TOKEN, DOC_PATHS, ROMA, SERVICES, Running, load_matrix, running

pytestmark = pytest.mark.engines

MATRIX = load_matrix()
METHODS = ("get", "post", "put", "patch", "delete")
# Shaped like the real parameters, so only the credential can be the reason for a refusal.
PATH_VALUES = {"istat": ROMA, "need": "food", "shelter_id": "sh-probe"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(engines: SessionEngines, dev_auth: DevAuth) -> AsyncIterator[dict[str, Running]]:
    async with AsyncExitStack() as stack:
        yield {s: await stack.enter_async_context(running(s, engines, dev_auth)) for s in SERVICES}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), str(uuid.uuid4())), path)


def openapi_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in METHODS}


def routing_table(running: Running) -> set[tuple[str, str]]:
    """Every route the app answers, including those hidden from the OpenAPI document.

    Included routers are flattened the way FastAPI itself does; a mounted sub-application
    (which no walk could see into) fails the test.
    """
    contexts: Any = getattr(fastapi.routing, "iter_route_contexts", None)
    routes: list[Any] = list(contexts(running.app.routes) if contexts is not None else running.app.routes)
    found = set()
    for route in routes:
        original = getattr(route, "original_route", route)
        assert isinstance(original, Route), f"{running.service}: a mounted app escapes the walk: {original!r}"
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_is_in_the_matrix_and_every_row_is_a_route(
    services: dict[str, Running], service: str
) -> None:
    running_service = services[service]
    spec = (await running_service.client.get("/openapi.json")).json()
    in_openapi = openapi_operations(spec)
    in_app = routing_table(running_service)
    in_matrix = {(r.method, r.path) for r in MATRIX.of(service)}
    public = set(MATRIX.public)

    assert in_openapi <= in_app
    assert in_app - in_openapi == {("GET", p) for p in DOC_PATHS}, "a route hidden from the OpenAPI document"
    assert in_app - public == in_matrix, (
        f"{service}: routes missing from the matrix {sorted(in_app - public - in_matrix)}, "
        f"rows for routes that do not exist {sorted(in_matrix - in_app)}"
    )
    # And the document says so too: every protected operation declares the bearer scheme.
    for method, path in in_matrix:
        operation = spec["paths"][path][method.lower()]
        rule = next(r for r in MATRIX.of(service) if (r.method, r.path) == (method, path))
        declared = {name for requirement in operation.get("security", []) for name in requirement}
        if rule.scope == "callback":
            assert not declared, f"{method} {path}"
        else:
            assert declared == {"HTTPBearer"}, f"{method} {path} does not declare the bearer token"


@pytest.mark.parametrize("service", SERVICES)
async def test_public_routes_answer_and_carry_no_record(services: dict[str, Running], service: str) -> None:
    client = services[service].client
    for method, path in sorted(MATRIX.public):
        response = await client.request(method, path)
        assert response.status_code == 200, f"{service} {path}: {response.status_code}"


def _unsigned(claims: dict[str, Any]) -> str:
    """alg=none: a token anyone can write."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}."


def _hs256_with_public_key(claims: dict[str, Any], public_pem: str) -> str:
    """The classic confusion: HMAC-signed with the verifier's public key as the secret."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(b'{"alg":"HS256","typ":"JWT"}')
    signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def bad_credentials(auth: DevAuth) -> dict[str, dict[str, str]]:
    """Every way a request can lack a valid token, each for the most powerful roles there are."""
    roles = [str(r) for r in Role if r is not Role.SHELTER_PARTNER]
    municipalities = [ROMA]

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def claims(**extra: Any) -> dict[str, Any]:
        now = int(datetime.now(UTC).timestamp())
        base = {
            "iss": "https://auth.lgnet.invalid/dev",
            "aud": "lgnet",
            "sub": "mallory",
            "iat": now,
            "exp": now + 3600,
            "roles": roles,
            "municipalities": municipalities,
        }
        return {**base, **extra}

    stranger_private, _ = generate_key_pair()
    good: dict[str, Any] = {"subject": "mallory", "roles": roles, "municipalities": municipalities}
    return {
        "no header": {},
        "empty bearer": {"Authorization": "Bearer "},
        "basic scheme": {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()},
        "garbage": bearer("not-a-token"),
        "expired": bearer(mint(auth.private_pem, **good, ttl=timedelta(minutes=-5))),
        "wrong audience": bearer(mint(auth.private_pem, **good, audience="another-system")),
        "wrong issuer": bearer(mint(auth.private_pem, **good, issuer="https://evil.example/")),
        "forged signature": bearer(mint(stranger_private, **good)),
        "tampered claims": bearer(_retarget(mint(auth.private_pem, **good))),
        "alg none": bearer(_unsigned(claims())),
        "hs256 with the public key": bearer(_hs256_with_public_key(claims(), auth.public_pem)),
        "no expiry": bearer(
            jwt.encode({k: v for k, v in claims().items() if k != "exp"}, auth.private_pem, "ES256")
        ),
        "unknown role": bearer(jwt.encode(claims(roles=["root"]), auth.private_pem, "ES256")),
        "municipalities not a list": bearer(
            jwt.encode(claims(municipalities=ROMA), auth.private_pem, "ES256")
        ),
        "partner without a shelter": bearer(
            jwt.encode(claims(roles=["shelter_partner"]), auth.private_pem, "ES256")
        ),
    }


def _retarget(token: str) -> str:
    """A valid token whose payload was edited afterwards (another municipality); the signature stays."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["municipalities"] = ["015146", ROMA]
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"


@pytest.mark.parametrize("service", SERVICES)
async def test_no_route_answers_without_a_valid_bearer_token(
    services: dict[str, Running], service: str, dev_auth: DevAuth
) -> None:
    client = services[service].client
    variants = bad_credentials(dev_auth)
    protected = [r for r in MATRIX.of(service) if r.scope != "callback"]
    assert protected
    failures = []
    for rule in protected:
        url = concrete(rule.path)
        for name, headers in variants.items():
            # A body that would be read if the request got that far: the token must stop it first.
            body: dict[str, Any] | None = {} if rule.method in ("POST", "PUT", "PATCH") else None
            response = await client.request(rule.method, url, json=body, headers=headers)
            if (
                response.status_code != 401
                or "bearer" not in response.headers.get("www-authenticate", "").lower()
            ):
                failures.append(
                    f"{rule.method} {url} with {name}: {response.status_code} {response.text[:120]}"
                )
    assert not failures, "\n".join(failures)


async def test_sms_callbacks_need_the_shared_token(services: dict[str, Running], dev_auth: DevAuth) -> None:
    client = services["notifications"].client
    callbacks = [r for r in MATRIX.routes if r.scope == "callback"]
    assert {r.path for r in callbacks} == {"/callbacks/sms/delivery", "/callbacks/sms/inbound"}
    bodies = {
        "/callbacks/sms/delivery": {"message_id": "gw-unknown-1", "status": "delivered"},
        "/callbacks/sms/inbound": {"from": "+393331112222", "text": "STOP"},
    }
    powerful = dev_auth.headers(Role.CASE_MANAGER, roles=list(Role), subject="everything")
    for rule in callbacks:
        body = bodies[rule.path]
        for headers in (
            {},
            {"X-Callback-Token": ""},
            {"X-Callback-Token": CALLBACK_TOKEN + "x"},
            {"X-Callback-Token": CALLBACK_TOKEN[:-1]},
            powerful,  # a bearer token is not what a provider callback needs
        ):
            response = await client.post(rule.path, json=body, headers=headers)
            assert response.status_code == 401, f"{rule.path} with {headers}: {response.status_code}"
        answered = await client.post(rule.path, json=body, headers={"X-Callback-Token": CALLBACK_TOKEN})
        assert answered.status_code in rule.ok, answered.text
    delivery = await client.post(
        "/callbacks/sms/delivery",
        json=bodies["/callbacks/sms/delivery"],
        headers={"X-Callback-Token": CALLBACK_TOKEN},
    )
    assert delivery.status_code == 404  # a message we never sent
    inbound = await client.post(
        "/callbacks/sms/inbound",
        json=bodies["/callbacks/sms/inbound"],
        headers={"X-Callback-Token": CALLBACK_TOKEN},
    )
    assert inbound.json() == {"stopped": 0}


async def test_sms_callbacks_stay_shut_when_no_token_is_configured(
    engines: SessionEngines, dev_auth: DevAuth
) -> None:
    async with running("notifications", engines, dev_auth, sms_callback_token="") as service:
        for path, body in (
            ("/callbacks/sms/inbound", {"from": "+393331112222", "text": "STOP"}),
            ("/callbacks/sms/delivery", {"message_id": "m-1", "status": "delivered"}),
        ):
            assert (await service.client.post(path, json=body)).status_code == 401
            answer = await service.client.post(path, json=body, headers={"X-Callback-Token": ""})
            assert answer.status_code == 401


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_carries_the_request_limits(
    services: dict[str, Running], service: str, dev_auth: DevAuth
) -> None:
    running_service = services[service]
    installed = {m.cls for m in running_service.app.user_middleware}
    assert {BodySizeLimit, RateLimit, ErrorShield} <= installed
    # An oversized body is refused before anything reads it, token or not.
    first = next(r for r in MATRIX.of(service) if r.method in ("POST", "PUT", "PATCH"))
    limit = running_service.settings.max_request_bytes
    big = b"{" + b" " * limit + b"}"
    for headers in ({}, dev_auth.headers(Role.CASE_MANAGER)):
        response = await running_service.client.request(
            first.method,
            concrete(first.path),
            content=big,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 413, f"{first.label}: {response.status_code}"
        assert "larger than the limit" in response.json()["detail"]
