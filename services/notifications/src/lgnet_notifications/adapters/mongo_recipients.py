"""Recipients in MongoDB: consent, language, opt-outs, and the contact exactly as it arrived, sealed.

The phone number is also kept as a keyed hash (`phone_lookup`), the only way a STOP reply,
which names nothing but the number, can find the person without a plaintext copy at rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from lgnet_notifications.application.records import Recipient
from lgnet_notifications.domain.channels import Channel, OptOuts
from lgnet_runtime.outbox import AggregateCollection, WriteResult

INDEXES = (IndexModel([("phone_lookup", ASCENDING)]),)


def from_document(doc: Mapping[str, Any]) -> Recipient:
    return Recipient(
        case_id=doc["_id"],
        municipality=doc["municipality"],
        consent=doc["consent"],
        language=doc["language"],
        sealed_contact=doc.get("contact"),
        opt_outs=OptOuts(
            everything=doc.get("opt_out_all", False),
            channels=frozenset(Channel(c) for c in doc.get("opt_out_channels", [])),
        ),
        version=doc["_v"],
        erased_at=doc.get("erased_at"),
    )


class MongoRecipientRepository:
    def __init__(self, aggregates: AggregateCollection) -> None:
        self._aggregates = aggregates
        self._collection = aggregates.collection

    async def ensure_indexes(self) -> None:
        await self._aggregates.ensure_indexes(INDEXES)

    async def add(self, recipient: Recipient, *, phone_lookup: str | None, handled: str) -> bool:
        doc = {
            "_id": recipient.case_id,
            "municipality": recipient.municipality,
            "consent": recipient.consent,
            "language": recipient.language,
            "contact": dict(recipient.sealed_contact) if recipient.sealed_contact is not None else None,
            "phone_lookup": phone_lookup,
            "opt_out_all": recipient.opt_outs.everything,
            "opt_out_channels": sorted(str(c) for c in recipient.opt_outs.channels),
            "registered_at": datetime.now(UTC),
        }
        result = await self._aggregates.insert(doc, handled=handled)
        return result is WriteResult.APPLIED

    async def get(self, case_id: str) -> Recipient | None:
        doc = await self._aggregates.load(case_id)
        return from_document(doc) if doc is not None else None

    async def by_phone_lookup(self, phone_lookup: str) -> Sequence[Recipient]:
        docs = await self._collection.find({"phone_lookup": phone_lookup}, {"_outbox": 0}).to_list()
        return [from_document(doc) for doc in docs]

    async def erase(self, case_id: str, municipality: str, *, at: datetime, handled: str) -> bool:
        erased = {"contact": None, "phone_lookup": None, "opt_out_all": True, "erased_at": at}
        result = await self._aggregates.update(
            case_id, expected_version=None, set_fields=erased, handled=handled
        )
        if result is WriteResult.NOT_FOUND:
            # Never registered here: a tombstone, so a replayed `case.reported` cannot bring it back.
            tombstone: dict[str, Any] = {
                "_id": case_id,
                "municipality": municipality,
                "consent": False,
                "language": "it",
                "opt_out_channels": [],
                "registered_at": at,
                **erased,
            }
            result = await self._aggregates.insert(tombstone, handled=handled)
            if result is WriteResult.CONFLICT:  # registered meanwhile: erase that one
                return await self.erase(case_id, municipality, at=at, handled=handled)
        return result is WriteResult.APPLIED

    async def opt_out(self, case_id: str, channel: Channel | None) -> bool:
        if channel is None:
            result = await self._aggregates.update(
                case_id, expected_version=None, set_fields={"opt_out_all": True}
            )
        else:
            # Commutative: pushed only when absent, so two STOPs at once leave one entry.
            result = await self._aggregates.update(
                case_id,
                expected_version=None,
                push={"opt_out_channels": str(channel)},
                condition={"opt_out_channels": {"$ne": str(channel)}},
            )
        return result in (WriteResult.APPLIED, WriteResult.CONFLICT)
