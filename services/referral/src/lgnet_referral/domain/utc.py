"""The one rule about time in the domain: aware datetimes, normalised to UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from lgnet_referral.domain.errors import NaiveDatetimeError


def require_utc(value: datetime, what: str) -> datetime:
    """Return ``value`` in UTC; refuse naive datetimes, whose meaning depends on the server's zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)
