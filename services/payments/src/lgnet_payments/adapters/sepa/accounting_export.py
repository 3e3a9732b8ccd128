"""Plain disbursement export for the municipality's accounting system, and the sink Protocol.

Italian municipalities pay through their treasurer with OPI orders over SIOPE+; the
payments service does not speak OPI. It hands each batch to the accounting system, which
issues the OPI. Two documented formats, plus SEPA pain.001 for bodies that pay from an
ordinary bank account, all behind ``DisbursementSink``.

CSV (``text/csv``, UTF-8 without BOM, ``;`` separator, CRLF line ends, RFC 4180 quoting
when a field contains ``;``, ``"`` or a line break), one header row then one row per payment::

    batch_id;municipality_istat;execution_date;debtor_name;debtor_iban;grant_id;end_to_end_id;payee_name;payee_iban;amount_eur;currency;remittance

- ``execution_date``: ISO date ``YYYY-MM-DD``;
- ``amount_eur``: euros with exactly two decimals and ``.`` as decimal separator, no
  thousands separator (``1250.00``), computed from integer cents with Decimal;
- ``currency``: always ``EUR``; ``remittance``: grant reference only, no personal details.

The file is meant for machine import: names are exported verbatim, so do not open it in a
spreadsheet that evaluates formulas.

JSON (``application/json``, UTF-8): ``{"format": "lgnet3.disbursement.v1", "batch_id",
"municipality_istat", "execution_date", "created_at" (ISO 8601 UTC), "debtor": {"name",
"iban", "bic"}, "count", "control_sum_eur" (string), "control_sum_cents" (int),
"payments": [{"grant_id", "end_to_end_id", "payee_name", "payee_iban", "amount_eur",
"amount_cents", "currency", "remittance"}]}``. Amounts appear both as exact decimal strings
and integer cents so no consumer ever parses a float.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from lgnet_payments.adapters.sepa.pain001 import Pain001Sink
from lgnet_payments.domain.batch import PaymentBatch

CSV_HEADER = (
    "batch_id",
    "municipality_istat",
    "execution_date",
    "debtor_name",
    "debtor_iban",
    "grant_id",
    "end_to_end_id",
    "payee_name",
    "payee_iban",
    "amount_eur",
    "currency",
    "remittance",
)
JSON_FORMAT = "lgnet3.disbursement.v1"


@runtime_checkable
class DisbursementSink(Protocol):
    """Renders a payment batch as a file another system accepts."""

    format_name: str
    media_type: str
    file_extension: str

    def render(self, batch: PaymentBatch) -> bytes: ...


def cents_to_euros(cents: int) -> str:
    """Exact: Decimal(1250).scaleb(-2) == Decimal('12.50'); never via float."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError("amounts are integer cents")
    return str(Decimal(cents).scaleb(-2).quantize(Decimal("0.01")))


def render_csv(batch: PaymentBatch) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for i in batch.instructions:
        writer.writerow(
            (
                batch.batch_id,
                batch.municipality,
                batch.execution_date.isoformat(),
                batch.debtor.name,
                batch.debtor.iban,
                i.grant_id,
                i.end_to_end_id,
                i.payee_name,
                i.payee_iban,
                cents_to_euros(i.amount_cents),
                "EUR",
                i.remittance,
            )
        )
    return buffer.getvalue().encode("utf-8")


def render_json(batch: PaymentBatch) -> bytes:
    document: dict[str, Any] = {
        "format": JSON_FORMAT,
        "batch_id": batch.batch_id,
        "municipality_istat": batch.municipality,
        "execution_date": batch.execution_date.isoformat(),
        "created_at": batch.created_at.astimezone(UTC).isoformat(),
        "debtor": {"name": batch.debtor.name, "iban": batch.debtor.iban, "bic": batch.debtor.bic},
        "count": batch.count,
        "control_sum_eur": cents_to_euros(batch.control_sum_cents),
        "control_sum_cents": batch.control_sum_cents,
        "payments": [
            {
                "grant_id": i.grant_id,
                "end_to_end_id": i.end_to_end_id,
                "payee_name": i.payee_name,
                "payee_iban": i.payee_iban,
                "amount_eur": cents_to_euros(i.amount_cents),
                "amount_cents": i.amount_cents,
                "currency": "EUR",
                "remittance": i.remittance,
            }
            for i in batch.instructions
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class CsvAccountingSink:
    format_name = "accounting-csv"
    media_type = "text/csv; charset=utf-8"
    file_extension = "csv"

    def render(self, batch: PaymentBatch) -> bytes:
        return render_csv(batch)


class JsonAccountingSink:
    format_name = "accounting-json"
    media_type = "application/json"
    file_extension = "json"

    def render(self, batch: PaymentBatch) -> bytes:
        return render_json(batch)


def available_sinks() -> dict[str, DisbursementSink]:
    """By ``format_name``; a municipality's configuration picks one or more."""
    sinks: list[DisbursementSink] = [Pain001Sink(), CsvAccountingSink(), JsonAccountingSink()]
    return {s.format_name: s for s in sinks}


def file_name(batch: PaymentBatch, sink: DisbursementSink) -> str:
    return f"{batch.batch_id}.{sink.file_extension}"
