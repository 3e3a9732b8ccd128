"""Payment batches: gather, export (pain.001, CSV, JSON), and import the bank's pain.002."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from lgnet_payments.adapters.sepa.accounting_export import (
    CsvAccountingSink,
    DisbursementSink,
    JsonAccountingSink,
    file_name,
)
from lgnet_payments.adapters.sepa.pain001 import Pain001Sink
from lgnet_payments.adapters.sepa.pain002 import parse_pain002
from lgnet_payments.entrypoints.api import BATCH_FILE_ROLES, BATCH_READ_ROLES, BATCH_ROLES, PaymentsApi
from lgnet_payments.entrypoints.schemas import NewBatchIn
from lgnet_payments.entrypoints.views import BatchOut, ImportOut, batch_out, import_out
from lgnet_runtime.auth import Principal, authenticated, ensure_municipality, require_roles

MAX_REPORT_BYTES = 10 * 1024 * 1024


def batches_router(api: PaymentsApi) -> APIRouter:
    router = APIRouter(prefix="/batches", tags=["batches"])
    current = authenticated(api.verifier)
    Officer = Annotated[Principal, Depends(require_roles(current, *BATCH_ROLES))]
    Reader = Annotated[Principal, Depends(require_roles(current, *BATCH_READ_ROLES))]
    FileReader = Annotated[Principal, Depends(require_roles(current, *BATCH_FILE_ROLES))]

    async def render(batch_id: str, principal: Principal, sink: DisbursementSink, kind: str) -> Response:
        batch = await api.disbursement.payable(batch_id, principal.municipalities)
        # A payment file names every beneficiary and account: each download is in the trail.
        await api.record(
            principal,
            "batch.exported",
            resource_type="batch",
            resource_id=batch.batch_id,
            municipality=batch.municipality,
            format=kind,
            grants=len(batch.instructions),
        )
        return Response(
            sink.render(batch),
            media_type=sink.media_type,
            headers={"Content-Disposition": f'attachment; filename="{file_name(batch, sink)}"'},
        )

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=BatchOut,
        summary="Gather a municipality's approved grants into a payment batch",
    )
    async def create_batch(body: NewBatchIn, principal: Officer) -> BatchOut:
        ensure_municipality(principal, body.municipality, exists=False)
        record = await api.disbursement.create_batch(body.municipality, actor=principal.subject)
        await api.record(
            principal,
            "batch.created",
            resource_type="batch",
            resource_id=record.batch_id,
            municipality=record.batch.municipality,
            grants=len(record.batch.instructions),
            control_sum_cents=record.batch.control_sum_cents,
        )
        return batch_out(record)

    @router.get("/{batch_id}", response_model=BatchOut, summary="A batch: its grants, total and status")
    async def get_batch(batch_id: str, principal: Reader) -> BatchOut:
        return batch_out(await api.disbursement.get(batch_id, principal.municipalities))

    @router.get(
        "/{batch_id}/pain001",
        response_class=Response,
        summary="SEPA Credit Transfer pain.001.001.09 for the municipality's bank",
    )
    async def pain001(batch_id: str, principal: FileReader) -> Response:
        return await render(batch_id, principal, Pain001Sink(), "pain.001")

    @router.get(
        "/{batch_id}/export.csv",
        response_class=Response,
        summary="Accounting export (CSV) for the treasurer's OPI orders; format in accounting_export",
    )
    async def export_csv(batch_id: str, principal: FileReader) -> Response:
        return await render(batch_id, principal, CsvAccountingSink(), "csv")

    @router.get("/{batch_id}/export.json", response_class=Response, summary="Accounting export (JSON)")
    async def export_json(batch_id: str, principal: FileReader) -> Response:
        return await render(batch_id, principal, JsonAccountingSink(), "json")

    @router.post(
        "/{batch_id}/pain002",
        response_model=ImportOut,
        summary="Import the bank's pain.002 status report: settled grants are disbursed, rejected returned",
        openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
    )
    async def import_pain002(batch_id: str, principal: Officer, request: Request) -> ImportOut:
        xml = await request.body()
        if len(xml) > MAX_REPORT_BYTES:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "a status report is at most 10 MB")
        report = parse_pain002(xml)
        summary = await api.disbursement.import_status_report(
            batch_id, report, actor=principal.subject, scope=principal.municipalities
        )
        batch = await api.disbursement.get(batch_id, principal.municipalities)
        await api.record(
            principal,
            "batch.status_imported",
            resource_type="batch",
            resource_id=batch_id,
            municipality=batch.batch.municipality,
            settled=len(summary.settled),
            returned=len(summary.returned),
            waiting=len(summary.waiting),
        )
        return import_out(summary)

    return router
