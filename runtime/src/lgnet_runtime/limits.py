"""Limits every HTTP request meets before a service sees it: body size, rate, and a 500 that leaks nothing.

Pure ASGI middleware (no BaseHTTPMiddleware), so a streamed body is counted as it arrives and
the limits hold for every route a service adds, present and future.
"""

from __future__ import annotations

import math
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lgnet_runtime.logging import get_logger

log = get_logger(__name__)

# Probes and scrapers must answer even when a client floods the API.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes the limit; FastAPI answers it as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"the request body is larger than the limit of {limit} bytes"}, 413)


class BodySizeLimit:
    """413 when the declared Content-Length, or the bytes actually received, exceed `max_bytes`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await JSONResponse({"detail": "the Content-Length header is not a number"}, 400)(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await _too_large(self.max_bytes)(scope, receive, send)
                return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestTooLarge:
            # Read outside FastAPI's body handling (a raw stream); answer it here if still possible.
            if started:
                raise
            await _too_large(self.max_bytes)(scope, receive, send)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One token bucket per client key: `burst` tokens, refilled at `per_minute` a minute.

    At most `max_clients` buckets are kept; the least recently used is forgotten first (a
    forgotten client starts again with a full bucket, which errs on the side of serving).
    """

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        max_clients: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.rate = per_minute / 60.0
        self.burst = burst
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """0.0 if the request may go; otherwise the seconds until one token is back."""
        now = self._clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        self._buckets[key] = bucket
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


# Takes a raw bearer token, returns the verified subject or None (invalid tokens count per address).
SubjectOf = Callable[[str], str | None]


async def client_key(scope: Scope, subject_of: SubjectOf | None, *, offload: bool = False) -> str:
    """The verified token subject if there is one, else the client address.

    Only a verified subject may name a bucket: an unverified claim would let anyone drain
    someone else's bucket, or escape the limit by inventing a new subject per request.
    `offload` runs the verification in a worker thread (a JWKS fetch must not block the loop).
    """
    if subject_of is not None:
        authorization = Headers(scope=scope).get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            if offload:
                subject = await anyio.to_thread.run_sync(subject_of, token)
            else:
                subject = subject_of(token)
            if subject is not None:
                return "sub:" + subject
    client = scope.get("client")
    return "ip:" + (str(client[0]) if client else "unknown")


class RateLimit:
    """429 with Retry-After when a client's bucket is empty; operations endpoints are never limited."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        buckets: TokenBuckets,
        subject_of: SubjectOf | None = None,
        offload: bool = False,
        exempt: Collection[str] = UNLIMITED_PATHS,
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.subject_of = subject_of
        self.offload = offload
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(await client_key(scope, self.subject_of, offload=self.offload))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            response = JSONResponse(
                {"detail": f"too many requests; try again in {retry_after} s"},
                429,
                headers={"Retry-After": str(retry_after)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _frames(exc: BaseException) -> list[str]:
    # Where it happened, without the exception's message or any local value: either may be personal.
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)]


class ErrorShield:
    """Any exception no handler answered becomes a 500 with a generic body and an error id.

    The id is logged with the exception's type and frames, so an operator can find the cause
    while the caller learns nothing about the code or the data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            error_id = uuid.uuid4().hex
            route: Any = scope.get("route")
            log.error(
                "http.unhandled_error",
                error_id=error_id,
                error_type=type(exc).__name__,
                method=scope.get("method"),
                route=getattr(route, "path", None),
                frames=_frames(exc),
                response_started=started,
            )
            if started:
                return  # the answer is half sent; the connection ends here
            body = {"detail": "internal error; quote this error id to the operators", "error_id": error_id}
            await JSONResponse(body, 500, headers={"X-Error-Id": error_id})(scope, receive, send)
