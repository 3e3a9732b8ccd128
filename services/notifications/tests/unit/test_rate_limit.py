import pytest

from lgnet_notifications.domain.rate_limit import RateLimiter, TokenBucket


def test_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate_per_second=2.0, burst=2.0)
    assert bucket.try_take(0.0)
    assert bucket.try_take(0.0)
    assert not bucket.try_take(0.0)
    assert bucket.wait_seconds(0.0) == pytest.approx(0.5)
    assert not bucket.try_take(0.4)
    assert bucket.try_take(0.5)


def test_bucket_never_saves_up_beyond_its_burst() -> None:
    bucket = TokenBucket(rate_per_second=1.0, burst=1.0)
    assert bucket.try_take(0.0)
    assert bucket.try_take(100.0)
    assert not bucket.try_take(100.0)


def test_time_going_backwards_grants_nothing() -> None:
    bucket = TokenBucket(rate_per_second=1.0, burst=1.0)
    assert bucket.try_take(10.0)
    assert not bucket.try_take(5.0)
    assert bucket.try_take(11.0)


def test_a_token_given_back_can_be_used_again() -> None:
    limiter = RateLimiter({"sms_gateway": 1.0})
    assert limiter.try_acquire("sms_gateway", 0.0)
    assert not limiter.try_acquire("sms_gateway", 0.0)
    limiter.release("sms_gateway")
    assert limiter.try_acquire("sms_gateway", 0.0)


def test_providers_are_limited_separately_and_unknown_ones_not_at_all() -> None:
    limiter = RateLimiter({"sms_gateway": 1.0, "smtp": 1.0})
    assert limiter.try_acquire("sms_gateway", 0.0)
    assert limiter.try_acquire("smtp", 0.0)
    assert not limiter.try_acquire("sms_gateway", 0.0)
    assert all(limiter.try_acquire("app_io", 0.0) for _ in range(100))
    assert limiter.wait_seconds("app_io", 0.0) == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.5)])
def test_nonsense_limits_are_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="rate_per_second"):
        TokenBucket(rate, burst)
