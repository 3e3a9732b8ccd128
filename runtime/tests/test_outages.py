"""The engines fail under a running service: it waits, recovers by itself, and loses nothing."""

import asyncio
from typing import Any

import pytest

from lgnet_contracts import Envelope, encode
from lgnet_contracts.topics import CASES
from lgnet_runtime.service import ServiceRuntime
from lgnet_testing.harness import probe, publish_raw

from .conftest import ProbeSettings, closed_event, drop_database

pytestmark = [pytest.mark.engines, pytest.mark.slow]


async def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_mongo_stopped_mid_stream_then_back(local_engines, settings: ProbeSettings) -> None:  # type: ignore[no-untyped-def]
    runtime = ServiceRuntime(settings)
    handled: set[str] = set()
    effects = runtime.aggregates("effects")

    async def on_closed(event: Envelope[Any]) -> None:
        await effects.insert({"_id": str(event.event_id)}, handled=str(event.event_id))
        handled.add(str(event.event_id))

    runtime.subscribe([CASES], {"case.closed": on_closed})
    await runtime.start()
    topic = settings.topic_namespace + CASES.name
    events = [closed_event() for _ in range(40)]
    try:
        for event in events[:20]:
            await publish_raw(settings.kafka_bootstrap_servers, topic, encode(event), key=event.key)
        await _wait(lambda: asyncio.sleep(0, len(handled) >= 5), 20, "the first effects")
        await asyncio.to_thread(local_engines.stop, "mongo")
        for event in events[20:]:
            await publish_raw(settings.kafka_bootstrap_servers, topic, encode(event), key=event.key)
        await asyncio.sleep(3)
        await asyncio.to_thread(local_engines.start, "mongo")
        await _wait(lambda: asyncio.sleep(0, len(handled) == 40), 60, "every event after the outage")
        assert await runtime.db["effects"].count_documents({}) == 40
    finally:
        await runtime.stop()
        await drop_database(settings)


async def test_broker_killed_and_restarted_loses_no_acknowledged_event(  # type: ignore[no-untyped-def]
    local_engines, settings: ProbeSettings
) -> None:
    writer = ServiceRuntime(settings)
    cases = writer.aggregates("cases")
    writer.publishes([CASES])
    await writer.start()
    before = [closed_event() for _ in range(50)]
    during = [closed_event() for _ in range(20)]
    try:
        for i, event in enumerate(before):
            await cases.insert({"_id": f"before-{i}"}, events=[event])
        await _wait(lambda: pending_is_zero(writer), 30, "the relay to publish everything")
        await asyncio.to_thread(local_engines.kill, "kafka")
        for i, event in enumerate(during):  # written while the broker is down: they wait in the outbox
            await cases.insert({"_id": f"during-{i}"}, events=[event])
        await asyncio.to_thread(local_engines.start, "kafka")
        await _wait(lambda: pending_is_zero(writer), 90, "the relay to publish after the restart")
        async with probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as seen:
            wanted = {str(e.event_id) for e in before + during}
            await seen.wait_for(lambda evs: wanted <= {str(e.event_id) for e in evs}, 60, "all events")
    finally:
        await writer.stop()
        await drop_database(settings)


async def pending_is_zero(runtime: ServiceRuntime) -> bool:
    return await runtime.db["cases"].count_documents({"_outbox.0": {"$exists": True}}) == 0
