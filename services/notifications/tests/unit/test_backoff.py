import random
from datetime import timedelta

import pytest

from lgnet_notifications.domain.backoff import RetryPolicy

POLICY = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(minutes=5), max_attempts=6)


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 300), (50, 300), (10_000, 300)],
)
def test_ceiling_doubles_up_to_the_cap(attempt: int, ceiling: int) -> None:
    assert POLICY.ceiling(attempt) == timedelta(seconds=ceiling)


def test_full_jitter_spans_zero_to_ceiling() -> None:
    assert POLICY.delay(3, lambda: 0.0) == timedelta(0)
    assert POLICY.delay(3, lambda: 0.5) == timedelta(seconds=20)
    rng = random.Random(7)
    delays = [POLICY.delay(4, rng.random) for _ in range(500)]
    assert all(timedelta(0) <= d < timedelta(seconds=80) for d in delays)
    assert len(set(delays)) > 400  # spread out, not synchronised


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base"):
        RetryPolicy(base=timedelta(minutes=10), cap=timedelta(minutes=1))
    with pytest.raises(ValueError, match="1-based"):
        POLICY.ceiling(0)
