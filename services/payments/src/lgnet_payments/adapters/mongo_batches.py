"""Payment batches on MongoDB. Each payee's name and IBAN is sealed, bound to its grant id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from pymongo import ASCENDING, IndexModel

from lgnet_payments.adapters.grant_document import ERASED
from lgnet_payments.adapters.personal_seal import PersonalSeal
from lgnet_payments.application.ports import SaveOutcome
from lgnet_payments.application.records import BatchRecord, BatchStatus, ImportedReport
from lgnet_payments.domain.batch import DebtorAccount, PaymentBatch, PaymentInstruction
from lgnet_runtime.outbox import AggregateCollection, WriteResult

INDEXES = [IndexModel([("municipality", ASCENDING), ("status", ASCENDING)], name="by_status")]


class MongoBatchRepository:
    def __init__(self, batches: AggregateCollection, seal: PersonalSeal) -> None:
        self._batches = batches
        self._seal = seal

    async def ensure_indexes(self) -> None:
        await self._batches.ensure_indexes(INDEXES)

    def _to_document(self, record: BatchRecord) -> dict[str, Any]:
        b = record.batch
        return {
            "_id": b.batch_id,
            "municipality": b.municipality,
            "status": record.status.value,
            "created_by": record.created_by,
            "created_at": b.created_at,
            "execution_date": b.execution_date.isoformat(),
            "debtor": {"name": b.debtor.name, "iban": b.debtor.iban, "bic": b.debtor.bic},
            "count": b.count,
            "control_sum_cents": b.control_sum_cents,
            "instructions": [
                {
                    "grant_id": i.grant_id,
                    "end_to_end_id": i.end_to_end_id,
                    "amount_cents": i.amount_cents,
                    "remittance": i.remittance,
                    "payee": None
                    if i.grant_id in record.erased_payees
                    else self._seal.seal_payee(i.payee_name, i.payee_iban, grant_id=i.grant_id),
                }
                for i in b.instructions
            ],
            "erased_payees": sorted(record.erased_payees),
            "reports": [
                {
                    "message_id": r.message_id,
                    "imported_at": r.imported_at,
                    "imported_by": r.imported_by,
                    "settled": r.settled,
                    "returned": r.returned,
                    "waiting": r.waiting,
                }
                for r in record.reports
            ],
        }

    def _from_document(self, doc: dict[str, Any]) -> BatchRecord:
        instructions = []
        for i in doc["instructions"]:
            if i.get("payee") is None:
                name, iban = ERASED, ERASED
            else:
                name, iban = self._seal.open_payee(i["payee"], grant_id=i["grant_id"])
            instructions.append(
                PaymentInstruction(
                    i["grant_id"], i["end_to_end_id"], name, iban, i["amount_cents"], i["remittance"]
                )
            )
        d = doc["debtor"]
        batch = PaymentBatch(
            batch_id=doc["_id"],
            municipality=doc["municipality"],
            execution_date=date.fromisoformat(doc["execution_date"]),
            created_at=doc["created_at"],
            debtor=DebtorAccount(d["name"], d["iban"], d.get("bic")),
            instructions=tuple(instructions),
        )
        reports = [ImportedReport(**r) for r in doc.get("reports", [])]
        return BatchRecord(
            batch,
            BatchStatus(doc["status"]),
            doc["created_by"],
            reports,
            doc["_v"],
            set(doc.get("erased_payees", [])),
        )

    async def add(self, record: BatchRecord) -> bool:
        applied = await self._batches.insert(self._to_document(record)) is WriteResult.APPLIED
        if applied:
            record.version = 1
        return applied

    async def get(self, batch_id: str) -> BatchRecord | None:
        doc = await self._batches.load(batch_id)
        return self._from_document(doc) if doc else None

    async def save(self, record: BatchRecord) -> SaveOutcome:
        doc = self._to_document(record)
        doc.pop("_id")
        result = await self._batches.update(record.batch_id, expected_version=record.version, set_fields=doc)
        if result is WriteResult.APPLIED:
            record.version += 1
            return SaveOutcome.SAVED
        return SaveOutcome.NOT_FOUND if result is WriteResult.NOT_FOUND else SaveOutcome.CONFLICT

    async def assembling(self, municipality: str) -> Sequence[BatchRecord]:
        cursor = self._batches.collection.find(
            {"municipality": municipality, "status": BatchStatus.ASSEMBLING.value}, {"_outbox": 0}
        )
        return [self._from_document(doc) async for doc in cursor]

    async def ids_starting_with(self, prefix: str) -> Sequence[str]:
        cursor = self._batches.collection.find({"_id": {"$regex": "^" + re.escape(prefix)}}, {"_id": 1})
        return [str(doc["_id"]) async for doc in cursor]
