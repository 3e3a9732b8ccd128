"""Refusals as HTTP answers: domain refusals in words. Field errors a person can act on (never
echoing the rejected value) come from the runtime's handler, as in every service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, status
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
