"""Aggregates whose state change, outgoing events and handled-event record are ONE write.

No engine we run on has multi-document transactions, so the events an aggregate change
causes wait in the aggregate's own document (`_outbox`) until the relay has published them,
and the id of the event that caused the change is kept in the same document (`_handled`) so a
redelivered event finds its effect already there and changes nothing.

Reserved fields in every aggregate document:
- `_v`: version for optimistic concurrency;
- `_outbox`: events waiting for the relay (a document is pending while it is not empty; a
  partial index holds exactly the pending ones); `_outbox_seq`: how many events were ever queued;
- `_handled`: ids of the latest events applied (bounded).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bson import Binary
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_contracts import Envelope, encode
from lgnet_runtime.telemetry import current_trace_headers

HANDLED_KEPT = 200
RESERVED = ("_v", "_outbox", "_outbox_seq", "_handled")

Document = dict[str, Any]


class WriteResult(StrEnum):
    APPLIED = "applied"
    ALREADY_HANDLED = "already_handled"
    CONFLICT = "conflict"  # version moved on, or a condition no longer holds
    NOT_FOUND = "not_found"


def outbox_entry(event: Envelope[Any], trace_headers: Mapping[str, str]) -> Document:
    return {
        "id": str(event.event_id),
        "topic": event.payload.topic,
        "key": Binary(event.key),
        "value": Binary(encode(event)),
        "headers": dict(trace_headers),
        "at": event.occurred_at,
    }


def strip_reserved(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if k not in RESERVED}


class AggregateCollection:
    """A MongoDB collection of aggregates written with their outbox, atomically."""

    def __init__(
        self, collection: AsyncCollection[Document], *, on_commit: Callable[[str, Any], None] | None = None
    ):
        self.collection = collection
        # Told (collection name, aggregate id) after a write that queued events: the relay's hint.
        self._on_commit = on_commit or (lambda _name, _id: None)

    @property
    def name(self) -> str:
        return self.collection.name

    async def ensure_indexes(self, extra: Iterable[IndexModel] = ()) -> None:
        await self.collection.create_indexes(
            [
                # Only pending documents are in it, so the relay's look costs what is pending.
                IndexModel(
                    [("_outbox.id", ASCENDING)],
                    name="outbox_pending",
                    partialFilterExpression={"_outbox.id": {"$exists": True}},
                ),
                *extra,
            ]
        )

    async def load(self, aggregate_id: Any) -> Document | None:
        return await self.collection.find_one({"_id": aggregate_id}, {"_outbox": 0})

    async def insert(
        self, doc: Document, *, events: Iterable[Envelope[Any]] = (), handled: str | None = None
    ) -> WriteResult:
        """Create an aggregate; its id must be derived from the cause so a redelivery collides."""
        entries = self._entries(events)
        full = {
            **doc,
            "_v": 1,
            "_outbox": entries,
            "_outbox_seq": len(entries),
            "_handled": [handled] if handled else [],
        }
        try:
            await self.collection.insert_one(full)
        except DuplicateKeyError:
            if handled is not None and await self._was_handled(doc["_id"], handled):
                return WriteResult.ALREADY_HANDLED
            return WriteResult.CONFLICT
        if entries:
            self._on_commit(self.name, doc["_id"])
        return WriteResult.APPLIED

    async def update(
        self,
        aggregate_id: Any,
        *,
        expected_version: int | None,
        set_fields: Document | None = None,
        inc: Document | None = None,
        push: Document | None = None,
        pull: Document | None = None,
        unset: Iterable[str] = (),
        condition: Document | None = None,
        events: Iterable[Envelope[Any]] = (),
        handled: str | None = None,
    ) -> WriteResult:
        """One conditional atomic update: state, events and the handled marker together.

        `expected_version` None means the change commutes (a counter guarded by `condition`),
        so it is applied to whatever version is current.
        """
        query: Document = {"_id": aggregate_id, **(condition or {})}
        if expected_version is not None:
            query["_v"] = expected_version
        if handled is not None:
            query["_handled"] = {"$ne": handled}
        entries = self._entries(events)
        update: Document = {"$inc": {"_v": 1, **(inc or {})}}
        if set_fields:
            update["$set"] = dict(set_fields)
        pushes: Document = dict(push or {})
        if entries:
            pushes["_outbox"] = {"$each": entries}
            update["$inc"]["_outbox_seq"] = len(entries)
        if handled is not None:
            pushes["_handled"] = {"$each": [handled], "$slice": -HANDLED_KEPT}
        if pushes:
            update["$push"] = pushes
        if pull:
            update["$pull"] = pull
        if unset:
            update["$unset"] = dict.fromkeys(unset, "")
        result = await self.collection.update_one(query, update)
        if result.matched_count:
            if entries:
                self._on_commit(self.name, aggregate_id)
            return WriteResult.APPLIED
        current = await self.collection.find_one({"_id": aggregate_id}, {"_handled": 1})
        if current is None:
            return WriteResult.NOT_FOUND
        if handled is not None and handled in current.get("_handled", []):
            return WriteResult.ALREADY_HANDLED
        return WriteResult.CONFLICT

    async def _was_handled(self, aggregate_id: Any, handled: str) -> bool:
        found = await self.collection.find_one({"_id": aggregate_id, "_handled": handled}, {"_id": 1})
        return found is not None

    @staticmethod
    def _entries(events: Iterable[Envelope[Any]]) -> list[Document]:
        events = list(events)
        if not events:
            return []  # most writes cause no event: skip capturing the trace context
        trace_headers = current_trace_headers()
        return [outbox_entry(event, trace_headers) for event in events]


def utcnow() -> datetime:
    return datetime.now(UTC)
