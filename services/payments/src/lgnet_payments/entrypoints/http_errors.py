"""Refusals as HTTP answers: field errors a person can act on, domain refusals in words."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from lgnet_payments.adapters.sepa.pain001 import Pain001Error
from lgnet_payments.adapters.sepa.pain002 import Pain002Error
from lgnet_payments.application.errors import (
    BatchNotFoundError,
    BudgetNotFoundError,
    ConcurrentUpdateError,
    GrantNotFoundError,
    InvalidRequestStateError,
    OutsideProgrammeWindowError,
    StatusReportMismatchError,
)
from lgnet_payments.domain.batch import BatchError
from lgnet_payments.domain.budget import BudgetError
from lgnet_payments.domain.grant import FourEyesViolation, GrantError, InvalidGrantTransition


def field_errors(errors: Any) -> list[dict[str, str]]:
    """``iban: not a valid IBAN: ...`` rather than pydantic's internals; the rejected value is
    never echoed back (it may be an IBAN or a fiscal code)."""
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


def _answer(
    code: int, *, field_list: bool = False
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        problems = getattr(exc, "problems", None)
        if field_list:
            items = list(problems) if problems else [str(exc)]
            detail: Any = [{"field": "body", "message": p, "type": type(exc).__name__} for p in items]
        else:
            detail = str(exc)
        return JSONResponse({"detail": detail}, status_code=code)

    return handler


async def _not_found(_: Request, __: Exception) -> JSONResponse:
    return JSONResponse({"detail": "not found"}, status_code=status.HTTP_404_NOT_FOUND)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    for missing in (GrantNotFoundError, BatchNotFoundError, BudgetNotFoundError):
        app.add_exception_handler(missing, _not_found)
    # The record's state forbids it, or a rule about who decides: 409 with the reason in words.
    for conflict in (
        FourEyesViolation,
        InvalidGrantTransition,
        InvalidRequestStateError,
        OutsideProgrammeWindowError,
        ConcurrentUpdateError,
        BudgetError,
    ):
        app.add_exception_handler(conflict, _answer(status.HTTP_409_CONFLICT))
    # What was sent cannot be used: 422 listing every problem.
    for invalid in (BatchError, Pain001Error, Pain002Error, StatusReportMismatchError, GrantError):
        app.add_exception_handler(invalid, _answer(status.HTTP_422_UNPROCESSABLE_CONTENT, field_list=True))
