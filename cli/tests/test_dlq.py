"""`lgnet dlq`: a poison message is listed, shown and re-driven to its source topic."""

import asyncio
import json

import pytest
from typer.testing import CliRunner

from lgnet_cli.main import app
from lgnet_contracts.topics import CASES
from lgnet_runtime.deadletter_admin import read_dead_letters
from lgnet_runtime.deadletters import REPLAY_HEADER
from lgnet_runtime.service import ServiceRuntime
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.harness import EventProbe, isolated_settings, publish_raw

pytestmark = pytest.mark.engines


class DlqSettings(RuntimeSettings):
    service_name = "dlqprobe"


async def _dead_letter_one(settings: DlqSettings) -> None:
    runtime = ServiceRuntime(settings)

    async def never(_: object) -> None:
        raise AssertionError("not reached: the message cannot be parsed")

    runtime.subscribe([CASES], {"case.closed": never})
    await runtime.start()
    try:
        await publish_raw(
            settings.kafka_bootstrap_servers,
            settings.topic_namespace + CASES.name,
            b'{"event_type": "case.closed"',
            key=b"k1",
        )
        async with asyncio.timeout(20):
            while not await read_dead_letters(
                settings.kafka_bootstrap_servers, namespace=settings.topic_namespace
            ):
                await asyncio.sleep(0.2)
    finally:
        await runtime.stop()


async def test_list_show_and_replay(kafka_bootstrap: str, mongo_uri: str, unique_name: str) -> None:
    settings = isolated_settings(DlqSettings, kafka_bootstrap, mongo_uri, unique_name)
    await _dead_letter_one(settings)
    runner = CliRunner()
    common = ["--bootstrap", kafka_bootstrap, "--namespace", settings.topic_namespace]

    listed = await asyncio.to_thread(runner.invoke, app, ["dlq", "list", *common])
    assert listed.exit_code == 0, listed.output
    assert "1 dead letter(s)" in listed.output
    ref = listed.output.split()[0]
    assert ref.startswith(settings.topic_namespace + CASES.dead_letter)

    shown = await asyncio.to_thread(runner.invoke, app, ["dlq", "show", ref, "--bootstrap", kafka_bootstrap])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output)
    assert record["value"] == '{"event_type": "case.closed"'
    assert record["error_type"] == "InvalidEvent"

    probe = EventProbe(kafka_bootstrap, [settings.topic_namespace + CASES.name])
    await probe.start()
    try:
        replayed = await asyncio.to_thread(runner.invoke, app, ["dlq", "replay", ref, *common])
        assert replayed.exit_code == 0, replayed.output
        async with asyncio.timeout(20):
            while not any(dict(r.headers).get(REPLAY_HEADER) == ref.encode() for r in probe.raw):
                await asyncio.sleep(0.1)
    finally:
        await probe.stop()
    again = next(r for r in probe.raw if dict(r.headers).get(REPLAY_HEADER))
    assert again.value == b'{"event_type": "case.closed"'
    assert again.key == b"k1"
