"""`lgnet ops lag|replay`: lag from committed vs. end offsets; a range re-published for one group."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from typer.testing import CliRunner

from lgnet_cli import ops
from lgnet_cli.main import app
from lgnet_runtime.deadletters import REPLAY_HEADER

runner = CliRunner()


# ---------------------------------------------------------------- without engines


def test_lag_counts_from_the_commit_or_from_the_beginning() -> None:
    a, b, c = (TopicPartition("t", p) for p in range(3))
    rows = ops.lag_rows(
        "lgnet.housing",
        committed={a: 7, b: None, c: 2},
        beginning={a: 0, b: 3, c: 5},  # c: the commit is older than retention
        end={a: 10, b: 10, c: 9},
    )
    assert [(r.partition, r.committed, r.lag) for r in rows] == [(0, 7, 3), (1, None, 7), (2, 2, 4)]


def test_replay_headers_keep_the_originals_and_name_the_group() -> None:
    headers = ops.replay_headers(
        [("traceparent", b"00-x"), (ops.REPLAY_FOR_HEADER, b"lgnet.old"), (REPLAY_HEADER, b"old")],
        "lgnet.housing",
        "t:1:5",
    )
    assert headers == [
        ("traceparent", b"00-x"),
        (ops.REPLAY_FOR_HEADER, b"lgnet.housing"),
        (REPLAY_HEADER, b"t:1:5"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to-service", "billing", "--from-offset", "0", "--to-offset", "1"], "unknown service"),
        (["--to-service", "housing", "--from-offset", "5", "--to-offset", "1"], "from-offset <= to-offset"),
    ],
)
def test_replay_refuses_bad_arguments_before_touching_kafka(args: list[str], message: str) -> None:
    result = runner.invoke(
        app, ["ops", "replay", "--topic", "t", "--partition", "0", "--bootstrap", "127.0.0.1:9", *args]
    )
    assert result.exit_code == 2
    assert message in result.output


# ---------------------------------------------------------------- on the real broker


async def _produce(bootstrap: str, topic: str, partition: int, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for i in range(count):
            await producer.send_and_wait(
                topic,
                f"v{i}".encode(),
                key=f"k{i}".encode(),
                partition=partition,
                headers=[("lgnet-event-type", b"case.reported")],
            )
    finally:
        await producer.stop()


async def _consume_and_commit(bootstrap: str, topic: str, group: str, count: int) -> None:
    """A group reads `count` records of partition 0 and commits there only."""
    tp = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        read = 0
        deadline = time.monotonic() + 20
        while read < count and time.monotonic() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=500, max_records=count - read)
            read += len(batch.get(tp, []))
        assert read == count
        await consumer.commit({tp: count})
    finally:
        await consumer.stop()


async def _read_all(bootstrap: str, tp: TopicPartition) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        records: list[ConsumerRecord[bytes, bytes]] = []
        while await consumer.position(tp) < end:
            records.extend((await consumer.getmany(tp, timeout_ms=1000)).get(tp, []))
        return records
    finally:
        await consumer.stop()


@pytest.mark.engines
async def test_lag_per_partition_and_total(kafka_bootstrap: str, kafka_topic: str, unique_name: str) -> None:
    group = f"lgnet.test-{unique_name}"
    await _produce(kafka_bootstrap, kafka_topic, 0, 10)
    await _produce(kafka_bootstrap, kafka_topic, 1, 4)
    await _consume_and_commit(kafka_bootstrap, kafka_topic, group, 6)

    rows = await ops.consumer_lag(kafka_bootstrap, [group])

    assert [(r.partition, r.committed, r.end, r.lag) for r in rows] == [
        (0, 6, 10, 4),
        (1, None, 4, 4),  # never committed: everything there is still to read
        (2, None, 0, 0),
    ]
    # The command, as an operator runs it (sync typer command: run it off the event loop).
    result = await asyncio.to_thread(
        runner.invoke,
        app,
        ["ops", "lag", "--group", group, "--bootstrap", kafka_bootstrap, "--json", "--fail-above", "7"],
    )
    assert result.exit_code == 1, result.output  # total 8 > 7
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sum(line["lag"] for line in lines) == 8


@pytest.mark.engines
async def test_lag_of_all_lgnet_groups_includes_a_new_one(
    kafka_bootstrap: str, kafka_topic: str, unique_name: str
) -> None:
    group = f"lgnet.test-{unique_name}"
    await _produce(kafka_bootstrap, kafka_topic, 0, 3)
    await _consume_and_commit(kafka_bootstrap, kafka_topic, group, 1)
    rows = await ops.consumer_lag(kafka_bootstrap)
    assert {r.group for r in rows} >= {group}
    assert all(r.group.startswith("lgnet.") for r in rows)


@pytest.mark.engines
async def test_replay_republishes_the_range_to_the_same_partition(
    kafka_bootstrap: str, kafka_topic: str
) -> None:
    await _produce(kafka_bootstrap, kafka_topic, 1, 8)
    what = ops.ReplayRange(kafka_topic, 1, 3, 5)

    assert await ops.replay_range(kafka_bootstrap, what, "lgnet.housing", dry_run=True) == [3, 4, 5]
    assert len(await _read_all(kafka_bootstrap, TopicPartition(kafka_topic, 1))) == 8

    assert await ops.replay_range(kafka_bootstrap, what, "lgnet.housing") == [3, 4, 5]
    records = await _read_all(kafka_bootstrap, TopicPartition(kafka_topic, 1))
    copies = records[8:]
    assert [(r.key, r.value) for r in copies] == [(b"k3", b"v3"), (b"k4", b"v4"), (b"k5", b"v5")]
    for record, offset in zip(copies, (3, 4, 5), strict=True):
        headers = dict(record.headers)
        assert headers["lgnet-event-type"] == b"case.reported"
        assert headers[ops.REPLAY_FOR_HEADER] == b"lgnet.housing"
        assert headers[REPLAY_HEADER] == f"{kafka_topic}:1:{offset}".encode()


@pytest.mark.engines
async def test_replay_refuses_a_range_outside_the_partition(kafka_bootstrap: str, kafka_topic: str) -> None:
    await _produce(kafka_bootstrap, kafka_topic, 2, 3)
    result = await asyncio.to_thread(
        runner.invoke,
        app,
        [
            "ops", "replay", "--topic", kafka_topic, "--partition", "2", "--from-offset", "1",
            "--to-offset", "3", "--to-service", "referral", "--bootstrap", kafka_bootstrap,
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "holds offsets 0..2" in result.output
    assert len(await _read_all(kafka_bootstrap, TopicPartition(kafka_topic, 2))) == 3
