from datetime import UTC, datetime, timedelta

import pytest

from lgnet_notifications.domain.backoff import RetryPolicy
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.message import (
    FailureReason,
    InvalidTransitionError,
    Notification,
    NotificationDelivered,
    NotificationFailed,
    NotificationKey,
    NotificationRequested,
    NotificationSent,
    NotificationStatus,
)

T0 = datetime(2025, 3, 12, 20, 0, tzinfo=UTC)
KEY = NotificationKey("evt-1", "person-9", Channel.SMS)
POLICY = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(minutes=10), max_attempts=3)


def half() -> float:
    return 0.5


def requested(fallback: tuple[Channel, ...] = (Channel.EMAIL, Channel.APP_IO)) -> Notification:
    notification, events = Notification.request(
        key=KEY,
        event_type="placement.confirmed",
        template_id="placement_confirmed",
        locale=Locale.AR,
        now=T0,
        fallback_channels=fallback,
    )
    assert events == (NotificationRequested(KEY, "placement_confirmed", T0),)
    return notification


def test_request_is_due_at_once_and_keyed_for_idempotency() -> None:
    n = requested()
    assert n.status is NotificationStatus.REQUESTED
    assert n.is_due(T0)
    assert n.idempotency_key == "evt-1:person-9:sms"
    assert n.next_channel is Channel.EMAIL


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Notification.request(
            key=KEY, event_type="x.y", template_id="t", locale=Locale.IT, now=datetime(2025, 1, 1)
        )


def test_happy_path_sent_then_delivered() -> None:
    n = requested().start_attempt(T0)
    assert (n.status, n.attempts, n.next_attempt_at) == (NotificationStatus.SENDING, 1, None)
    n, events = n.mark_sent("prov-42", T0 + timedelta(seconds=1))
    assert n.status is NotificationStatus.SENT
    assert events == (NotificationSent(KEY, "prov-42", 1, T0 + timedelta(seconds=1)),)
    n, events = n.mark_delivered(T0 + timedelta(seconds=5))
    assert n.status is NotificationStatus.DELIVERED
    assert events == (NotificationDelivered(KEY, "prov-42", T0 + timedelta(seconds=5)),)
    # A redelivered callback changes nothing and says nothing.
    assert n.mark_delivered(T0 + timedelta(seconds=9)) == (n, ())
    assert n.is_terminal


def test_delivery_callback_can_beat_our_record_of_acceptance() -> None:
    n = requested().start_attempt(T0)
    n, events = n.mark_delivered(T0, provider_message_id="prov-7")
    assert n.status is NotificationStatus.DELIVERED
    assert n.provider_message_id == "prov-7"
    assert len(events) == 1


def test_fault_schedules_retry_with_backoff_then_dies() -> None:
    n = requested().start_attempt(T0)
    n, events = n.record_fault("HTTP 503", T0, POLICY, half)
    assert events == ()
    assert n.status is NotificationStatus.REQUESTED
    assert n.next_attempt_at == T0 + timedelta(seconds=5)  # half of 10 s
    assert not n.is_due(T0)
    assert n.is_due(T0 + timedelta(seconds=5))

    n = n.start_attempt(T0 + timedelta(seconds=5))
    n, _ = n.record_fault("HTTP 503", T0 + timedelta(seconds=5), POLICY, half)
    assert n.next_attempt_at == T0 + timedelta(seconds=15)  # half of 20 s

    n = n.start_attempt(T0 + timedelta(seconds=15))
    n, events = n.record_fault("timeout", T0 + timedelta(seconds=15), POLICY, half)
    assert n.status is NotificationStatus.FAILED
    assert n.failure is FailureReason.ATTEMPTS_EXHAUSTED
    (failed,) = events
    assert isinstance(failed, NotificationFailed)
    assert failed.dead
    assert failed.attempts == 3
    assert failed.next_channel is Channel.EMAIL


def test_rejection_is_final_without_retry() -> None:
    n = requested().start_attempt(T0)
    n, events = n.reject(FailureReason.REJECTED, "invalid number", T0)
    assert n.status is NotificationStatus.FAILED
    (failed,) = events
    assert isinstance(failed, NotificationFailed)
    assert not failed.dead
    assert failed.reason is FailureReason.REJECTED


def test_undelivered_callback_fails_once() -> None:
    n, _ = requested().start_attempt(T0).mark_sent("p", T0)
    n, events = n.mark_undelivered("absent subscriber", T0)
    assert n.failure is FailureReason.UNDELIVERED
    assert len(events) == 1
    assert n.mark_undelivered("absent subscriber", T0) == (n, ())


def test_failover_creates_next_channel_notification() -> None:
    n, _ = requested().start_attempt(T0).reject(FailureReason.REJECTED, "bad number", T0)
    result = n.fail_over(T0 + timedelta(seconds=1))
    assert result is not None
    email, events = result
    assert email.key == NotificationKey("evt-1", "person-9", Channel.EMAIL)
    assert email.status is NotificationStatus.REQUESTED
    assert email.attempts == 0
    assert email.fallback_channels == (Channel.APP_IO,)
    assert email.locale is Locale.AR
    assert events == (NotificationRequested(email.key, "placement_confirmed", T0 + timedelta(seconds=1)),)

    last, _ = email.start_attempt(T0).reject(FailureReason.REJECTED, "bounce", T0)
    app_io_result = last.fail_over(T0)
    assert app_io_result is not None
    app_io, _ = app_io_result
    assert app_io.next_channel is None
    dead_end, _ = app_io.start_attempt(T0).reject(FailureReason.REJECTED, "no IO profile", T0)
    assert dead_end.fail_over(T0) is None


def test_own_channel_is_never_its_own_fallback() -> None:
    assert requested(fallback=(Channel.SMS, Channel.EMAIL)).fallback_channels == (Channel.EMAIL,)


@pytest.mark.parametrize(
    "action",
    [
        lambda n: n.mark_sent("p", T0),
        lambda n: n.mark_delivered(T0),
        lambda n: n.record_fault("x", T0, POLICY, half),
        lambda n: n.fail_over(T0),
    ],
)
def test_invalid_transitions_from_requested(action: object) -> None:
    with pytest.raises(InvalidTransitionError):
        action(requested())  # type: ignore[operator]


def test_cannot_start_a_second_attempt_while_sending() -> None:
    with pytest.raises(InvalidTransitionError, match="sending"):
        requested().start_attempt(T0).start_attempt(T0)
