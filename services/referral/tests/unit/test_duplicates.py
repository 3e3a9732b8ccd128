"""Possible-duplicate detection on peppered identity hashes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lgnet_referral.domain.duplicates import (
    DuplicateCandidate,
    Identity,
    LookupKeys,
    MatchKey,
    find_duplicate,
    lookup_keys,
    normalise_fiscal_code,
    normalise_name,
)
from lgnet_referral.domain.errors import InvalidIdentityError

PEPPER = b"test-pepper-0123456789"
PERSON = Identity(
    phone_e164="+393331234567",
    fiscal_code="RSSMRA80A01H501U",
    full_name="Mário  Rossi",
    birth_date=date(1980, 1, 1),
)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  José   María  ", "jose maria"),
        ("ROSSI Mario", "mario rossi"),
        ("Mario Rossi", "mario rossi"),
        ("D'Angelo-Bianchi", "bianchi dangelo"),
        ("Straße", "strasse"),
        ("Ольга Шевченко", "ольга шевченко"),
        ("Çağrı Öztürk", "cagrı ozturk"),  # noqa: RUF001 - Turkish dotless i is its own letter
    ],
    ids=[
        "accents and spaces",
        "order and case",
        "plain",
        "apostrophe and hyphen",
        "sharp s",
        "cyrillic",
        "turkish",
    ],
)
def test_normalise_name(raw: str, normalised: str) -> None:
    assert normalise_name(raw) == normalised


@given(st.text())
def test_normalise_name_is_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


def test_fiscal_code_omocodia_variant_matches_the_base_code() -> None:
    # RSSMRA80A01H501U with its last digit replaced by its omocode letter (1 -> M); the check letter differs.
    assert normalise_fiscal_code("rssmra80a01h50mx") == normalise_fiscal_code("RSSMRA80A01H501U")
    assert normalise_fiscal_code("12345678901") == "12345678901"
    with pytest.raises(InvalidIdentityError):
        normalise_fiscal_code("RSSMRA80")


def test_lookup_keys_are_peppered_hashes_without_plaintext() -> None:
    keys = lookup_keys(PERSON, PEPPER)
    other_pepper = lookup_keys(PERSON, b"another-pepper-987654321")

    assert all(len(k or "") == 64 for k in (keys.phone, keys.fiscal_code, keys.name_and_birth_date))
    assert "3331234567" not in repr(keys)
    assert keys.phone != other_pepper.phone
    assert lookup_keys(
        Identity(full_name="Rossi Mário", birth_date=date(1980, 1, 1)), PEPPER
    ).name_and_birth_date == (keys.name_and_birth_date)


def test_missing_parts_give_no_key() -> None:
    keys = lookup_keys(Identity(full_name="Mario Rossi"), PEPPER)  # a name alone is not a key
    assert keys == LookupKeys()
    assert keys.is_empty


@pytest.mark.parametrize(
    ("identity", "pepper", "message"),
    [
        (Identity(phone_e164="3331234567"), PEPPER, "E.164"),
        (Identity(phone_e164="+39 333 123 4567"), b"short", "at least 16 bytes"),
    ],
    ids=["phone not E.164", "pepper too short"],
)
def test_refused_identities(identity: Identity, pepper: bytes, message: str) -> None:
    with pytest.raises(InvalidIdentityError, match=message):
        lookup_keys(identity, pepper)


def candidate(case_id: str, hours_ago: float, identity: Identity, now: datetime) -> DuplicateCandidate:
    return DuplicateCandidate(case_id, now - timedelta(hours=hours_ago), lookup_keys(identity, PEPPER))


def test_best_match_within_the_window(t0: datetime) -> None:
    new = lookup_keys(PERSON, PEPPER)
    candidates = [
        candidate("too-old", 73, PERSON, t0),
        candidate("phone-only", 1, Identity(phone_e164=PERSON.phone_e164), t0),
        candidate(
            "fiscal-and-phone", 30, Identity(phone_e164=PERSON.phone_e164, fiscal_code=PERSON.fiscal_code), t0
        ),
        candidate("stranger", 1, Identity(phone_e164="+393330000000"), t0),
    ]

    match = find_duplicate(new, t0, candidates)

    assert match is not None
    assert (match.case_id, match.matched_on, match.is_strong) == (
        "fiscal-and-phone",
        (MatchKey.FISCAL_CODE, MatchKey.PHONE),
        True,
    )
    assert match.explanation == (
        "Possible duplicate of case fiscal-and-phone reported 30 h earlier: same fiscal code and phone number"
    )


def test_phone_only_match_is_weak_and_window_is_configurable(t0: datetime) -> None:
    new = lookup_keys(PERSON, PEPPER)
    phone_only = [candidate("c-1", 100, Identity(phone_e164=PERSON.phone_e164), t0)]

    assert find_duplicate(new, t0, phone_only) is None
    match = find_duplicate(new, t0, phone_only, window=timedelta(days=7))
    assert match is not None
    assert not match.is_strong


def test_ties_go_to_the_most_recent_then_the_smallest_id(t0: datetime) -> None:
    new = lookup_keys(PERSON, PEPPER)
    same = Identity(fiscal_code=PERSON.fiscal_code)
    candidates = [candidate("b", 5, same, t0), candidate("a", 5, same, t0), candidate("c", 10, same, t0)]

    for order in (candidates, candidates[::-1]):
        match = find_duplicate(new, t0, order)
        assert match is not None
        assert match.case_id == "a"


def test_no_keys_never_match(t0: datetime) -> None:
    assert find_duplicate(LookupKeys(), t0, [DuplicateCandidate("x", t0, LookupKeys())]) is None
