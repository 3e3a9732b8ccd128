"""Batches, the bank's answer, the programme report and reconciliation, on in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002, parse_pain002
from lgnet_payments.application.disbursement import execution_date
from lgnet_payments.application.errors import InvalidRequestStateError, StatusReportMismatchError
from lgnet_payments.application.records import BatchStatus
from lgnet_payments.domain import grant as events
from lgnet_payments.domain.batch import end_to_end_id_for
from lgnet_payments.domain.grant import GrantStatus

from .conftest import ROMA, SCOPE, Payments


def report(batch_id: str, statuses: list[TransactionStatus], message_id: str = "STS-1") -> bytes:
    return build_pain002(
        message_id=message_id,
        created_at=datetime(2025, 3, 5, tzinfo=UTC),
        original_message_id=batch_id,
        original_payment_information_id=batch_id,
        statuses=statuses,
    )


async def approved_pair(p: Payments) -> tuple[str, str]:
    await p.fund()
    a = await p.create(index=0, requested_cents=1_000_00)
    b = await p.create(index=1, requested_cents=1_200_00)
    return a.grant_id, b.grant_id


def test_execution_date_keeps_off_weekends() -> None:
    friday = datetime(2025, 3, 7, 10, tzinfo=UTC)
    assert execution_date(friday, 0) == date(2025, 3, 7)
    assert execution_date(friday, 1) == date(2025, 3, 10)  # Saturday -> Monday
    # 23:30 UTC on Sunday is already Monday in Rome.
    assert execution_date(datetime(2025, 3, 9, 23, 30, tzinfo=UTC), 0) == date(2025, 3, 10)


async def test_a_batch_takes_each_approved_grant_once(payments: Payments) -> None:
    a, b = await approved_pair(payments)
    record = await payments.disbursement.create_batch(ROMA, actor="officer")
    assert record.status is BatchStatus.READY
    assert sorted(i.grant_id for i in record.batch.instructions) == sorted([a, b])
    assert record.batch.control_sum_cents == 2_200_00
    assert record.batch.execution_date == date(2025, 3, 5)
    for gid in (a, b):
        stored = await payments.grants.get(gid)
        assert stored is not None
        assert stored.status == GrantStatus.BATCHED.value
    with pytest.raises(InvalidRequestStateError, match="no approved grants"):
        await payments.disbursement.create_batch(ROMA, actor="officer")


async def test_a_crashed_assembly_is_finished_by_the_next_run(payments: Payments) -> None:
    a, b = await approved_pair(payments)
    record = await payments.disbursement.create_batch(ROMA, actor="officer")
    # Pretend the process died right after creating the batch: status back to assembling.
    stored = payments.batches.records[record.batch_id]
    stored.status = BatchStatus.ASSEMBLING
    c = await payments.create(index=2, requested_cents=900_00)
    second = await payments.disbursement.create_batch(ROMA, actor="officer")
    assert [i.grant_id for i in second.batch.instructions] == [c.grant_id]
    finished = await payments.batches.get(record.batch_id)
    assert finished is not None
    assert finished.status is BatchStatus.READY
    assert sorted(i.grant_id for i in finished.batch.instructions) == sorted([a, b])


async def test_the_bank_answer_disburses_or_returns_and_moves_the_money(payments: Payments) -> None:
    a, b = await approved_pair(payments)
    batch_id = (await payments.disbursement.create_batch(ROMA, actor="officer")).batch_id
    answer = parse_pain002(
        report(
            batch_id,
            [
                TransactionStatus(end_to_end_id_for(a), "ACSC"),
                TransactionStatus(end_to_end_id_for(b), "RJCT", "AC04"),
            ],
        )
    )
    summary = await payments.disbursement.import_status_report(batch_id, answer, actor="officer", scope=SCOPE)
    assert (summary.settled, summary.returned, summary.waiting) == ([a], [b], [])
    assert summary.batch_status is BatchStatus.CLOSED
    budget = await payments.ledger.get(ROMA)
    assert (budget.reserved_cents, budget.committed_cents) == (0, 1_000_00)
    disbursed = payments.grants.events_of(events.GrantDisbursed)
    returned = payments.grants.events_of(events.GrantReturned)
    assert [e.grant_id for e in disbursed] == [a]
    assert [(e.grant_id, e.bank_reason_code) for e in returned] == [(b, "AC04")]

    # The same report again changes nothing.
    await payments.disbursement.import_status_report(batch_id, answer, actor="officer", scope=SCOPE)
    assert len(payments.grants.events_of(events.GrantDisbursed)) == 1
    assert (await payments.ledger.get(ROMA)).committed_cents == 1_000_00

    # A late return of the paid grant gives its money back too.
    late = parse_pain002(report(batch_id, [TransactionStatus(end_to_end_id_for(a), "RJCT", "MD06")], "STS-2"))
    await payments.disbursement.import_status_report(batch_id, late, actor="officer", scope=SCOPE)
    budget = await payments.ledger.get(ROMA)
    assert (budget.reserved_cents, budget.committed_cents, budget.available_cents) == (0, 0, 48_925_14)
    assert (await payments.reconciliation(ROMA)).clean


async def test_a_report_for_another_file_is_refused(payments: Payments) -> None:
    await approved_pair(payments)
    batch_id = (await payments.disbursement.create_batch(ROMA, actor="officer")).batch_id
    other = parse_pain002(report("LGN-058091-000000000000-001", []))
    with pytest.raises(StatusReportMismatchError, match="not batch"):
        await payments.disbursement.import_status_report(batch_id, other, actor="officer", scope=SCOPE)


async def test_programme_report_and_reconciliation(payments: Payments) -> None:
    await approved_pair(payments)
    await payments.fund("015146", 10_000_00)
    await payments.create(index=5)  # pending review
    report_ = await payments.reporting.report(frozenset({ROMA, "015146"}))
    roma = next(line for line in report_.lines if line.istat == ROMA)
    assert (roma.allocation_cents, roma.reserved_cents, roma.available_cents) == (
        48_925_14,
        2_200_00,
        46_725_14,
    )
    assert roma.grants_granted == 2
    assert roma.grants_by_status == {"approved": 2, "pending_review": 1}
    assert report_.total("allocation_cents") == 58_925_14
    reconciliation = await payments.reconciliation(ROMA)
    assert reconciliation.clean
    assert reconciliation.ledger_entries == 3


async def test_reconciliation_finds_a_grant_the_ledger_does_not_hold(payments: Payments) -> None:
    a, _ = await approved_pair(payments)
    stored = payments.grants.files[a]
    assert stored.grant is not None
    # A grant marked approved behind the ledger's back (e.g. restored from an old backup).
    stored.grant = replace(stored.grant, amount_cents=999_00)
    reconciliation = await payments.reconciliation(ROMA)
    assert not reconciliation.clean
    assert [m.grant_id for m in reconciliation.grant_mismatches] == [a]
