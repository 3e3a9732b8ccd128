"""A case through all four services, as processes talking only through Kafka, and what they leave behind."""

import asyncio
import json
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from bson import json_util
from pymongo import AsyncMongoClient

from lgnet_cli.system.demo import DemoRun, run_demo
from lgnet_cli.system.local_env import LocalSystem
from lgnet_contracts.topics import ALL_TOPICS
from lgnet_runtime.topics import partitions_of

pytestmark = [pytest.mark.engines, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(system: LocalSystem) -> tuple[DemoRun, list[str]]:
    lines: list[str] = []
    run = run_demo(system, lines.append)
    return run, lines


def test_the_family_gets_a_bed_a_grant_and_messages_in_arabic(demo: tuple[DemoRun, list[str]]) -> None:
    _, lines = demo
    text = "\n".join(lines)
    assert "triage: P1" in text
    assert "bed confirmed at" in text
    assert "disbursed" in text
    assert "status in_progress, tonight: confirmed, paid EUR 1800.00" in text
    sms = [line for line in lines if "segment(s)]" in line]
    assert len(sms) >= 4
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in line) for line in sms)  # Arabic script


async def _raw_kafka_bytes(bootstrap: str, namespace: str) -> bytes:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        names = [namespace + t.name for t in ALL_TOPICS] + [namespace + t.dead_letter for t in ALL_TOPICS]
        partitions = await partitions_of(bootstrap, names)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        chunks: list[bytes] = []
        pending = {tp for tp in partitions if end[tp] > 0}
        while pending:
            for records in (await consumer.getmany(*pending, timeout_ms=1000)).values():
                for record in records:
                    chunks.append(record.value or b"")
                    chunks.append(record.key or b"")
                    chunks.extend(v for _, v in record.headers or ())
            pending = {tp for tp in pending if await consumer.position(tp) < end[tp]}
        return b"\n".join(chunks)
    finally:
        await consumer.stop()


async def _raw_documents(uri: str, namespace: str) -> str:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        dumps: list[str] = []
        suffix = namespace.strip(".")
        for name in await client.list_database_names():
            if name.endswith(suffix):
                db = client[name]
                for collection in await db.list_collection_names():
                    async for doc in db[collection].find():
                        dumps.append(json_util.dumps(doc))
        return "\n".join(dumps)
    finally:
        await client.close()


def _leaks(haystack: str, values: tuple[str, ...]) -> list[str]:
    return [v for v in values if v.lower() in haystack.lower()]


def test_no_personal_data_in_logs(demo: tuple[DemoRun, list[str]], system: LocalSystem) -> None:
    run, _ = demo
    logs = {
        p.name: p.read_text(errors="replace")
        for p in Path(system.logs).glob("lgnet_*.log")
        if not p.name.startswith(("lgnet_cli", "lgnet_notifications.fakes"))
    }
    assert set(logs) == {f"lgnet_{s.name}.log" for s in system.services}
    handled = [
        json.loads(line)
        for text in logs.values()
        for line in text.splitlines()
        if line.startswith("{") and '"event.handled"' in line
    ]
    assert handled, "every handled event leaves one log line"
    assert {"event_type", "event_id", "case_id", "correlation_id", "outcome", "duration_ms"} <= set(
        handled[0]
    )
    for name, text in logs.items():
        assert _leaks(text, run.personal_values) == [], f"personal data in {name}"


def test_no_personal_data_on_any_topic(demo: tuple[DemoRun, list[str]], system: LocalSystem) -> None:
    run, _ = demo
    raw = asyncio.run(_raw_kafka_bytes(system.kafka_bootstrap, system.namespace)).decode("utf-8", "replace")
    assert run.case_id in raw  # the scan really read the case's events
    assert _leaks(raw, run.personal_values) == []
    for word in ("pregnan", "disab", "traffick", "torture", "violence", "mental"):
        assert word not in raw.lower()


def test_no_personal_data_in_raw_documents(demo: tuple[DemoRun, list[str]], system: LocalSystem) -> None:
    run, _ = demo
    raw = asyncio.run(_raw_documents(system.mongodb_uri, system.namespace))
    assert run.case_id in raw
    assert _leaks(raw, run.personal_values) == []
