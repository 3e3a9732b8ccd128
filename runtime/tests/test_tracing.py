"""One trace runs across services: context written with the outbox entry, continued by the consumer."""

import asyncio
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lgnet_contracts import Envelope
from lgnet_contracts.topics import CASES
from lgnet_runtime.service import ServiceRuntime
from lgnet_runtime.telemetry import configure_tracing, tracer
from lgnet_testing.harness import isolated_settings

from .conftest import ProbeSettings, closed_event, drop_database

pytestmark = pytest.mark.engines


class OtherSettings(ProbeSettings):
    service_name = "other"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_tracing("tests", None, exporter=exporter)
    return exporter


async def test_spans_of_two_services_share_one_trace(
    spans: InMemorySpanExporter, kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    upstream_settings = isolated_settings(ProbeSettings, kafka_bootstrap, mongo_uri, unique_name)
    downstream_settings = isolated_settings(OtherSettings, kafka_bootstrap, mongo_uri, unique_name)
    upstream, downstream = ServiceRuntime(upstream_settings), ServiceRuntime(downstream_settings)
    cases = upstream.aggregates("cases")
    upstream.publishes([CASES])
    got: list[Envelope[Any]] = []

    async def on_closed(event: Envelope[Any]) -> None:
        with tracer().start_as_current_span("downstream work"):
            got.append(event)

    downstream.subscribe([CASES], {"case.closed": on_closed})
    await upstream.start()
    await downstream.start()
    try:
        with tracer().start_as_current_span("POST /cases") as request_span:
            await cases.insert({"_id": "c1"}, events=[closed_event()])
        trace_id = request_span.get_span_context().trace_id
        async with asyncio.timeout(20):
            while not got:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        handled = [s for s in spans.get_finished_spans() if s.name == "handle case.closed"]
        work = [s for s in spans.get_finished_spans() if s.name == "downstream work"]
        assert handled
        assert handled[0].context.trace_id == trace_id
        assert work[0].context.trace_id == trace_id
        assert work[0].parent is not None
        assert work[0].parent.span_id == handled[0].context.span_id
    finally:
        await upstream.stop()
        await downstream.stop()
        await drop_database(upstream_settings)
        await drop_database(downstream_settings)
