"""`lgnet ops lag|replay`: how far each service's consumers are behind, and re-driving a range.

`lag` compares each group's committed offsets with the partitions' end offsets (what the group
would read next vs. what exists). `replay` publishes a range of one topic partition again, to the
same topic and partition, key, value and headers intact, plus `lgnet-replay-for: <group>` naming
the consumer group it is meant for and `lgnet-replayed-from: <topic>:<partition>:<offset>`.
Every group reading the topic receives the copies; groups that had handled the events find
their ids in `_handled` and change nothing (the runtime's idempotent consumer), so only the
service that missed them acts. See RUNBOOK.md, "Consumer lag growing" and "Replay".
"""

import asyncio
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from lgnet_runtime.deadletters import REPLAY_HEADER

SERVICES = ("referral", "housing", "payments", "notifications")
GROUP_PREFIX = "lgnet."
REPLAY_FOR_HEADER = "lgnet-replay-for"

app = typer.Typer(help="Operations: consumer lag, replaying a topic range.", no_args_is_help=True)

BootstrapOption = typer.Option(
    os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
    "--bootstrap",
    help="Kafka bootstrap servers",
)


def group_of(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
    return f"{GROUP_PREFIX}{service}"


@dataclass(frozen=True, slots=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group never committed here
    end: int
    lag: int


def lag_rows(
    group: str,
    committed: Mapping[TopicPartition, int | None],
    beginning: Mapping[TopicPartition, int],
    end: Mapping[TopicPartition, int],
) -> list[PartitionLag]:
    """Records the group has yet to read, per partition.

    With no commit, or a commit older than retention, the group starts at the beginning
    (the services consume with auto_offset_reset=earliest), so that is where lag counts from.
    """
    rows = []
    for tp in sorted(end, key=lambda t: (t.topic, t.partition)):
        first = beginning.get(tp, 0)
        offset = committed.get(tp)
        start = first if offset is None or offset < 0 else max(offset, first)
        rows.append(PartitionLag(group, tp.topic, tp.partition, offset, end[tp], max(0, end[tp] - start)))
    return rows


async def consumer_lag(bootstrap: str, groups: Sequence[str] | None = None) -> list[PartitionLag]:
    """Lag of the given groups, or of every `lgnet.*` group the cluster knows."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="lgnet-ops")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="lgnet-ops")
    await admin.start()
    await consumer.start()
    try:
        if groups is None:
            listed = await admin.list_consumer_groups()
            groups = sorted(g[0] for g in listed if str(g[0]).startswith(GROUP_PREFIX))
        rows: list[PartitionLag] = []
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed: dict[TopicPartition, int | None] = {
                tp: (meta.offset if meta.offset >= 0 else None) for tp, meta in offsets.items()
            }
            # Every partition of each topic the group committed on: a partition it never
            # committed on yet still has lag.
            for topic, partitions_of_topic in (
                await topic_partitions(admin, {tp.topic for tp in committed})
            ).items():
                for partition in partitions_of_topic:
                    committed.setdefault(TopicPartition(topic, partition), None)
            if not committed:
                continue
            partitions = list(committed)
            beginning = await consumer.beginning_offsets(partitions)
            end = await consumer.end_offsets(partitions)
            rows.extend(lag_rows(group, committed, beginning, end))
        return rows
    finally:
        await consumer.stop()
        await admin.close()


async def topic_partitions(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> dict[str, set[int]]:
    """Partition ids per existing topic, straight from the brokers (no stale client metadata)."""
    wanted = sorted(topics)
    if not wanted:
        return {}
    described = await admin.describe_topics(wanted)
    return {d["topic"]: {p["partition"] for p in d["partitions"]} for d in described if d["error_code"] == 0}


@dataclass(frozen=True, slots=True)
class ReplayRange:
    topic: str
    partition: int
    from_offset: int
    to_offset: int  # inclusive

    def __post_init__(self) -> None:
        if self.partition < 0 or self.from_offset < 0 or self.to_offset < self.from_offset:
            raise ValueError("need partition >= 0 and 0 <= from-offset <= to-offset")


def replay_headers(headers: Iterable[tuple[str, bytes]], group: str, source: str) -> list[tuple[str, bytes]]:
    """The original headers (trace context, event type...) with the replay markers set anew."""
    kept = [(k, v) for k, v in headers if k not in (REPLAY_FOR_HEADER, REPLAY_HEADER)]
    return [*kept, (REPLAY_FOR_HEADER, group.encode()), (REPLAY_HEADER, source.encode())]


async def replay_range(bootstrap: str, what: ReplayRange, group: str, *, dry_run: bool = False) -> list[int]:
    """Publish the records of the range again; returns their source offsets.

    Read without a consumer group, so no group's offsets move. Offsets missing inside the
    range (compaction, transaction markers) are skipped.
    """
    tp = TopicPartition(what.topic, what.partition)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="lgnet-ops")
    await admin.start()
    try:
        found = await topic_partitions(admin, [what.topic])
    finally:
        await admin.close()
    if what.partition not in found.get(what.topic, set()):
        raise ValueError(f"{what.topic} has no partition {what.partition}")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="lgnet-ops")
    await consumer.start()
    try:
        consumer.assign([tp])
        first = (await consumer.beginning_offsets([tp]))[tp]
        end = (await consumer.end_offsets([tp]))[tp]
        if what.from_offset < first or what.to_offset >= end:
            raise ValueError(
                f"{what.topic}[{what.partition}] holds offsets {first}..{end - 1}; "
                f"asked {what.from_offset}..{what.to_offset}"
            )
        consumer.seek(tp, what.from_offset)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while await consumer.position(tp) <= what.to_offset:
            batch = await consumer.getmany(tp, timeout_ms=1000)
            records.extend(r for r in batch.get(tp, []) if r.offset <= what.to_offset)
    finally:
        await consumer.stop()
    if dry_run or not records:
        return [r.offset for r in records]

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for record in records:
            source = f"{what.topic}:{what.partition}:{record.offset}"
            await producer.send_and_wait(
                what.topic,
                record.value,
                key=record.key,
                partition=what.partition,
                headers=replay_headers(record.headers or (), group, source),
            )
    finally:
        await producer.stop()
    return [r.offset for r in records]


@app.command()
def lag(
    group: list[str] = typer.Option(
        None, "--group", help="consumer group(s); every lgnet.* group by default"
    ),
    bootstrap: str = BootstrapOption,
    as_json: bool = typer.Option(False, "--json", help="one JSON object per partition"),
    fail_above: int | None = typer.Option(
        None, "--fail-above", min=0, help="exit 1 when a group's total lag exceeds this (for checks)"
    ),
) -> None:
    """Consumer lag per service group, per topic and partition: end offset minus committed offset."""
    rows = asyncio.run(consumer_lag(bootstrap, group or None))
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.group] = totals.get(row.group, 0) + row.lag
    for missing in sorted(set(group or ()) - set(totals)):
        typer.echo(f"{missing}: no committed offsets (unknown group, or it never consumed)", err=True)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(asdict(row)))
    else:
        typer.echo(f"{'GROUP':<24} {'TOPIC':<34} {'PART':>4} {'COMMITTED':>10} {'END':>10} {'LAG':>8}")
        for row in rows:
            committed = "-" if row.committed is None else str(row.committed)
            where = f"{row.group:<24} {row.topic:<34} {row.partition:>4}"
            typer.echo(f"{where} {committed:>10} {row.end:>10} {row.lag:>8}")
        for name, total in sorted(totals.items()):
            typer.echo(f"{name}: total lag {total}")
    if fail_above is not None and any(total > fail_above for total in totals.values()):
        raise typer.Exit(1)


@app.command()
def replay(
    topic: str = typer.Option(..., "--topic", help="source topic, e.g. lgnet.referral.cases"),
    partition: int = typer.Option(..., "--partition", min=0),
    from_offset: int = typer.Option(..., "--from-offset", min=0, help="first offset, inclusive"),
    to_offset: int = typer.Option(..., "--to-offset", min=0, help="last offset, inclusive"),
    to_service: str = typer.Option(..., "--to-service", help=f"one of: {', '.join(SERVICES)}"),
    bootstrap: str = BootstrapOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="only say which offsets would be replayed"),
) -> None:
    """Re-publish a range of one partition for one service (header lgnet-replay-for: lgnet.<service>)."""
    try:
        group = group_of(to_service)
        what = ReplayRange(topic, partition, from_offset, to_offset)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    try:
        offsets = asyncio.run(replay_range(bootstrap, what, group, dry_run=dry_run))
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    verb = "would replay" if dry_run else "replayed"
    span = f" (offsets {offsets[0]}..{offsets[-1]})" if offsets else ""
    typer.echo(f"{verb} {len(offsets)} record(s) of {topic}[{partition}] for {group}{span}")
