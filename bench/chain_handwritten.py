"""The minimal hand-written chain: plain aiokafka + PyMongo, the same I/O per hop as the runtime.

Per hop and poll (`getmany`, at most 500 records): the partitions are handled concurrently, one
partition's records in order; per event ONE insert that stores the state, the outgoing event and
the handled event id in the same document. Hop 1 then produces the batch's outgoing events
(acks=all, idempotent producer, sends not awaited one by one), marks them sent with ONE
`bulk_write` per batch, and commits the offsets. Hop 2 writes and commits.

What it leaves out, and the runtime does not: leases for several relay instances, re-publishing
after a crash, dead letters, retries, tracing, logging and metrics.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from bson import Binary
from chain_common import (
    BATCH_TIMEOUT_MS,
    MAX_RECORDS,
    Engines,
    Recorder,
    closure_doc,
    new_producer,
    notification_doc,
    notification_for,
    phase_of_closed,
)
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_contracts import decode, encode
from lgnet_contracts.topics import CASES, NOTIFICATIONS

Document = dict[str, Any]
Outgoing = tuple[Any, str, bytes, bytes]  # document id, topic, key, value


async def insert_once(collection: AsyncCollection[Document], doc: Document) -> bool:
    """True when written, False when the derived `_id` shows the event was handled before."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


class HandWrittenChain:
    name = "hand-written"

    def __init__(self, engines: Engines, namespace: str, unique: str, recorder: Recorder) -> None:
        self._engines = engines
        self._namespace = namespace
        self._recorder = recorder
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self.databases = [f"benchhand_{unique}"]
        self._group = f"benchhand-{unique}"
        self._mongo: AsyncMongoClient[Document] = AsyncMongoClient(
            engines.mongo, tz_aware=True, serverSelectionTimeoutMS=3000, retryWrites=False
        )
        db = self._mongo[self.databases[0]]
        self._closures = db["closures"]
        self._notifications = db["notifications"]
        self._producer = new_producer(engines.kafka)
        self._consumers: list[AIOKafkaConsumer] = []

    def _consumer(self, topic: str, group: str) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            self._namespace + topic,
            bootstrap_servers=self._engines.kafka,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._consumers.append(consumer)
        return consumer

    async def start(self) -> None:
        await self._producer.start()
        hop2 = self._consumer(NOTIFICATIONS.name, self._group + ".notify")
        hop1 = self._consumer(CASES.name, self._group + ".closure")
        for consumer in (hop2, hop1):
            await consumer.start()
        self._tasks = [
            asyncio.create_task(self._loop(hop2, self._hop2_batch)),
            asyncio.create_task(self._loop(hop1, self._hop1_batch)),
        ]

    async def stop(self) -> None:
        self._stopping = True
        await asyncio.gather(*self._tasks)
        for consumer in self._consumers:
            await consumer.stop()
        await self._producer.stop()
        await self._mongo.close()

    async def _loop(
        self,
        consumer: AIOKafkaConsumer,
        handle: Callable[[list[list[ConsumerRecord[Any, Any]]]], Awaitable[None]],
    ) -> None:
        while not self._stopping:
            batch = await consumer.getmany(timeout_ms=BATCH_TIMEOUT_MS, max_records=MAX_RECORDS)
            if not batch:
                continue
            await handle(list(batch.values()))
            await consumer.commit()  # after the effects, as the runtime does

    async def _hop1_batch(self, partitions: list[list[ConsumerRecord[Any, Any]]]) -> None:
        written = await asyncio.gather(*(self._hop1_partition(records) for records in partitions))
        outgoing = [entry for part in written for entry in part]
        if not outgoing:
            return
        futures = [
            await self._producer.send(self._namespace + topic, value, key=key)
            for _, topic, key, value in outgoing
        ]
        await asyncio.gather(*futures)
        await self._closures.bulk_write(
            [
                UpdateOne({"_id": doc_id}, {"$set": {"outbox": [], "outbox_pending": False}})
                for doc_id, *_ in outgoing
            ],
            ordered=False,
        )

    async def _hop1_partition(self, records: Sequence[ConsumerRecord[Any, Any]]) -> list[Outgoing]:
        outgoing: list[Outgoing] = []
        for record in records:
            event = decode(record.value)
            phase = phase_of_closed(event)
            self._recorder.consumed(phase, time.time())
            out = notification_for(event)
            key, value = out.key, encode(out)
            doc = {
                **closure_doc(event),
                "outbox": [
                    {
                        "id": str(out.event_id),
                        "topic": NOTIFICATIONS.name,
                        "key": Binary(key),
                        "value": Binary(value),
                    }
                ],
                "outbox_pending": True,
                "handled": [str(event.event_id)],
            }
            applied = await insert_once(self._closures, doc)
            self._recorder.hop1(phase, event.occurred_at, applied)
            if applied:
                outgoing.append((doc["_id"], NOTIFICATIONS.name, key, value))
        return outgoing

    async def _hop2_batch(self, partitions: list[list[ConsumerRecord[Any, Any]]]) -> None:
        await asyncio.gather(*(self._hop2_partition(records) for records in partitions))

    async def _hop2_partition(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        for record in records:
            event = decode(record.value)
            doc = {**notification_doc(event), "handled": [str(event.event_id)]}
            applied = await insert_once(self._notifications, doc)
            self._recorder.hop2(event.payload.variables.get("phase", "?"), event.occurred_at, applied)
