"""The local Kafka broker: groups resume from committed offsets; acknowledged data survives kill -9."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.structs import RecordMetadata

from lgnet_testing.controller import LocalEngines

pytestmark = pytest.mark.engines

MESSAGES = 300


async def produce(bootstrap: str, topic: str, count: int) -> list[RecordMetadata]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = [
            await producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode()) for i in range(count)
        ]
        return list(await asyncio.gather(*sent))
    finally:
        await producer.stop()


async def consume(
    consumer: AIOKafkaConsumer, count: int, within: float
) -> list[ConsumerRecord[bytes, bytes]]:
    received: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + within
    while len(received) < count and time.monotonic() < deadline:
        batches = await consumer.getmany(timeout_ms=500)
        for records in batches.values():
            received.extend(records)
    return received


def values(records: list[ConsumerRecord[bytes, bytes]]) -> list[str]:
    return sorted(record.value.decode() for record in records if record.value is not None)


async def test_group_commits_offsets_and_does_not_redeliver(
    kafka_bootstrap: str, kafka_topic: str, unique_name: str
) -> None:
    await produce(kafka_bootstrap, kafka_topic, MESSAGES)
    group = f"group-{unique_name}"

    def group_consumer() -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            kafka_topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )

    first = group_consumer()
    await first.start()
    try:
        received = await consume(first, MESSAGES, within=30)
        await first.commit()
    finally:
        await first.stop()
    assert values(received) == sorted(f"v{i}" for i in range(MESSAGES))
    assert {record.partition for record in received} == {0, 1, 2}

    second = group_consumer()
    await second.start()
    try:
        again: list[ConsumerRecord[bytes, bytes]] = []
        while not second.assignment():  # joined the group: from now on anything fetched is a redelivery
            again += await consume(second, 1, within=0.2)
        again += await consume(second, 1, within=1)
        assignment = second.assignment()
        assert len(assignment) == 3
        end_offsets = await second.end_offsets(list(assignment))
        positions = {tp: await second.position(tp) for tp in assignment}
    finally:
        await second.stop()
    assert again == []
    assert positions == end_offsets


@pytest.mark.slow
async def test_acknowledged_messages_survive_broker_kill(
    kafka_bootstrap: str, kafka_topic: str, local_engines: LocalEngines
) -> None:
    acknowledged = await produce(kafka_bootstrap, kafka_topic, MESSAGES)
    assert len(acknowledged) == MESSAGES

    await local_engines.crash_and_restart("kafka")

    consumer = AIOKafkaConsumer(kafka_topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        received = await consume(consumer, MESSAGES, within=60)
    finally:
        await consumer.stop()
    assert values(received) == sorted(f"v{i}" for i in range(MESSAGES))
    assert {(r.partition, r.offset) for r in received} == {(m.partition, m.offset) for m in acknowledged}
