"""OpenTelemetry tracing: one trace from the hotline request to the last message sent.

Trace context is captured when an outbox entry is written (so the relay, which runs later and
elsewhere, publishes it in the Kafka headers) and continued by the consumer that handles it.
"""

from collections.abc import Iterable, Mapping

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter


def configure_tracing(
    service: str, otlp_endpoint: str | None, *, exporter: SpanExporter | None = None
) -> None:
    """OTLP export when an endpoint is configured. Without one, no SDK is installed: spans stay
    non-recording, which costs next to nothing on the per-event path."""
    if exporter is None and not otlp_endpoint:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"lgnet-{service}"}))
    if exporter is not None:  # given explicitly (tests, debugging): export each span at once
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def tracer(name: str = "lgnet") -> trace.Tracer:
    return trace.get_tracer(name)


def current_trace_headers() -> dict[str, str]:
    """W3C `traceparent`/`tracestate` of the active span, to store with an outbox entry."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_headers(headers: Iterable[tuple[str, bytes]] | Mapping[str, str]) -> otel_context.Context:
    if isinstance(headers, Mapping):
        carrier = dict(headers)
    else:
        carrier = {k: v.decode("latin-1") for k, v in headers if k in ("traceparent", "tracestate")}
    return propagate.extract(carrier)
