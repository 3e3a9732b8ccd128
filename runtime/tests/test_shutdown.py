"""SIGTERM path: stop fetching, let the handler in hand finish, commit, flush the relay, exit."""

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from lgnet_contracts import Envelope, encode
from lgnet_contracts.topics import CASES
from lgnet_runtime.service import ServiceRuntime
from lgnet_testing.harness import publish_raw

from .conftest import ProbeSettings, closed_event, drop_database

pytestmark = pytest.mark.engines


async def test_stop_finishes_the_handler_in_hand_commits_and_flushes(settings: ProbeSettings) -> None:
    first = ServiceRuntime(settings)
    started, calls = asyncio.Event(), []
    effects = first.aggregates("effects")

    async def slow(event: Envelope[Any]) -> None:
        calls.append(event.event_id)
        started.set()
        await asyncio.sleep(1.0)  # still working when the stop arrives
        await effects.insert(
            {"_id": str(event.event_id)}, events=[closed_event(event.case_id)], handled=str(event.event_id)
        )

    first.subscribe([CASES], {"case.closed": slow})
    await first.start()
    event = closed_event()
    await publish_raw(
        settings.kafka_bootstrap_servers, settings.topic_namespace + CASES.name, encode(event), key=event.key
    )
    try:
        await asyncio.wait_for(started.wait(), 20)
        await first.stop()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri.get_secret_value())
        written = await client[settings.database]["effects"].find_one({"_id": str(event.event_id)})
        await client.close()
        assert written is not None, "the handler in hand was allowed to finish"
        assert written["_outbox"] == [], "the relay flushed on stop"

        second = ServiceRuntime(settings)
        again: list[Any] = []

        async def count(e: Envelope[Any]) -> None:
            again.append(e.event_id)

        second.subscribe([CASES], {"case.closed": count})
        await second.start()
        await asyncio.sleep(3)  # time enough to be redelivered, were the offset not committed
        await second.stop()
        assert event.event_id not in again, "the offset was committed before exit"
        assert calls == [event.event_id]
    finally:
        await drop_database(settings)
