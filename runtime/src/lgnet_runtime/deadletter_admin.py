"""Reading and re-driving dead letters (behind `lgnet dlq list|show|replay`)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lgnet_contracts.deadletter import DeadLetter
from lgnet_contracts.topics import ALL_TOPICS
from lgnet_runtime.deadletters import REPLAY_HEADER, original_message
from lgnet_runtime.topics import partitions_of


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    letter: DeadLetter

    @property
    def ref(self) -> str:
        return f"{self.dlq_topic}:{self.partition}:{self.offset}"


def all_dead_letter_topics(namespace: str = "") -> list[str]:
    return [namespace + spec.dead_letter for spec in ALL_TOPICS]


async def read_dead_letters(
    bootstrap: str, topics: Iterable[str] | None = None, *, namespace: str = ""
) -> list[StoredDeadLetter]:
    """Everything currently in the dead-letter topics, read without a consumer group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="lgnet-dlq")
    await consumer.start()
    try:
        partitions = await partitions_of(bootstrap, topics or all_dead_letter_topics(namespace))
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[StoredDeadLetter] = []
        remaining = {tp for tp in partitions if end[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    letter = DeadLetter.model_validate_json(record.value)
                    found.append(StoredDeadLetter(tp.topic, tp.partition, record.offset, letter))
            remaining = {tp for tp in remaining if await consumer.position(tp) < end[tp]}
        return found
    finally:
        await consumer.stop()


async def replay(bootstrap: str, letters: Sequence[StoredDeadLetter]) -> int:
    """Publish each original message again to its source topic, key and headers intact.

    Consumers are idempotent, so groups that had handled it already change nothing.
    """
    truncated = [s.ref for s in letters if s.letter.value_truncated]
    if truncated:
        # Only part of these was kept: re-driving them would publish a different message.
        raise ValueError(f"cannot replay truncated dead letters: {', '.join(truncated)}")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for stored in letters:
            key, value, headers = original_message(stored.letter)
            headers = [h for h in headers if h[0] != REPLAY_HEADER] + [(REPLAY_HEADER, stored.ref.encode())]
            await producer.send_and_wait(stored.letter.source_topic, value, key=key, headers=headers)
        return len(letters)
    finally:
        await producer.stop()
