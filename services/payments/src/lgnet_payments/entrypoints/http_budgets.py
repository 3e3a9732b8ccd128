"""Budgets and the programme report: aggregates only, nothing about a single household."""

import csv
import io
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from lgnet_contracts.types import IstatCode
from lgnet_payments.entrypoints.api import BUDGET_READ_ROLES, BUDGET_ROLES, REPORT_ROLES, PaymentsApi
from lgnet_payments.entrypoints.schemas import AllocationIn
from lgnet_payments.entrypoints.views import (
    REPORT_COLUMNS,
    BudgetOut,
    ProgrammeReportOut,
    ReconciliationOut,
    budget_out,
    reconciliation_out,
    report_out,
)
from lgnet_runtime.auth import Principal, authenticated, ensure_municipality, require_roles

CSV_HEADER = ("istat", "name", *REPORT_COLUMNS)


def budgets_router(api: PaymentsApi) -> APIRouter:
    router = APIRouter(tags=["budgets"])
    current = authenticated(api.verifier)
    Coordinator = Annotated[Principal, Depends(require_roles(current, *BUDGET_ROLES))]
    BudgetReader = Annotated[Principal, Depends(require_roles(current, *BUDGET_READ_ROLES))]
    ReportReader = Annotated[Principal, Depends(require_roles(current, *REPORT_ROLES))]

    @router.get(
        "/budgets/{istat}", response_model=BudgetOut, summary="A municipality's budget and its changes"
    )
    async def get_budget(istat: IstatCode, principal: BudgetReader) -> BudgetOut:
        ensure_municipality(principal, istat)
        return budget_out(await api.ledger.get(istat))

    @router.put(
        "/budgets/{istat}/allocation",
        response_model=BudgetOut,
        summary="Set a municipality's allocation (recorded with who and why; never below what is held)",
    )
    async def set_allocation(istat: IstatCode, body: AllocationIn, principal: Coordinator) -> BudgetOut:
        ensure_municipality(principal, istat)
        budget = await api.ledger.set_allocation(
            istat,
            body.allocation_cents,
            change_id=str(uuid.uuid4()),
            actor=principal.subject,
            reason=body.reason,
        )
        await api.record(
            principal,
            "budget.allocation_changed",
            resource_type="budget",
            resource_id=istat,
            municipality=istat,
            allocation_cents=body.allocation_cents,
        )
        return budget_out(budget)

    @router.get(
        "/budgets/{istat}/reconciliation",
        response_model=ReconciliationOut,
        summary="Proof that the counters equal the ledger, and the ledger the grants",
    )
    async def reconcile(istat: IstatCode, principal: ReportReader) -> ReconciliationOut:
        ensure_municipality(principal, istat)
        return reconciliation_out(await api.reconciliation(istat))

    @router.get(
        "/reports/programme",
        response_model=ProgrammeReportOut,
        summary="Per municipality: allocation, reserved, disbursed, available, grants",
    )
    async def programme(principal: ReportReader) -> ProgrammeReportOut:
        return report_out(await api.reporting.report(principal.municipalities), api.clock())

    @router.get(
        "/reports/programme.csv",
        response_class=Response,
        summary="The programme report as CSV (UTF-8, comma separated, amounts in integer cents)",
    )
    async def programme_csv(principal: ReportReader) -> Response:
        out = report_out(await api.reporting.report(principal.municipalities), api.clock())
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for line in out.municipalities:
            writer.writerow([line.istat, line.name, *(getattr(line, c) for c in REPORT_COLUMNS)])
        writer.writerow(["TOTAL", "", *(getattr(out.totals, c) for c in REPORT_COLUMNS)])
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="programme-report.csv"'},
        )

    return router
