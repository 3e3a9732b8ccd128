"""The time source use cases read, injected so tests and the SLA watchdog can move it."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def to_millis(value: datetime) -> datetime:
    """MongoDB keeps milliseconds: times that are compared after a round trip must not carry more."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def utc_now() -> datetime:
    return to_millis(datetime.now(UTC))
