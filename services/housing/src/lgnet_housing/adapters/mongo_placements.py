"""Placements in MongoDB: one document per placement, written with its outbox in one update.

Partner webhooks wait in the same document (`webhook_outbox`) until the delivery queue takes
them over, so a state change, its Kafka events and its webhooks are one atomic write.
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from lgnet_contracts import Envelope
from lgnet_housing.application.errors import NotFound, StaleVersion
from lgnet_housing.application.ports import StoredPlacement, WebhookMessage
from lgnet_housing.domain.placement import PlacementStatus
from lgnet_runtime.outbox import AggregateCollection, WriteResult

from .codec import Document, placement_fields, placement_of

_HIDDEN = {"_outbox": 0, "webhook_outbox": 0, "_handled": 0}


def webhook_doc(message: WebhookMessage) -> Document:
    return {
        "id": message.id,
        "shelter_id": message.shelter_id,
        "event_type": message.event_type,
        "body": message.body,
        "created_at": message.created_at,
    }


class MongoPlacementRepository:
    def __init__(self, aggregates: AggregateCollection) -> None:
        self._aggregates = aggregates
        self._collection = aggregates.collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes(
            [
                IndexModel([("case_id", ASCENDING)]),
                IndexModel([("status", ASCENDING), ("municipality", ASCENDING)]),
                IndexModel([("shelter_id", ASCENDING), ("status", ASCENDING)]),
                IndexModel([("status", ASCENDING), ("offer_expires_at", ASCENDING)]),
                IndexModel([("webhook_outbox_pending", ASCENDING)]),
            ]
        )

    async def add(self, stored: StoredPlacement, events: Sequence[Envelope[Any]], *, handled: str) -> bool:
        doc = {"_id": stored.placement.id, **placement_fields(stored), "webhook_outbox": []}
        result = await self._aggregates.insert(doc, events=events, handled=handled)
        return result is WriteResult.APPLIED

    async def get(self, placement_id: str) -> StoredPlacement | None:
        doc = await self._collection.find_one({"_id": placement_id}, _HIDDEN)
        return None if doc is None else placement_of(doc)

    async def save(
        self,
        stored: StoredPlacement,
        *,
        events: Sequence[Envelope[Any]] = (),
        webhooks: Sequence[WebhookMessage] = (),
        handled: str | None = None,
    ) -> bool:
        fields = placement_fields(stored)
        push: Document = {}
        if webhooks:
            push["webhook_outbox"] = {"$each": [webhook_doc(m) for m in webhooks]}
            fields["webhook_outbox_pending"] = True
        result = await self._aggregates.update(
            stored.placement.id,
            expected_version=stored.revision,
            set_fields=fields,
            push=push or None,
            events=events,
            handled=handled,
        )
        if result is WriteResult.APPLIED:
            return True
        if result is WriteResult.ALREADY_HANDLED:
            return False
        if result is WriteResult.NOT_FOUND:
            raise NotFound(stored.placement.id)
        raise StaleVersion(stored.placement.id)

    async def of_case(self, case_id: str) -> list[StoredPlacement]:
        return await self._find({"case_id": case_id})

    async def at_shelter(
        self, shelter_id: str, statuses: Collection[PlacementStatus]
    ) -> list[StoredPlacement]:
        return await self._find({"shelter_id": shelter_id, "status": {"$in": [s.value for s in statuses]}})

    async def with_status(
        self,
        statuses: Collection[PlacementStatus],
        *,
        municipalities: Collection[str] | None = None,
        updated_before: datetime | None = None,
    ) -> list[StoredPlacement]:
        query: Document = {"status": {"$in": [s.value for s in statuses]}}
        if municipalities is not None:
            query["municipality"] = {"$in": sorted(municipalities)}
        if updated_before is not None:
            query["updated_at"] = {"$lt": updated_before}
        return await self._find(query)

    async def offers_due(self, now: datetime) -> list[StoredPlacement]:
        return await self._find({"status": PlacementStatus.OFFERED.value, "offer_expires_at": {"$lte": now}})

    async def _find(self, query: Document) -> list[StoredPlacement]:
        docs = await self._collection.find(query, _HIDDEN).to_list()
        return [placement_of(doc) for doc in docs]
