"""Pieces of the runtime that need no engine."""

import io
import json
import sys

import pytest
import structlog
from pydantic import SecretStr

from lgnet_contracts.sealed import ContactDetails
from lgnet_runtime.consumer import backoff_delay
from lgnet_runtime.logging import configure_logging
from lgnet_runtime.sealing import Sealer, SealingError
from lgnet_runtime.settings import RuntimeSettings


def test_sealed_contact_opens_only_with_key_and_binding() -> None:
    sealer = Sealer.from_setting(f"k1:{Sealer.generate_key()}")
    contact = ContactDetails(first_name="Amina", phone="+393331234567", preferred_language="ar")
    sealed = sealer.seal(contact, bound_to="case-1")
    assert "Amina" not in sealed.model_dump_json()
    assert sealer.open(sealed, ContactDetails, bound_to="case-1") == contact
    with pytest.raises(SealingError):
        sealer.open(sealed, ContactDetails, bound_to="case-2")
    stranger = Sealer.from_setting(f"k1:{Sealer.generate_key()}")
    with pytest.raises(SealingError):
        stranger.open(sealed, ContactDetails, bound_to="case-1")


def test_rotated_keys_still_open_old_values() -> None:
    old_key, new_key = Sealer.generate_key(), Sealer.generate_key()
    sealed = Sealer.from_setting(f"old:{old_key}").seal(ContactDetails(phone="+393331234567"), bound_to="c")
    rotated = Sealer.from_setting(f"new:{new_key},old:{old_key}")
    assert rotated.open(sealed, ContactDetails, bound_to="c").phone == "+393331234567"
    assert rotated.seal(ContactDetails(), bound_to="c").kid == "new"


@pytest.mark.parametrize("setting", ["", "nokey", "k:" + "A" * 10])
def test_bad_sealing_settings_are_refused(setting: str) -> None:
    with pytest.raises(SealingError):
        Sealer.from_setting(setting)


def test_backoff_grows_and_is_capped() -> None:
    for attempt in range(1, 30):
        delay = backoff_delay(attempt, 0.2, 30.0)
        assert 0 <= delay <= min(30.0, 0.2 * 2 ** (attempt - 1))


def test_settings_read_engine_names_without_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    class ReferralSettings(RuntimeSettings):
        service_name = "referral"

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("MONGODB_URI", "mongodb://user:secret@mongo/")  # pragma: allowlist secret
    monkeypatch.setenv("LGNET_HTTP_PORT", "8123")
    s = ReferralSettings()
    assert s.kafka_bootstrap_servers == "kafka:9092"
    assert s.http_port == 8123
    assert s.database == "lgnet_referral"
    assert s.group_id == "lgnet.referral"
    assert "secret" not in repr(s)
    assert isinstance(s.mongodb_uri, SecretStr)


def test_log_lines_are_json_and_drop_personal_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    structlog.reset_defaults()
    configure_logging("tests", fmt="json")
    structlog.get_logger().info("event.handled", event_type="case.reported", phone="+393331234567")
    line = json.loads(buffer.getvalue().strip().splitlines()[-1])
    structlog.reset_defaults()
    assert line["event"] == "event.handled"
    assert line["service"] == "tests"
    assert line["phone"] == "[redacted]"
