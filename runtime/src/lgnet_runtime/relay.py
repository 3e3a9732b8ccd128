"""The outbox relay: publishes events waiting in aggregate documents, then marks them sent.

At-least-once by construction: an event leaves `_outbox` only after Kafka acknowledged it
(acks=all), so a crash anywhere means it is published again, never lost; consumers are
idempotent by event id. Several instances may run: a document's events are published only by
the instance holding its lease, and a lease that outlives a crashed holder simply expires.
"""

import asyncio
import contextlib
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pymongo import UpdateMany
from pymongo.asynchronous.collection import AsyncCollection

from lgnet_runtime.logging import get_logger
from lgnet_runtime.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Document = dict[str, Any]
log = get_logger(__name__)


class OutboxPublisher(Protocol):
    async def publish_all(self, entries: Sequence[Document]) -> None:
        """Send every entry, in order, and return once all are acknowledged; raise otherwise."""


class KafkaOutboxPublisher:
    """Publishes through the service's FastStream broker without awaiting each send in turn."""

    def __init__(self, broker: Any, namespace: str = "") -> None:
        self._broker = broker
        self._namespace = namespace

    async def publish_all(self, entries: Sequence[Document]) -> None:
        futures = [
            await self._broker.publish(
                bytes(e["value"]),
                self._namespace + e["topic"],
                key=bytes(e["key"]),
                headers=e["headers"],
                no_confirm=True,
            )
            for e in entries
        ]
        await asyncio.gather(*futures)


class OutboxRelay:
    def __init__(
        self,
        collections: Sequence[AsyncCollection[Document]],
        publisher: OutboxPublisher,
        *,
        service: str,
        batch_size: int = 500,
        lease_seconds: float = 15.0,
        poll_seconds: float = 0.5,
        linger_seconds: float = 0.02,
    ) -> None:
        self._collections = list(collections)
        self._publisher = publisher
        self._service = service
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._poll_seconds = poll_seconds
        self._linger_seconds = linger_seconds
        self._owner = f"{service}-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._hints: dict[str, set[Any]] = {}
        self._last_discovery: dict[str, float] = {}
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._backlog_checked = 0.0

    def wake(self, collection: str | None = None, aggregate_id: Any = None) -> None:
        """Called after a local write that queued events, so they go out without waiting a poll.

        The aggregate's id is a hint: the relay reads hinted documents by `_id` instead of
        looking for pending ones, and still looks every `poll_seconds` for what other processes
        wrote or a crash left behind.
        """
        if collection is not None:
            self._hints.setdefault(collection, set()).add(aggregate_id)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._service}")

    async def stop(self, *, flush_timeout: float = 10.0) -> None:
        """Stop polling, then publish what is still waiting (bounded), then return."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(flush_timeout):
                while await self.drain_once():
                    pass

    async def drain_once(self) -> int:
        """One pass over every collection; returns how many events were published."""
        published = 0
        for collection in self._collections:
            published += await self._drain_collection(collection)
        return published

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                published = await self.drain_once()
                failures = 0
                await self._report_backlog()
            except Exception as exc:  # Kafka or Mongo unavailable: back off, never spin
                failures += 1
                delay = min(30.0, 0.2 * 2**failures) * random.uniform(0.5, 1.0)
                log.warning("outbox.relay_failed", error=type(exc).__name__, retry_in_s=round(delay, 2))
                await asyncio.sleep(delay)
                continue
            if published >= self._batch_size:
                continue  # a backlog: straight on with the next full batch
            if published == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_seconds):
                        await self._wake.wait()
            # Let the writes of the next few milliseconds join the next pass, rather than
            # one pass (a handful of round trips) per event under a steady trickle.
            await asyncio.sleep(self._linger_seconds)

    def _candidate_hints(self, name: str) -> list[Any]:
        hinted = self._hints.get(name)
        if not hinted:
            return []
        taken = [hinted.pop() for _ in range(min(len(hinted), self._batch_size))]
        return taken

    async def _drain_collection(self, collection: AsyncCollection[Document]) -> int:
        now = datetime.now(UTC)
        loop_time = asyncio.get_running_loop().time()
        free = {"_outbox_pending": True, "_lease_until": {"$not": {"$gt": now}}}
        ids = self._candidate_hints(collection.name)
        if not ids or loop_time - self._last_discovery.get(collection.name, -1e9) >= self._poll_seconds:
            # Look for pending documents nobody hinted at: other processes' writes, or a crash's.
            self._last_discovery[collection.name] = loop_time
            found = await collection.find(free, {"_id": 1}).limit(self._batch_size).to_list()
            ids = list(dict.fromkeys([*ids, *(c["_id"] for c in found)]))
        if not ids:
            return 0
        token = f"{self._owner}-{uuid.uuid4().hex[:8]}"
        # Selective keys first: engines without a query planner test them in order.
        await collection.update_many(
            {**free, "_id": {"$in": ids}},
            {"$set": {"_lease_owner": token, "_lease_until": now + self._lease}},
        )
        read = await collection.find(
            {"_id": {"$in": ids}}, {"_outbox": 1, "_outbox_seq": 1, "_lease_owner": 1}
        ).to_list()
        claimed = [doc for doc in read if doc.get("_lease_owner") == token]
        if not claimed:
            return 0  # another instance claimed them first
        entries = [entry for doc in claimed for entry in doc.get("_outbox", [])]
        try:
            if entries:
                await self._publisher.publish_all(entries)
        except BaseException:
            await collection.update_many(
                {"_lease_owner": token}, {"$set": {"_lease_owner": None, "_lease_until": EPOCH}}
            )
            raise
        await collection.bulk_write(self._mark_sent(claimed, token), ordered=True)
        OUTBOX_PUBLISHED.labels(self._service).inc(len(entries))
        return len(entries)

    @staticmethod
    def _mark_sent(claimed: list[Document], token: str) -> list[UpdateMany]:
        """Two writes for the whole pass, whatever its size, in this order:

        1. documents nothing was added to meanwhile (the `_outbox_seq` we read): empty the
           outbox and stop being candidates;
        2. every claimed document: remove what was sent (events added meanwhile stay, and keep
           the document pending) and release the lease. Addressed by `_id` alone, so it is an
           index lookup on every engine; the lease we hold outlives the pass by far.
        """
        release = {"_lease_owner": None, "_lease_until": EPOCH}
        by_seq: dict[int, list[Any]] = {}
        for doc in claimed:
            by_seq.setdefault(doc.get("_outbox_seq", 0), []).append(doc["_id"])
        unchanged = [{"_outbox_seq": seq, "_id": {"$in": ids}} for seq, ids in by_seq.items()]
        sent = [entry["id"] for doc in claimed for entry in doc.get("_outbox", [])]
        return [
            UpdateMany(
                {"_lease_owner": token, "$or": unchanged},
                {"$set": {"_outbox": [], "_outbox_pending": False, **release}},
            ),
            UpdateMany(
                {"_id": {"$in": [doc["_id"] for doc in claimed]}},
                {"$pull": {"_outbox": {"id": {"$in": sent}}}, "$set": release},
            ),
        ]

    async def _report_backlog(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._backlog_checked < 5.0:
            return
        self._backlog_checked = loop_time
        pending = 0
        for collection in self._collections:
            pending += await collection.count_documents({"_outbox_pending": True})
        OUTBOX_BACKLOG.labels(self._service).set(pending)
