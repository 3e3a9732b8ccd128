"""Prometheus metrics shared by every service (label `service` tells them apart)."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "lgnet_events_handled_total",
    "Events taken from Kafka, by type and outcome",
    ["service", "event_type", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "lgnet_handler_seconds",
    "Time to handle one event, retries included",
    ["service", "event_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
OUTBOX_BACKLOG = Gauge("lgnet_outbox_backlog", "Aggregates with events not yet published", ["service"])
OUTBOX_PUBLISHED = Counter(
    "lgnet_outbox_published_total", "Events published by the outbox relay", ["service"]
)
DEAD_LETTERS = Counter(
    "lgnet_dead_letters_total", "Messages sent to a dead-letter topic", ["service", "topic", "reason"]
)
CONSUMER_LAG = Gauge(
    "lgnet_consumer_lag", "Messages behind the end of the partition", ["service", "topic", "partition"]
)
