"""What the API answers. Personal data only to the roles that work with the beneficiary."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from lgnet_payments.application.disbursement import ImportSummary
from lgnet_payments.application.records import BatchRecord, GrantFile
from lgnet_payments.application.reports import ProgrammeReport, Reconciliation
from lgnet_payments.domain.budget import Budget
from lgnet_payments.domain.grant import DecisionRecord


class ReasonOut(BaseModel):
    code: str
    text: str


class DecisionOut(BaseModel):
    action: str
    actor: str
    at: datetime
    reasons: list[ReasonOut]


class BeneficiaryOut(BaseModel):
    name: str
    iban: str
    fiscal_code: str


class GrantOut(BaseModel):
    grant_id: str
    municipality: str
    case_id: str | None
    source: str
    status: str
    household_size: int
    opened_at: datetime
    purpose: str | None = None
    requested_cents: int | None = None
    amount_cents: int = 0
    isee_cents: int | None = None
    prepared_by: str | None = None
    approved_by: str | None = None
    batch_id: str | None = None
    value_date: date | None = None
    beneficiary: BeneficiaryOut | None = None
    # "shown", "withheld" (your role does not see it), "erased", or "kept_until_settled" (the
    # case was erased while the transfer is at the bank: erased when the bank answers).
    personal_data: str = "withheld"
    personal_data_erased_at: datetime | None = None
    decisions: list[DecisionOut]


def decision_out(d: DecisionRecord) -> DecisionOut:
    return DecisionOut(
        action=d.action.value,
        actor=d.actor,
        at=d.at,
        reasons=[ReasonOut(code=r.code.value, text=r.text) for r in d.reasons],
    )


def _personal_data(file: GrantFile, *, shown: bool) -> str:
    if file.personal_erased_at is not None:
        return "erased"
    if file.erasure_requested_at is not None:
        return "kept_until_settled"
    return "shown" if shown else "withheld"


def grant_out(file: GrantFile, *, personal: bool) -> GrantOut:
    g, details = file.grant, file.details
    beneficiary = None
    if personal and file.applicant is not None:
        a = file.applicant
        beneficiary = BeneficiaryOut(name=a.name, iban=a.iban, fiscal_code=a.fiscal_code)
    return GrantOut(
        grant_id=file.grant_id,
        municipality=file.municipality,
        case_id=file.intake.case_id,
        source=file.intake.source.value,
        status=file.status,
        household_size=details.household_size if details else file.intake.household_size,
        opened_at=file.intake.opened_at,
        purpose=details.purpose.value if details else None,
        requested_cents=details.requested_cents if details else None,
        isee_cents=details.isee_cents if details and personal else None,
        amount_cents=g.amount_cents if g else 0,
        prepared_by=g.prepared_by if g else None,
        approved_by=g.approved_by if g else None,
        batch_id=g.batch_id if g else None,
        value_date=file.value_date,
        beneficiary=beneficiary,
        personal_data=_personal_data(file, shown=beneficiary is not None),
        personal_data_erased_at=file.personal_erased_at,
        decisions=[decision_out(d) for d in file.decisions],
    )


class LedgerEntryOut(BaseModel):
    key: str
    operation: str
    subject: str
    allocation_delta_cents: int
    reserved_delta_cents: int
    committed_delta_cents: int
    actor: str
    reason: str
    at: datetime


class BudgetOut(BaseModel):
    municipality: str
    allocation_cents: int
    reserved_cents: int
    committed_cents: int
    available_cents: int
    minimum_grant_cents: int
    exhausted_reported: bool
    allocation_changes: list[LedgerEntryOut]


def budget_out(budget: Budget) -> BudgetOut:
    changes = [e for e in budget.ledger if e.operation.value == "allocate"]
    return BudgetOut(
        municipality=budget.municipality,
        allocation_cents=budget.allocation_cents,
        reserved_cents=budget.reserved_cents,
        committed_cents=budget.committed_cents,
        available_cents=budget.available_cents,
        minimum_grant_cents=budget.minimum_grant_cents,
        exhausted_reported=budget.exhausted_reported,
        allocation_changes=[
            LedgerEntryOut(
                key=e.key,
                operation=e.operation.value,
                subject=e.subject,
                allocation_delta_cents=e.allocation_delta_cents,
                reserved_delta_cents=e.reserved_delta_cents,
                committed_delta_cents=e.committed_delta_cents,
                actor=e.actor,
                reason=e.reason,
                at=e.at,
            )
            for e in changes
        ],
    )


class BalanceOut(BaseModel):
    allocation_cents: int
    reserved_cents: int
    committed_cents: int
    available_cents: int


class IssueOut(BaseModel):
    code: str
    detail: str


class ReconciliationOut(BaseModel):
    municipality: str
    clean: bool
    counters: BalanceOut
    stored_available_cents: int | None
    ledger: BalanceOut
    ledger_entries: int
    discrepancies: list[IssueOut]
    grant_mismatches: list[IssueOut]


def reconciliation_out(r: Reconciliation) -> ReconciliationOut:
    def balance(b: object) -> BalanceOut:
        return BalanceOut.model_validate(
            {
                k: getattr(b, k)
                for k in ("allocation_cents", "reserved_cents", "committed_cents", "available_cents")
            }
        )

    return ReconciliationOut(
        municipality=r.municipality,
        clean=r.clean,
        counters=balance(r.counters),
        stored_available_cents=r.stored_available_cents,
        ledger=balance(r.ledger),
        ledger_entries=r.ledger_entries,
        discrepancies=[IssueOut(code=d.code.value, detail=d.detail) for d in r.discrepancies],
        grant_mismatches=[
            IssueOut(
                code="grant_vs_ledger",
                detail=f"grant {m.grant_id} is {m.grant_status}, ledger {m.ledger_state}",
            )
            for m in r.grant_mismatches
        ],
    )


class BatchOut(BaseModel):
    batch_id: str
    municipality: str
    status: str
    execution_date: date
    created_at: datetime
    created_by: str
    count: int
    control_sum_cents: int
    grant_ids: list[str]
    files: dict[str, str]


def batch_out(record: BatchRecord) -> BatchOut:
    b = record.batch
    base = f"/batches/{b.batch_id}"
    return BatchOut(
        batch_id=b.batch_id,
        municipality=b.municipality,
        status=record.status.value,
        execution_date=b.execution_date,
        created_at=b.created_at,
        created_by=record.created_by,
        count=b.count,
        control_sum_cents=b.control_sum_cents,
        grant_ids=[i.grant_id for i in b.instructions],
        files={"pain001": f"{base}/pain001", "csv": f"{base}/export.csv", "json": f"{base}/export.json"},
    )


class ImportOut(BaseModel):
    batch_id: str
    message_id: str
    batch_status: str
    settled: list[str]
    returned: list[str]
    waiting: list[str]


def import_out(s: ImportSummary) -> ImportOut:
    return ImportOut(
        batch_id=s.batch_id,
        message_id=s.message_id,
        batch_status=s.batch_status.value,
        settled=s.settled,
        returned=s.returned,
        waiting=s.waiting,
    )


class MunicipalityLineOut(BaseModel):
    istat: str
    name: str
    allocation_cents: int
    reserved_cents: int
    disbursed_cents: int
    available_cents: int
    grants_granted: int
    grants_by_status: dict[str, int]


class ProgrammeTotalsOut(BaseModel):
    allocation_cents: int
    reserved_cents: int
    disbursed_cents: int
    available_cents: int
    grants_granted: int


class ProgrammeReportOut(BaseModel):
    generated_at: datetime
    municipalities: list[MunicipalityLineOut]
    totals: ProgrammeTotalsOut


REPORT_COLUMNS = (
    "allocation_cents",
    "reserved_cents",
    "disbursed_cents",
    "available_cents",
    "grants_granted",
)


def report_out(report: ProgrammeReport, at: datetime) -> ProgrammeReportOut:
    return ProgrammeReportOut(
        generated_at=at,
        municipalities=[
            MunicipalityLineOut(
                istat=line.istat,
                name=line.name,
                allocation_cents=line.allocation_cents,
                reserved_cents=line.reserved_cents,
                disbursed_cents=line.disbursed_cents,
                available_cents=line.available_cents,
                grants_granted=line.grants_granted,
                grants_by_status=dict(line.grants_by_status),
            )
            for line in report.lines
        ],
        totals=ProgrammeTotalsOut.model_validate({c: report.total(c) for c in REPORT_COLUMNS}),
    )
