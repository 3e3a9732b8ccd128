"""Refusals as HTTP answers: field errors an operator can act on, domain refusals in words."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from lgnet_referral.application.errors import CaseNotFoundError, ConcurrentUpdateError
from lgnet_referral.domain.errors import CaseClosedError, DomainError, InvalidCaseTransitionError


def field_errors(errors: Any) -> list[dict[str, str]]:
    """``contact.phone: not a phone number ...`` rather than pydantic's internals; the rejected
    value is never echoed back (it may be a phone number or a name)."""
    out: list[dict[str, str]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        out.append({"field": ".".join(loc) or "body", "message": message, "type": str(error.get("type", ""))})
    return out


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        {"detail": field_errors(exc.errors())}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


async def _not_found(_: Request, __: Exception) -> JSONResponse:
    return JSONResponse({"detail": "not found"}, status_code=status.HTTP_404_NOT_FOUND)


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"field": "body", "message": str(exc), "type": type(exc).__name__}]},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(CaseNotFoundError, _not_found)
    # The case's state forbids it (closed, already in charge) or it kept changing: 409.
    app.add_exception_handler(CaseClosedError, _conflict)
    app.add_exception_handler(InvalidCaseTransitionError, _conflict)
    app.add_exception_handler(ConcurrentUpdateError, _conflict)
    # Any other refusal of the domain (override below a floor, inconsistent household): 422.
    app.add_exception_handler(DomainError, _domain)
