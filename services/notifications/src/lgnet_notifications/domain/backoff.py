"""When to try a provider again after a fault: exponential backoff with full jitter.

Full jitter (a uniform delay between zero and the exponential cap) spreads the retries of
many notifications that failed together, so a recovering gateway is not hit by a wave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

# Returns a float in [0, 1), e.g. random.Random(seed).random; injected so tests are exact.
RandomSource = Callable[[], float]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 6

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("need 0 < base <= cap")

    def ceiling(self, attempt: int) -> timedelta:
        """The largest delay after the given (1-based) failed attempt."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        # Bound the exponent before multiplying so a large attempt number cannot overflow.
        exponent = min(attempt - 1, 32)
        return min(self.cap, self.base * (1 << exponent))

    def delay(self, attempt: int, random: RandomSource) -> timedelta:
        return self.ceiling(attempt) * random()
