"""One service's runtime: broker, database, outbox relay and consumers, started and stopped together."""

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pymongo.asynchronous.database import AsyncDatabase

from lgnet_contracts.topics import TopicSpec
from lgnet_runtime.consumer import Handler, IdempotentConsumer
from lgnet_runtime.deadletters import DeadLetterPublisher
from lgnet_runtime.logging import get_logger
from lgnet_runtime.mongo import connect
from lgnet_runtime.outbox import AggregateCollection
from lgnet_runtime.relay import KafkaOutboxPublisher, OutboxRelay
from lgnet_runtime.settings import RuntimeSettings
from lgnet_runtime.topics import ensure_topics

log = get_logger(__name__)


async def _no_decode(_: Any) -> None:
    # The consumer parses raw records itself, so a poison message can never break FastStream's decoding.
    return None


async def _tolerant_parse(records: tuple[Any, ...], original: Any) -> Any:
    """FastStream decodes every header as UTF-8 while building the batch; one hostile header
    would fail the whole poll. It gets copies with decodable headers; the consumer keeps the
    untouched records, so dead letters still carry the original bytes."""
    safe = tuple(r if _headers_decode(r.headers) else _with_decodable_headers(r) for r in records)
    parsed = await original(safe)
    parsed.raw_message = records
    return parsed


def _headers_decode(headers: Any) -> bool:
    try:
        for _, value in headers or ():
            value.decode()
    except UnicodeDecodeError:
        return False
    return True


def _with_decodable_headers(record: Any) -> Any:
    return dataclasses.replace(
        record, headers=[(k, v.decode("utf-8", "replace").encode()) for k, v in record.headers]
    )


class ServiceRuntime:
    def __init__(self, settings: RuntimeSettings) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=f"lgnet-{self.service}",
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            graceful_timeout=settings.graceful_timeout_seconds,
            logger=None,
        )
        self.mongo = connect(settings.mongodb_uri.get_secret_value(), app_name=f"lgnet-{self.service}")
        self.db: AsyncDatabase[dict[str, Any]] = self.mongo[settings.database]
        self._aggregates: dict[str, AggregateCollection] = {}
        self._topics: set[TopicSpec] = set()
        self.consumers: list[IdempotentConsumer] = []
        self.dead_letters = DeadLetterPublisher(self.broker, self.service)
        self.relay: OutboxRelay | None = None
        self._publisher: KafkaOutboxPublisher | None = None
        self._started = False

    def aggregates(self, name: str) -> AggregateCollection:
        """A collection whose documents carry an outbox; the relay publishes from it."""
        if name not in self._aggregates:
            self._aggregates[name] = AggregateCollection(self.db[name], on_commit=self._wake_relay)
        return self._aggregates[name]

    def subscribe(
        self, topics: Sequence[TopicSpec], handlers: Mapping[str, Handler], *, group_suffix: str = ""
    ) -> IdempotentConsumer:
        s = self.settings
        group_id = s.group_id + group_suffix
        consumer = IdempotentConsumer(
            service=self.service,
            group_id=group_id,
            handlers=handlers,
            dead_letters=self.dead_letters,
            max_attempts=s.handler_max_attempts,
            retry_base_seconds=s.retry_base_seconds,
            retry_max_seconds=s.retry_max_seconds,
        )
        self._topics.update(topics)
        subscriber = self.broker.subscriber(
            *(s.topic_namespace + t.name for t in topics),
            group_id=group_id,
            batch=True,
            max_records=s.consumer_max_records,
            batch_timeout_ms=s.consumer_batch_timeout_ms,
            auto_offset_reset="earliest",
            # Commit after the handlers' writes; on an exception rewind, never skip.
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=_no_decode,
            parser=_tolerant_parse,
        )

        @subscriber
        async def on_batch(message: KafkaMessage) -> None:
            records = message.raw_message
            await consumer.handle_batch(
                records if isinstance(records, tuple) else (records,), getattr(message, "consumer", None)
            )

        self.consumers.append(consumer)
        return consumer

    def publishes(self, topics: Sequence[TopicSpec]) -> None:
        self._topics.update(topics)

    def _wake_relay(self, collection: str, aggregate_id: Any) -> None:
        if self.relay is not None:
            self.relay.wake(collection, aggregate_id)

    async def start(self) -> None:
        if self._topics:
            await ensure_topics(
                self.settings.kafka_bootstrap_servers,
                sorted(self._topics, key=lambda t: t.name),
                namespace=self.settings.topic_namespace,
            )
        for aggregate in self._aggregates.values():
            await aggregate.ensure_indexes()
        await self.broker.start()
        s = self.settings
        self._publisher = KafkaOutboxPublisher(
            s.kafka_bootstrap_servers, s.topic_namespace, client_id=f"lgnet-{self.service}-relay"
        )
        await self._publisher.start()
        self.relay = OutboxRelay(
            [a.collection for a in self._aggregates.values()],
            self._publisher,
            service=self.service,
            batch_size=s.relay_batch_size,
            lease_seconds=s.relay_lease_seconds,
            poll_seconds=s.relay_poll_seconds,
            sweep_seconds=s.relay_sweep_seconds,
            linger_seconds=s.relay_linger_seconds,
        )
        self.relay.start()
        self._started = True
        log.info("service.started", kafka=s.kafka_bootstrap_servers, database=s.database)

    async def stop(self) -> None:
        """Graceful: stop fetching and let in-flight handlers finish (their batch commits), then
        publish what the outbox still holds, then close the producer and the database client."""
        if not self._started:
            return
        self._started = False
        for subscriber in list(self.broker.subscribers):
            await subscriber.stop()  # waits up to graceful_timeout for the batch in hand
        if self.relay is not None:
            await self.relay.stop(flush_timeout=self.settings.graceful_timeout_seconds)
        if self._publisher is not None:
            await self._publisher.stop()
        await self.broker.stop()
        await self.mongo.close()
        log.info("service.stopped")

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(2):
                await self.mongo.admin.command("ping")
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"unreachable: {type(exc).__name__}"
        try:
            ok = await self.broker.ping(timeout=2)
            checks["kafka"] = "ok" if ok else "unreachable"
        except Exception as exc:
            checks["kafka"] = f"unreachable: {type(exc).__name__}"
        return checks
