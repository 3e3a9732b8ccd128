"""How fast we may call each provider: one token bucket per provider.

Gateways throttle (HTTP 429) or silently queue when pushed too hard; staying under their
contracted rate keeps the urgent messages moving instead of being bounced. Time is a
monotonic number of seconds passed in by the caller, so the logic is exact in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    rate_per_second: float
    burst: float
    _tokens: float = field(init=False)
    _last: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0 or self.burst < 1:
            raise ValueError("need rate_per_second > 0 and burst >= 1")
        self._tokens = self.burst

    def _refill(self, now: float) -> None:
        if self._last is not None and now > self._last:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate_per_second)
        if self._last is None or now > self._last:
            self._last = now

    def try_take(self, now: float) -> bool:
        self._refill(now)
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def give_back(self) -> None:
        """A token taken for an attempt that did not happen (someone else claimed the message)."""
        self._tokens = min(self.burst, self._tokens + 1)

    def wait_seconds(self, now: float) -> float:
        """How long until the next token; zero when one is there."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate_per_second


class RateLimiter:
    """Buckets by provider name; a provider without a configured rate is not limited."""

    def __init__(self, rates: Mapping[str, float]) -> None:
        # A burst of one second's worth lets a quiet provider take a small spike at once.
        self._buckets = {name: TokenBucket(rate, max(1.0, rate)) for name, rate in rates.items()}

    def try_acquire(self, provider: str, now: float) -> bool:
        bucket = self._buckets.get(provider)
        return bucket is None or bucket.try_take(now)

    def release(self, provider: str) -> None:
        bucket = self._buckets.get(provider)
        if bucket is not None:
            bucket.give_back()

    def wait_seconds(self, provider: str, now: float) -> float:
        bucket = self._buckets.get(provider)
        return 0.0 if bucket is None else bucket.wait_seconds(now)
