"""Idempotency keys: derived ids per operator, keyed report fingerprints, a bounded memory."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lgnet_referral.domain.errors import IdempotencyKeyReusedError, InvalidIdempotencyKeyError
from lgnet_referral.domain.idempotency import (
    KEY_RULE,
    MAX_REMEMBERED_KEYS,
    KeyedReport,
    key_id,
    remember,
    report_fingerprint,
)

PEPPER = b"test-pepper-0123456789"
KEY = "2f1c7d9e-8a10-4d0e-9a43-0b6f6c1e5b7a"


def test_the_id_is_a_uuid_fixed_by_operator_and_key() -> None:
    derived = key_id("op-1", KEY)
    assert uuid.UUID(derived).version == 5
    assert derived == key_id("op-1", KEY)
    assert derived != key_id("op-2", KEY)
    assert derived != key_id("op-1", KEY.upper())


@given(st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True))
def test_every_key_of_the_documented_form_is_accepted(key: str) -> None:
    uuid.UUID(key_id("op-1", key))


@pytest.mark.parametrize(
    "bad", ["", "seven77", "x" * 65, "with space", "tab\there!", "new\nline", "slash/es-ok?", "caffè-latte"]
)
def test_other_keys_are_refused_in_words_without_the_value(bad: str) -> None:
    with pytest.raises(InvalidIdempotencyKeyError) as refused:
        key_id("op-1", bad)
    assert str(refused.value) == KEY_RULE


def test_a_trailing_newline_does_not_slip_through() -> None:
    with pytest.raises(InvalidIdempotencyKeyError):
        key_id("op-1", KEY + "\n")


def test_the_fingerprint_is_keyed_by_the_pepper() -> None:
    report = '{"phone":"+393331234567"}'
    fingerprint = report_fingerprint(PEPPER, report)
    assert fingerprint == report_fingerprint(PEPPER, report)
    assert fingerprint != report_fingerprint(b"another-pepper-0123456789", report)
    assert fingerprint != report_fingerprint(PEPPER, report.replace("67", "68"))
    assert len(fingerprint) == 64
    assert "3331234567" not in fingerprint


def test_only_the_same_report_is_a_retry() -> None:
    first = KeyedReport(key_id("op-1", KEY), report_fingerprint(PEPPER, "a"))
    first.require_retry_of(KeyedReport(first.key_id, report_fingerprint(PEPPER, "a")))
    with pytest.raises(IdempotencyKeyReusedError, match="already used for a different report"):
        KeyedReport(first.key_id, report_fingerprint(PEPPER, "b")).require_retry_of(first)
    with pytest.raises(IdempotencyKeyReusedError):
        first.require_retry_of(None)


def test_remember_keeps_the_latest_keys_only() -> None:
    remembered: tuple[KeyedReport, ...] = ()
    for n in range(MAX_REMEMBERED_KEYS + 5):
        remembered = remember(remembered, KeyedReport(f"k{n}", "f"))
    assert len(remembered) == MAX_REMEMBERED_KEYS
    assert remembered[0].key_id == "k5"
    assert remembered[-1].key_id == f"k{MAX_REMEMBERED_KEYS + 4}"
