"""The HTTP side every service has: health, readiness, metrics, request limits; and the lifespan."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from lgnet_runtime.auth import AuthError
from lgnet_runtime.limits import BodySizeLimit, ErrorShield, RateLimit, SubjectOf, TokenBuckets
from lgnet_runtime.service import ServiceRuntime
from lgnet_runtime.settings import RuntimeSettings


def operations_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @router.get("/readyz", summary="Readiness: Kafka and MongoDB answer", response_model=None)
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _subject_of(settings: RuntimeSettings) -> SubjectOf | None:
    """Verifies a token the way the routes do; None when the service trusts no token issuer."""
    try:
        verifier = settings.token_verifier()
    except (ValueError, OSError):
        return None

    def subject_of(token: str) -> str | None:
        try:
            return verifier.verify(token).subject
        except AuthError:
            return None

    return subject_of


def install_limits(app: FastAPI, settings: RuntimeSettings) -> None:
    """Body size and rate limits, and a 500 that reveals nothing; outermost first: shield, rate, size."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(
        RateLimit,
        buckets=TokenBuckets(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst),
        subject_of=_subject_of(settings),
        offload=settings.auth_jwks_url is not None,
    )
    app.add_middleware(ErrorShield)


# How the services answer a request they cannot use: FastAPI's `loc/msg/type` list, their own
# `field/message/type` list (which never echoes the rejected value), or a refusal in words.
_FIELD_ERROR = {
    "title": "FieldError",
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "title": "Field"},
        "message": {"type": "string", "title": "Message"},
        "type": {"type": "string", "title": "Type"},
    },
}


def field_errors(errors: Any) -> list[dict[str, str]]:
    """``contact.phone: not a phone number ...`` rather than pydantic's internals; the rejected
    value is never echoed back (it may be a phone number, an IBAN or a name)."""
    out: list[dict[str, str]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        out.append({"field": ".".join(loc) or "body", "message": message, "type": str(error.get("type", ""))})
    return out


async def _validation_answer(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": field_errors(exc.errors())}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _document_error_bodies(app: FastAPI) -> None:
    """Make the OpenAPI document describe the 422 bodies the services really send."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            components["FieldError"] = _FIELD_ERROR
            items = {
                "anyOf": [
                    {"$ref": "#/components/schemas/ValidationError"},
                    {"$ref": "#/components/schemas/FieldError"},
                ]
            }
            components["HTTPValidationError"]["properties"]["detail"] = {
                "title": "Detail",
                "anyOf": [{"type": "array", "items": items}, {"type": "string"}],
            }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_http_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    on_started: Sequence[Callable[[], Any]] = (),
    on_stopping: Sequence[Callable[[], Any]] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        for hook in on_started:
            await hook()
        try:
            yield
        finally:
            for hook in on_stopping:
                await hook()
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.add_exception_handler(RequestValidationError, _validation_answer)
    install_limits(app, runtime.settings)
    app.include_router(operations_router(runtime))
    for router in routers:
        app.include_router(router)
    _document_error_bodies(app)
    return app
