"""Refusals as HTTP answers: domain refusals in words. Field errors an operator can act on (never
echoing the rejected value) come from the runtime's handler, as in every service."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from lgnet_referral.application.errors import CaseNotFoundError, ConcurrentUpdateError
from lgnet_referral.domain.errors import (
    CaseClosedError,
    DomainError,
    InvalidCaseTransitionError,
    InvalidIdempotencyKeyError,
)


async def _not_found(_: Request, __: Exception) -> JSONResponse:
    return JSONResponse({"detail": "not found"}, status_code=status.HTTP_404_NOT_FOUND)


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)


async def _bad_idempotency_key(_: Request, exc: Exception) -> JSONResponse:
    # The rule in words, never the value sent.
    return JSONResponse(
        {"detail": [{"field": "Idempotency-Key", "message": str(exc), "type": type(exc).__name__}]},
        status_code=status.HTTP_400_BAD_REQUEST,
    )


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"field": "body", "message": str(exc), "type": type(exc).__name__}]},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CaseNotFoundError, _not_found)
    # The case's state forbids it (closed, already in charge) or it kept changing: 409.
    app.add_exception_handler(CaseClosedError, _conflict)
    app.add_exception_handler(InvalidCaseTransitionError, _conflict)
    app.add_exception_handler(ConcurrentUpdateError, _conflict)
    # A malformed header is a bad request, not a report the domain refused: 400.
    app.add_exception_handler(InvalidIdempotencyKeyError, _bad_idempotency_key)
    # Any other refusal of the domain (override below a floor, inconsistent household, an
    # Idempotency-Key already used for another report): 422.
    app.add_exception_handler(DomainError, _domain)
