"""What both chains share: the events, the seeding, the clock and the measurements.

Both chains run the same two hops on the same topics layout (one namespace per chain and run):
- hop 1 consumes `case.closed` from `<ns>lgnet.referral.cases` (6 partitions, keyed by case id),
  writes a closure document together with an outgoing `notification.requested` event, and that
  event is published to `<ns>lgnet.notifications.messages`;
- hop 2 consumes `notification.requested` and writes a notification document.
Every write is idempotent: the document `_id` is derived from the causing event and the causing
event id is stored with it.
"""

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from hdrh.histogram import HdrHistogram
from pymongo import AsyncMongoClient

from lgnet_contracts import Envelope, encode, new_event
from lgnet_contracts.events.cases import CaseClosed, CaseOutcome
from lgnet_contracts.events.notifications import NotificationRequested
from lgnet_contracts.topics import CASES, NOTIFICATIONS
from lgnet_runtime.topics import ensure_topics

MUNICIPALITY = "058091"  # Roma
ID_NAMESPACE = uuid.UUID("6f1c3a52-1f0e-4a4e-9d1e-6b0f0e1b3c11")
CHAIN_TOPICS = (CASES, NOTIFICATIONS)
MAX_RECORDS = 500  # per poll, as the runtime's default `consumer_max_records`
BATCH_TIMEOUT_MS = 50  # as `isolated_settings` sets `consumer_batch_timeout_ms`
LINGER_MS = 5  # as the runtime's producer


@dataclass(frozen=True)
class Engines:
    kafka: str
    mongo: str


def closure_id(cause: Envelope[Any]) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, str(cause.event_id)))


def closed_event(phase: str) -> Envelope[CaseClosed]:
    now = datetime.now(UTC)
    return new_event(
        CaseClosed(outcome=CaseOutcome.PLACED, closed_by=f"bench-{phase}", closed_at=now),
        producer="bench-seed",
        municipality=MUNICIPALITY,
        case_id=str(uuid.uuid4()),
        occurred_at=now,
    )


def phase_of_closed(event: Envelope[CaseClosed]) -> str:
    return event.payload.closed_by.removeprefix("bench-")


def notification_for(cause: Envelope[CaseClosed]) -> Envelope[NotificationRequested]:
    """The event hop 1 emits; its `occurred_at` (just before the write) starts hop 2's clock."""
    return new_event(
        NotificationRequested(
            notification_id=f"n-{cause.event_id}",
            template_id="case.closed",
            locale="it",
            variables={"phase": phase_of_closed(cause)},
        ),
        producer="bench-hop1",
        municipality=cause.municipality,
        case_id=cause.case_id,
        causation=cause,
    )


def closure_doc(cause: Envelope[CaseClosed]) -> dict[str, Any]:
    return {
        "_id": closure_id(cause),
        "case_id": cause.case_id,
        "outcome": str(cause.payload.outcome),
        "closed_at": cause.payload.closed_at,
    }


def notification_doc(event: Envelope[NotificationRequested]) -> dict[str, Any]:
    return {
        "_id": event.payload.notification_id,
        "case_id": event.case_id,
        "template_id": event.payload.template_id,
        "status": "requested",
    }


def new_histogram() -> HdrHistogram:
    return HdrHistogram(1, 3_600_000_000, 3)  # microseconds, up to an hour, 3 significant digits


@dataclass
class PhaseStats:
    hop1: HdrHistogram = field(default_factory=new_histogram)
    hop2: HdrHistogram = field(default_factory=new_histogram)
    hop1_done: int = 0
    hop2_done: int = 0
    duplicates: int = 0
    first_consumed: float | None = None  # wall clock
    last_hop2: float = 0.0


class Recorder:
    """Per phase (warmup, backlog, paced): latency per hop and the first/last instants."""

    def __init__(self) -> None:
        self.phases: dict[str, PhaseStats] = {}

    def phase(self, name: str) -> PhaseStats:
        if name not in self.phases:  # not setdefault: it would build two histograms per call
            self.phases[name] = PhaseStats()
        return self.phases[name]

    def consumed(self, phase: str, at: float) -> None:
        stats = self.phase(phase)
        if stats.first_consumed is None:
            stats.first_consumed = at

    def hop1(self, phase: str, occurred_at: datetime, applied: bool) -> None:
        now = time.time()
        stats = self.phase(phase)
        if not applied:
            stats.duplicates += 1
            return
        stats.hop1_done += 1
        stats.hop1.record_value(max(1, int((now - occurred_at.timestamp()) * 1e6)))

    def hop2(self, phase: str, occurred_at: datetime, applied: bool) -> None:
        now = time.time()
        stats = self.phase(phase)
        if not applied:
            stats.duplicates += 1
            return
        stats.hop2_done += 1
        stats.last_hop2 = now
        stats.hop2.record_value(max(1, int((now - occurred_at.timestamp()) * 1e6)))

    async def wait_hop2(self, phase: str, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        stats = self.phase(phase)
        while stats.hop2_done < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{phase}: {stats.hop1_done} hop-1 and {stats.hop2_done} hop-2 writes of {count}"
                )
            await asyncio.sleep(0.02)


async def create_topics(kafka: str, namespace: str) -> None:
    await ensure_topics(kafka, CHAIN_TOPICS, namespace=namespace)


async def delete_topics(kafka: str, namespace: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="lgnet-bench")
    with contextlib.suppress(Exception):  # leftovers are harmless, only untidy
        await admin.start()
        try:
            names = [namespace + n for t in CHAIN_TOPICS for n in (t.name, t.dead_letter)]
            await admin.delete_topics(names)
        finally:
            await admin.close()


async def drop_databases(mongo: str, names: list[str]) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
    try:
        for name in names:
            await client.drop_database(name)
    finally:
        await client.close()


def new_producer(kafka: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=kafka, acks="all", enable_idempotence=True, linger_ms=LINGER_MS)


async def seed(kafka: str, namespace: str, count: int, phase: str, rate: float = 0.0) -> None:
    """Produce `count` `case.closed` events keyed by case id; at `rate` events/s if given."""
    producer = new_producer(kafka)
    await producer.start()
    topic = namespace + CASES.name
    try:
        pending: list[asyncio.Future[Any]] = []
        started = time.monotonic()
        for i in range(count):
            if rate > 0:
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            event = closed_event(phase)
            pending.append(await producer.send(topic, encode(event), key=event.key))
            if len(pending) >= 2_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of this process, in kB."""
    values: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def reset_peak_rss() -> bool:
    """Linux resets VmHWM to the current RSS when 5 is written to clear_refs."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True
