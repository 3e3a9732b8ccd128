"""The outbox relay: publishes events waiting in aggregate documents, then removes them.

At-least-once by construction: an event leaves `_outbox` only after Kafka acknowledged it
(acks=all), so a crash anywhere means it is published again, never lost; consumers are
idempotent by event id.

Several instances may run. Per collection, one of them holds a lease (a document in
`_relay_leases`, renewed on every pass, released on stop) and publishes; the others stand by
and take over when a lease expires, so no two instances publish the same events at once. The
holder reaches documents by `_id` only: the ids its own process wrote (hints), and every
`poll_seconds` the documents still flagged `_outbox_pending` (other processes' writes, or what
a crash left behind). A pass therefore costs a few index lookups whatever the collection size.
"""

import asyncio
import contextlib
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_runtime.logging import get_logger
from lgnet_runtime.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LEASES = "_relay_leases"
Document = dict[str, Any]
log = get_logger(__name__)


class OutboxPublisher(Protocol):
    async def publish_all(self, entries: Sequence[Document]) -> None:
        """Send every entry, in order, and return once all are acknowledged; raise otherwise."""


class KafkaOutboxPublisher:
    """Publishes with a producer of its own (acks=all, idempotent): every send of a pass is
    queued at once and the pass waits for all acknowledgements together."""

    def __init__(self, bootstrap: str, namespace: str = "", client_id: str = "lgnet-relay") -> None:
        self._namespace = namespace
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish_all(self, entries: Sequence[Document]) -> None:
        send = self._producer.send
        futures = [
            await send(
                self._namespace + e["topic"],
                bytes(e["value"]),
                key=bytes(e["key"]),
                headers=[(k, v.encode()) for k, v in e["headers"].items()],
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
        self._more_pending: set[str] = set()
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
        await self._release_leases()  # a standby instance takes over at once

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
        return [hinted.pop() for _ in range(min(len(hinted), self._batch_size))]

    async def _hold_lease(self, collection: AsyncCollection[Document]) -> bool:
        """Take or renew this instance's lease on the collection; False while another holds it."""
        now = datetime.now(UTC)
        leases = collection.database[LEASES]
        try:
            await leases.update_one(
                {"_id": collection.name, "$or": [{"owner": self._owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "until": now + self._lease}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the lease exists, is someone else's and is still valid
        return True

    async def _release_leases(self) -> None:
        for collection in self._collections:
            with contextlib.suppress(Exception):
                await collection.database[LEASES].update_one(
                    {"_id": collection.name, "owner": self._owner}, {"$set": {"until": EPOCH}}
                )

    async def _drain_collection(self, collection: AsyncCollection[Document]) -> int:
        if not await self._hold_lease(collection):
            self._hints.pop(collection.name, None)  # the holder finds them when it looks
            return 0
        ids = self._candidate_hints(collection.name)
        loop_time = asyncio.get_running_loop().time()
        due = loop_time - self._last_discovery.get(collection.name, -1e9) >= self._poll_seconds
        if due or collection.name in self._more_pending:
            self._last_discovery[collection.name] = loop_time
            # Documents whose events are all gone stop being candidates; atomic per document,
            # so an event pushed meanwhile (which sets the flag again) is never missed.
            await collection.update_many(
                {"_outbox_pending": True, "_outbox": {"$size": 0}}, {"$set": {"_outbox_pending": False}}
            )
            found = (
                await collection.find({"_outbox_pending": True}, {"_id": 1}).limit(self._batch_size).to_list()
            )
            ids = list(dict.fromkeys([*ids, *(doc["_id"] for doc in found)]))
            # A full page means there may be more: look again on the next pass, not a poll later.
            if len(found) >= self._batch_size:
                self._more_pending.add(collection.name)
            else:
                self._more_pending.discard(collection.name)
        if not ids:
            return 0
        docs = await collection.find({"_id": {"$in": ids}}, {"_outbox": 1}).to_list()
        docs = [doc for doc in docs if doc.get("_outbox")]
        entries = [entry for doc in docs for entry in doc["_outbox"]]
        if not entries:
            return 0
        await self._publisher.publish_all(entries)
        # Only what was sent is removed: events added while publishing wait for the next pass.
        await collection.update_many(
            {"_id": {"$in": [doc["_id"] for doc in docs]}},
            {"$pull": {"_outbox": {"id": {"$in": [entry["id"] for entry in entries]}}}},
        )
        OUTBOX_PUBLISHED.labels(self._service).inc(len(entries))
        return len(entries)

    async def _report_backlog(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._backlog_checked < 5.0:
            return
        self._backlog_checked = loop_time
        pending = 0
        for collection in self._collections:
            pending += await collection.count_documents({"_outbox_pending": True})
        OUTBOX_BACKLOG.labels(self._service).set(pending)
