import pytest
from pydantic import ValidationError

from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.settings import NotificationsSettings


def test_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGNET_NOTIFICATIONS_SMS_GATEWAY_URL", "http://gw.example")
    monkeypatch.setenv("LGNET_NOTIFICATIONS_CHANNEL_ORDER", '["email", "sms"]')
    monkeypatch.setenv("LGNET_NOTIFICATIONS_HOTLINE_PHONES", '{"058091": "+39 06 0606"}')
    monkeypatch.setenv("LGNET_NOTIFICATIONS_MAX_SMS_SEGMENTS", "2")
    settings = NotificationsSettings(_env_file=None)
    assert settings.sms_gateway_url == "http://gw.example"
    assert settings.channel_order == [Channel.EMAIL, Channel.SMS]
    assert settings.hotline_phones == {"058091": "+39 06 0606"}
    assert settings.max_sms_segments == 2
    assert settings.database == "lgnet_notifications"


def test_a_lease_shorter_than_an_attempt_is_refused() -> None:
    with pytest.raises(ValidationError, match="send_lease_seconds"):
        NotificationsSettings(send_timeout_seconds=30, send_lease_seconds=45, _env_file=None)
