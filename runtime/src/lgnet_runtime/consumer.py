"""The idempotent consumer: every event handled once in effect, or dead-lettered, never lost.

Records come in batches (one poll, one offset commit). A batch is split by partition: the
partitions are handled concurrently, the records of one partition in order (events of one case
share a partition, so a case's story is applied in the order it happened). Offsets are
committed only after the batch's handlers have written their effects or its poison messages
are safely in a dead-letter topic.

A handler that fails is retried with backoff without holding up the other partitions: its
partition is rewound to the failed record and paused until the backoff has passed, the batch
ends (committing that partition at the failed record), and the others keep being fetched. After
`max_attempts` the record goes to the dead-letter topic. (A database that is away is waited for
in place: every partition needs it.)

Effects are idempotent because each handler writes its change together with the id of the
event that caused it (see `outbox.AggregateCollection`): a redelivery finds it there.
"""

import asyncio
import contextlib
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from opentelemetry import trace

from lgnet_contracts import Envelope, InvalidEvent, UnknownEventType
from lgnet_contracts.registry import decode_known, peek_type
from lgnet_runtime.deadletters import DeadLetterPublisher, build_dead_letter
from lgnet_runtime.logging import get_logger
from lgnet_runtime.metrics import CONSUMER_LAG, EVENTS_HANDLED, HANDLER_SECONDS
from lgnet_runtime.mongo import UNAVAILABLE
from lgnet_runtime.telemetry import context_from_headers, tracer

Handler = Callable[[Envelope[Any]], Awaitable[Any]]
log = get_logger(__name__)


class Outcome(StrEnum):
    HANDLED = "handled"
    IGNORED = "ignored"  # an event type this service does not act on
    DEAD_LETTERED = "dead_lettered"
    RETRY_LATER = "retry_later"  # failed; its partition waits for the backoff, then fetches it again


ATTEMPTS_KEPT = 10_000  # failing records remembered between fetches (bounded, per consumer)


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: spreads retries so they never beat in step."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))


class IdempotentConsumer:
    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        handlers: Mapping[str, Handler],
        dead_letters: DeadLetterPublisher,
        max_attempts: int = 5,
        retry_base_seconds: float = 0.2,
        retry_max_seconds: float = 30.0,
    ) -> None:
        self.service = service
        self.group_id = group_id
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._base = retry_base_seconds
        self._cap = retry_max_seconds
        self._tracer = tracer("lgnet.consumer")
        self._counters: dict[tuple[str, Outcome], Any] = {}
        self._timings: dict[str, Any] = {}
        # (topic, partition, offset) -> attempts so far and when the first one failed
        self._attempts: dict[tuple[str, int, int], tuple[int, datetime | None]] = {}

    def _count(self, event_type: str, outcome: Outcome) -> None:
        # Labelled children are looked up once: this runs for every event.
        child = self._counters.get((event_type, outcome))
        if child is None:
            child = self._counters[(event_type, outcome)] = EVENTS_HANDLED.labels(
                self.service, event_type, outcome
            )
        child.inc()

    def _timing(self, event_type: str) -> Any:
        child = self._timings.get(event_type)
        if child is None:
            child = self._timings[event_type] = HANDLER_SECONDS.labels(self.service, event_type)
        return child

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def handle_batch(self, records: Sequence[Any], kafka_consumer: Any = None) -> None:
        """Handle one poll's records. Given the Kafka consumer, a failing record's partition is
        rewound and paused instead of retried in place (see the module's docstring)."""
        by_partition: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for record in records:
            by_partition[(record.topic, record.partition)].append(record)
        # A test broker's stand-in consumer cannot pause: its failures are retried in place.
        pausable = kafka_consumer if callable(getattr(kafka_consumer, "pause", None)) else None
        await asyncio.gather(*(self._handle_partition(batch, pausable) for batch in by_partition.values()))
        if pausable is not None:
            self._report_lag(pausable, by_partition)

    async def _handle_partition(self, records: list[Any], kafka_consumer: Any) -> None:
        for record in records:
            outcome = await self.handle_record(record, defer=kafka_consumer is not None)
            if outcome is Outcome.RETRY_LATER:
                # The records after it wait too: a case's events stay in order.
                self._pause_for_retry(kafka_consumer, record)
                return

    def _pause_for_retry(self, kafka_consumer: Any, record: Any) -> None:
        from aiokafka import TopicPartition

        partition = TopicPartition(record.topic, record.partition)
        attempts, _ = self._attempts[(record.topic, record.partition, record.offset)]
        delay = backoff_delay(attempts, self._base, self._cap)
        kafka_consumer.seek(partition, record.offset)
        kafka_consumer.pause(partition)
        asyncio.get_running_loop().call_later(delay, self._resume, kafka_consumer, partition)

    @staticmethod
    def _resume(kafka_consumer: Any, partition: Any) -> None:
        # Revoked meanwhile, or the consumer stopped: its next owner starts at the committed
        # offset, which is the failed record.
        with contextlib.suppress(Exception):
            kafka_consumer.resume(partition)

    async def handle_record(self, record: Any, *, defer: bool = False) -> Outcome:
        """Handle one record. With `defer`, a failure that may pass returns RETRY_LATER (the
        caller re-fetches the record after a backoff) instead of sleeping here."""
        started = time.perf_counter()
        position = (record.topic, record.partition, record.offset)
        # None until a failure: the clock is read only when something went wrong.
        attempts_before, first_failed_at = self._attempts.get(position, (0, None))
        try:
            event_type, version = peek_type(record.value)
            if event_type not in self._handlers:
                # Shared topics carry types other services act on; skip them before validating.
                self._count(event_type, Outcome.IGNORED)
                return Outcome.IGNORED
            event = decode_known(event_type, version, record.value)
        except Exception as exc:
            # Retrying cannot make bad bytes good: straight to the dead-letter topic. Any failure
            # while parsing counts, so no parser surprise can stall a partition.
            reason = (
                "unknown_type"
                if isinstance(exc, UnknownEventType)
                else "invalid"
                if isinstance(exc, InvalidEvent)
                else "unparsable"
            )
            await self._dead_letter(record, exc, 1, first_failed_at, reason)
            self._log(record, None, Outcome.DEAD_LETTERED, started, error=type(exc).__name__)
            return Outcome.DEAD_LETTERED

        handler = self._handlers[event.event_type]
        with self._tracer.start_as_current_span(
            f"handle {event.event_type}",
            context=context_from_headers(record.headers or ()),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": record.topic,
                "messaging.kafka.message.offset": record.offset,
                "lgnet.event_id": str(event.event_id),
                "lgnet.event_type": event.event_type,
            },
        ):
            outcome, error = await self._run_with_retries(
                handler, event, record, first_failed_at, attempts_before, defer
            )
        if outcome is Outcome.RETRY_LATER:
            if len(self._attempts) >= ATTEMPTS_KEPT:  # records of partitions revoked meanwhile
                self._attempts.clear()
            self._attempts[position] = (attempts_before + 1, first_failed_at or datetime.now(UTC))
            return outcome
        self._attempts.pop(position, None)
        self._log(record, event, outcome, started, error=error)
        self._timing(event.event_type).observe(time.perf_counter() - started)
        return outcome

    async def _run_with_retries(
        self,
        handler: Handler,
        event: Envelope[Any],
        record: Any,
        first_failed_at: datetime | None,
        attempts_before: int = 0,
        defer: bool = False,
    ) -> tuple[Outcome, str | None]:
        attempt = attempts_before
        unavailable_streak = 0
        while True:
            attempt += 1
            try:
                await handler(event)
                return Outcome.HANDLED, None
            except UNAVAILABLE as exc:
                # The database is away: wait for it as long as it takes, this is no poison.
                unavailable_streak += 1
                attempt -= 1
                delay = backoff_delay(unavailable_streak, self._base, self._cap)
                log.warning(
                    "event.store_unavailable",
                    event_id=str(event.event_id),
                    retry_in_s=round(delay, 2),
                    error=type(exc).__name__,
                )
                await asyncio.sleep(delay)
            except Exception as exc:
                unavailable_streak = 0
                first_failed_at = first_failed_at or datetime.now(UTC)
                if attempt >= self._max_attempts:
                    await self._dead_letter(record, exc, attempt, first_failed_at, "handler_failed")
                    return Outcome.DEAD_LETTERED, type(exc).__name__
                log.warning(
                    "event.retry",
                    event_type=event.event_type,
                    event_id=str(event.event_id),
                    topic=record.topic,
                    partition=record.partition,
                    attempt=attempt,
                    error=type(exc).__name__,
                )
                if defer:
                    return Outcome.RETRY_LATER, type(exc).__name__
                await asyncio.sleep(backoff_delay(attempt, self._base, self._cap))

    async def _dead_letter(
        self,
        record: Any,
        error: BaseException,
        attempts: int,
        first_failed_at: datetime | None,
        reason: str,
    ) -> None:
        letter = build_dead_letter(
            record,
            group=self.group_id,
            handler=self.service,
            error=error,
            attempts=attempts,
            first_failed_at=first_failed_at or datetime.now(UTC),
        )
        await self._dead_letters.publish(letter, record.key, reason)

    def _log(
        self,
        record: Any,
        event: Envelope[Any] | None,
        outcome: Outcome,
        started: float,
        error: str | None = None,
    ) -> None:
        event_type = event.event_type if event is not None else "unparsable"
        self._count(event_type, outcome)
        log.info(
            "event.handled",
            event_type=event_type,
            event_id=str(event.event_id) if event is not None else None,
            case_id=event.case_id if event is not None else None,
            correlation_id=str(event.correlation_id) if event is not None else None,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            outcome=outcome.value,
            error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _report_lag(self, kafka_consumer: Any, partitions: Mapping[tuple[str, int], list[Any]]) -> None:
        from aiokafka import TopicPartition

        for (topic, partition), records in partitions.items():
            highwater = kafka_consumer.highwater(TopicPartition(topic, partition))
            if highwater is not None:
                lag = max(0, highwater - records[-1].offset - 1)
                CONSUMER_LAG.labels(self.service, topic, str(partition)).set(lag)
