"""The outbox relay: publishes events waiting in aggregate documents, then removes them.

At-least-once by construction: an event leaves `_outbox` only after Kafka acknowledged it
(acks=all), so a crash anywhere means it is published again, never lost; consumers are
idempotent by event id.

Several instances may run. Per collection, one of them holds a lease (a document in
`_relay_leases`, renewed on every pass, released on stop) and publishes; the others stand by
and take over when a lease expires, so no two instances publish the same events at once.

The holder reaches documents by `_id`: the ids its own process wrote (hints). It looks for
pending documents (a non-empty `_outbox`) only when it has reason to: when it takes the lease,
when a standby instance wrote and "poked" the lease document (one `_id` update per pass of that
instance), after a failed pass, and every `sweep_seconds` for what a crashed writer left behind.
The look is index-backed on MongoDB but a collection scan on engines without secondary indexes,
so it stays off the per-event path.
"""

import asyncio
import contextlib
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_runtime.logging import get_logger
from lgnet_runtime.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LEASES = "_relay_leases"
PENDING = {"_outbox.id": {"$exists": True}}  # a document with events still to publish
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
        sweep_seconds: float = 30.0,
        linger_seconds: float = 0.02,
        max_hints: int | None = None,
    ) -> None:
        self._collections = list(collections)
        self._publisher = publisher
        self._service = service
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._poll_seconds = poll_seconds
        self._sweep_seconds = sweep_seconds
        self._linger_seconds = linger_seconds
        self._max_hints = max_hints or 20 * batch_size  # ids of aggregates with events waiting
        self._owner = f"{service}-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._hints: dict[str, set[Any]] = {}
        self._last_sweep: dict[str, float] = {}
        self._look: set[str] = {c.name for c in self._collections}  # collections to look through
        self._held: set[str] = set()  # collections whose lease this instance holds
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._backlog_checked = 0.0

    def wake(self, collection: str | None = None, aggregate_id: Any = None) -> None:
        """Called after a local write that queued events, so they go out without waiting a poll.

        The aggregate's id is a hint: the relay reads hinted documents by `_id` instead of
        looking for pending ones.
        """
        if collection is not None:
            hinted = self._hints.setdefault(collection, set())
            if len(hinted) >= self._max_hints:
                # Kafka away for long, writes going on: a look finds them all, memory stays flat.
                hinted.clear()
                self._look.add(collection)
            hinted.add(aggregate_id)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._service}")

    async def stop(self, *, flush_timeout: float = 10.0) -> None:
        """Stop polling, then publish what is still waiting (bounded), then return. What cannot
        be published now (Kafka or Mongo away) stays in the outbox for the next holder."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        try:
            async with asyncio.timeout(flush_timeout):
                while await self.drain_once():
                    pass
        except Exception as exc:
            log.warning("outbox.flush_incomplete", error=type(exc).__name__)
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
                # The hints of the failed pass are gone: look for what is still pending.
                self._look.update(c.name for c in self._collections)
                with contextlib.suppress(Exception):  # Kafka away, Mongo may answer: show the backlog
                    await self._report_backlog()
                delay = min(30.0, 0.2 * 2**failures) * random.uniform(0.5, 1.0)
                log.warning("outbox.relay_failed", error=type(exc).__name__, retry_in_s=round(delay, 2))
                await asyncio.sleep(delay)
                continue
            if published >= self._batch_size or any(self._hints.values()) or self._look:
                continue  # a backlog: straight on with the next batch
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
        """Take or renew this instance's lease on the collection; False while another holds it.

        Taking it, or finding it poked by a standby's write, means looking for pending documents.
        The poke is read and cleared in the same atomic update, and a standby pokes only after
        its write, so a write is either seen by a look that follows or leaves the poke set.
        """
        now = datetime.now(UTC)
        leases = collection.database[LEASES]
        try:
            before = await leases.find_one_and_update(
                {"_id": collection.name, "$or": [{"owner": self._owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "until": now + self._lease, "poked": False}},
                upsert=True,
                return_document=ReturnDocument.BEFORE,
            )
        except DuplicateKeyError:
            self._held.discard(collection.name)
            return False  # the lease exists, is someone else's and is still valid
        self._held.add(collection.name)
        if before is None or before.get("owner") != self._owner or before.get("poked"):
            self._look.add(collection.name)
        return True

    async def _poke(self, collection: AsyncCollection[Document]) -> None:
        """A standby wrote events: tell the holder to look, instead of publishing them itself."""
        await collection.database[LEASES].update_one({"_id": collection.name}, {"$set": {"poked": True}})

    async def _release_leases(self) -> None:
        for collection in self._collections:
            with contextlib.suppress(Exception):
                await collection.database[LEASES].update_one(
                    {"_id": collection.name, "owner": self._owner}, {"$set": {"until": EPOCH}}
                )

    async def _drain_collection(self, collection: AsyncCollection[Document]) -> int:
        name = collection.name
        if not await self._hold_lease(collection):
            self._look.discard(name)  # the holder looks; taking the lease later means a look
            if self._hints.pop(name, None):
                await self._poke(collection)
            return 0
        ids = self._candidate_hints(name)
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._last_sweep.get(name, loop_time) >= self._sweep_seconds:
            self._look.add(name)  # what a writer that crashed before poking left behind
        self._last_sweep.setdefault(name, loop_time)
        if name in self._look:
            self._look.discard(name)
            self._last_sweep[name] = loop_time
            found = await collection.find(PENDING, {"_id": 1}).limit(self._batch_size).to_list()
            ids = list(dict.fromkeys([*ids, *(doc["_id"] for doc in found)]))
            if len(found) >= self._batch_size:
                self._look.add(name)  # a full page: there may be more, look again next pass
        if not ids:
            return 0
        docs = await collection.find({"_id": {"$in": ids}}, {"_outbox": 1}).to_list()
        docs = [doc for doc in docs if doc.get("_outbox")]
        entries = [entry for doc in docs for entry in doc["_outbox"]]
        if not entries:
            return 0
        await self._publisher.publish_all(entries)
        # Only what was sent is removed: events added while publishing wait for the next pass.
        await collection.bulk_write(
            [
                UpdateOne(
                    {"_id": doc["_id"]},
                    {"$pull": {"_outbox": {"id": {"$in": [entry["id"] for entry in doc["_outbox"]]}}}},
                )
                for doc in docs
            ],
            ordered=False,
        )
        OUTBOX_PUBLISHED.labels(self._service).inc(len(entries))
        return len(entries)

    async def _report_backlog(self) -> None:
        """Pending documents where this instance publishes (standbys report 0). Counting scans the
        collection on engines without secondary indexes, so it is skipped while the relay keeps up:
        no look due (after a failure or a full page) and less than a batch of hints waiting."""
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._backlog_checked < 5.0:
            return
        self._backlog_checked = loop_time
        pending = 0
        for collection in self._collections:
            name = collection.name
            if name in self._held and (
                name in self._look or len(self._hints.get(name, ())) >= self._batch_size
            ):
                pending += await collection.count_documents(PENDING)
        OUTBOX_BACKLOG.labels(self._service).set(pending)
