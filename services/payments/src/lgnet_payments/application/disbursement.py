"""Payment batches: gather approved grants, hand the file to the bank or the treasurer, read the answer.

A batch is created first (``assembling``), then each grant is marked with a write that holds
only while the grant is still approved, then the batch keeps exactly the grants it marked.
A crash in between leaves an assembling batch that the next run for that municipality
finishes, so no grant is ever in two files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from lgnet_payments.application.deciding import Decider
from lgnet_payments.application.errors import (
    BatchNotFoundError,
    ConcurrentUpdateError,
    InvalidRequestStateError,
    StatusReportMismatchError,
)
from lgnet_payments.application.ports import BatchRepository, Clock, GrantRepository, SaveOutcome
from lgnet_payments.application.records import BatchRecord, BatchStatus, GrantFile, ImportedReport
from lgnet_payments.domain.batch import DebtorAccounts, PaymentBatch, build_batch, make_batch_id
from lgnet_payments.domain.grant import GrantStatus

ROME = ZoneInfo("Europe/Rome")
BANK_ACTOR = "bank:pain.002"
MAX_ATTEMPTS = 5


class TransactionAnswer(Protocol):
    """One transaction's status in a bank report (the pain.002 adapter provides it)."""

    @property
    def status_code(self) -> str: ...
    @property
    def reason_code(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...


class BankStatusReport(Protocol):
    @property
    def message_id(self) -> str: ...
    @property
    def original_message_id(self) -> str: ...

    def statuses_for(
        self, end_to_end_ids: Iterable[str], *, payment_information_id: str | None = None
    ) -> Mapping[str, TransactionAnswer]: ...


@dataclass(frozen=True, slots=True)
class ImportSummary:
    batch_id: str
    message_id: str
    settled: list[str]
    returned: list[str]
    waiting: list[str]
    batch_status: BatchStatus


def execution_date(now: datetime, lead_days: int) -> date:
    """Lead days after today (Rome), moved off the weekend: banks execute SEPA on business days."""
    day = now.astimezone(ROME).date() + timedelta(days=lead_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class Disbursement:
    def __init__(
        self,
        grants: GrantRepository,
        batches: BatchRepository,
        decider: Decider,
        debtors: DebtorAccounts,
        *,
        lead_days: int,
        max_grants: int,
        clock: Clock,
    ) -> None:
        self._grants = grants
        self._batches = batches
        self._decider = decider
        self._debtors = debtors
        self._lead_days = lead_days
        self._max_grants = max_grants
        self._clock = clock

    async def create_batch(self, municipality: str, *, actor: str) -> BatchRecord:
        for pending in await self._batches.assembling(municipality):
            await self._assemble(pending)
        files = await self._grants.approved(municipality, self._max_grants)
        if not files:
            raise InvalidRequestStateError(f"municipality {municipality} has no approved grants to pay")
        now = self._clock()
        grants = [f.grant for f in files if f.grant is not None]
        debtor = self._debtors.for_municipality(municipality)
        taken = await self._batches.ids_starting_with(make_batch_id(municipality, now, 0)[:-3])
        for sequence in range(len(taken) + 1, len(taken) + 50):
            batch = build_batch(
                municipality,
                grants,
                batch_id=make_batch_id(municipality, now, sequence),
                debtor=debtor,
                execution_date=execution_date(now, self._lead_days),
                created_at=now,
            )
            record = BatchRecord(batch, BatchStatus.ASSEMBLING, actor)
            if await self._batches.add(record):
                return await self._assemble(record)
        raise ConcurrentUpdateError(f"no free batch id for {municipality}; try again")

    async def _assemble(self, record: BatchRecord) -> BatchRecord:
        marks = await asyncio.gather(
            *(self._mark(i.grant_id, record.batch_id) for i in record.batch.instructions)
        )
        kept = tuple(i for i, ok in zip(record.batch.instructions, marks, strict=True) if ok)
        record.batch = replace(record.batch, instructions=kept)
        record.status = BatchStatus.READY if kept else BatchStatus.EMPTY
        if await self._batches.save(record) is not SaveOutcome.SAVED:
            raise ConcurrentUpdateError(f"batch {record.batch_id} changed while being assembled; try again")
        return record

    async def _mark(self, grant_id: str, batch_id: str) -> bool:
        for _ in range(MAX_ATTEMPTS):
            file = await self._grants.get(grant_id)
            grant = file.grant if file is not None else None
            if file is None or grant is None:
                return False
            if grant.batch_id == batch_id:
                return True
            if grant.status is not GrantStatus.APPROVED:
                return False  # cancelled, or taken by another batch meanwhile
            file.grant, _ = grant.mark_batched(batch_id, self._clock())
            if await self._grants.save(file, []) is SaveOutcome.SAVED:
                return True
        return False

    async def get(self, batch_id: str, scope: frozenset[str]) -> BatchRecord:
        record = await self._batches.get(batch_id)
        if record is None or record.batch.municipality not in scope:
            raise BatchNotFoundError(batch_id)
        return record

    async def payable(self, batch_id: str, scope: frozenset[str]) -> PaymentBatch:
        record = await self.get(batch_id, scope)
        if record.status in (BatchStatus.ASSEMBLING, BatchStatus.EMPTY):
            raise InvalidRequestStateError(f"batch {batch_id} is {record.status.value}: there is no file")
        return record.batch

    async def import_status_report(
        self, batch_id: str, report: BankStatusReport, *, actor: str, scope: frozenset[str]
    ) -> ImportSummary:
        record = await self.get(batch_id, scope)
        if record.status in (BatchStatus.ASSEMBLING, BatchStatus.EMPTY):
            raise InvalidRequestStateError(f"batch {batch_id} is {record.status.value}: nothing was sent")
        if report.original_message_id != batch_id:
            raise StatusReportMismatchError(
                f"this report answers message {report.original_message_id}, not batch {batch_id}"
            )
        by_e2e = {i.end_to_end_id: i for i in record.batch.instructions}
        statuses = report.statuses_for(by_e2e, payment_information_id=batch_id)
        settled: list[str] = []
        returned: list[str] = []
        waiting: list[str] = []
        for e2e, instruction in by_e2e.items():
            answer = statuses.get(e2e)
            outcome = answer.outcome if answer is not None else "pending"
            if answer is not None and outcome == "settled":
                await self._settle(instruction.grant_id, record.batch.execution_date)
                settled.append(instruction.grant_id)
            elif answer is not None and outcome == "rejected":
                await self._return(instruction.grant_id, answer.reason_code or answer.status_code)
                returned.append(instruction.grant_id)
            else:
                waiting.append(instruction.grant_id)
        status = await self._record_import(record, report.message_id, actor, settled, returned, waiting)
        return ImportSummary(batch_id, report.message_id, settled, returned, waiting, status)

    async def _record_import(
        self,
        record: BatchRecord,
        message_id: str,
        actor: str,
        settled: list[str],
        returned: list[str],
        waiting: list[str],
    ) -> BatchStatus:
        entry = ImportedReport(message_id, self._clock(), actor, len(settled), len(returned), len(waiting))
        for _ in range(MAX_ATTEMPTS):
            files = await self._grants.in_batch(record.batch_id)
            done = all(f.status in (GrantStatus.DISBURSED, GrantStatus.RETURNED) for f in files)
            record.reports = [*(r for r in record.reports if r.message_id != message_id), entry]
            record.status = BatchStatus.CLOSED if done else BatchStatus.READY
            record.erased_payees |= {f.grant_id for f in files if f.personal_erased_at is not None}
            if await self._batches.save(record) is SaveOutcome.SAVED:
                return record.status
            record = await self.get(record.batch_id, frozenset({record.batch.municipality}))
        raise ConcurrentUpdateError(f"batch {record.batch_id} kept changing; import the report again")

    async def _settle(self, grant_id: str, value_date: date) -> None:
        """Money left: the grant is disbursed, then the budget commits it (re-import repairs either)."""
        for _ in range(MAX_ATTEMPTS):
            file = await self._load(grant_id)
            grant = file.grant
            assert grant is not None
            if grant.status is GrantStatus.BATCHED:
                file.grant, event = grant.mark_disbursed(self._clock(), actor=BANK_ACTOR)
                file.value_date = value_date
                # An erasure that waited for the bank's answer completes in the same write.
                file.finish_pending_erasure(self._clock())
                if await self._grants.save(file, [event]) is not SaveOutcome.SAVED:
                    continue
            if file.grant is not None and file.grant.status is GrantStatus.DISBURSED:
                await self._decider.ledger.commit(file.municipality, grant_id, actor=BANK_ACTOR)
            await self._forget_if_erased(file)
            return
        raise ConcurrentUpdateError(f"grant {grant_id} kept changing; import the report again")

    async def _return(self, grant_id: str, reason_code: str) -> None:
        """The bank rejected or returned the transfer: the grant is returned, the money released."""
        for _ in range(MAX_ATTEMPTS):
            file = await self._load(grant_id)
            grant = file.grant
            assert grant is not None
            if grant.status in (GrantStatus.BATCHED, GrantStatus.DISBURSED):
                file.grant, event = grant.mark_returned(self._clock(), reason_code, actor=BANK_ACTOR)
                file.finish_pending_erasure(self._clock())
                if await self._grants.save(file, [event]) is not SaveOutcome.SAVED:
                    continue
            if file.grant is not None and file.grant.status is GrantStatus.RETURNED:
                await self._decider.after_final(
                    file, BANK_ACTOR, f"bank returned the transfer ({reason_code})"
                )
            await self._forget_if_erased(file)
            return
        raise ConcurrentUpdateError(f"grant {grant_id} kept changing; import the report again")

    async def _forget_if_erased(self, file: GrantFile) -> None:
        # An erasure that waited for the bank finished with this answer (now or on an earlier import).
        if file.personal_erased_at is not None:
            await self._decider.claims.forget(file.grant_id)

    async def _load(self, grant_id: str) -> GrantFile:
        file = await self._grants.get(grant_id)
        if file is None or file.grant is None:
            raise InvalidRequestStateError(f"grant {grant_id} of this batch is missing")
        return file
