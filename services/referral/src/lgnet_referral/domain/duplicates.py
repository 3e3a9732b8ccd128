"""Possible-duplicate detection on peppered hashes of identity keys.

The store keeps only HMAC-SHA256(pepper, kind + normalised value), so matching works
without plaintext identity, and a leaked store cannot be reversed by hashing a phone
book without the pepper (which lives in the secret store, never next to the data).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from lgnet_referral.domain.errors import InvalidIdentityError
from lgnet_referral.domain.utc import require_utc

DEFAULT_DUPLICATE_WINDOW = timedelta(hours=72)
MIN_PEPPER_BYTES = 16
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Omocodia: to resolve homonyms the Agenzia delle Entrate swaps digits for these letters
# in the digit positions of a 16-character code; mapping them back lets variants match.
_OMOCODE_LETTERS = "LMNPQRSTUV"
_OMOCODE_POSITIONS = (6, 7, 9, 10, 12, 13, 14)


class MatchKey(StrEnum):
    # Declared from the strongest evidence to the weakest, which is the tie-break order.
    FISCAL_CODE = "fiscal_code"
    NAME_AND_BIRTH_DATE = "name_and_birth_date"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {
            MatchKey.FISCAL_CODE: "fiscal code",
            MatchKey.NAME_AND_BIRTH_DATE: "name and birth date",
            MatchKey.PHONE: "phone number",
        }[self]


@dataclass(frozen=True, slots=True)
class Identity:
    """Plaintext identity as the API edge validated it (phone already E.164)."""

    phone_e164: str | None = None
    fiscal_code: str | None = None
    full_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class LookupKeys:
    """Hex digests, one per key that could be computed; None where the identity lacks it."""

    phone: str | None = None
    fiscal_code: str | None = None
    name_and_birth_date: str | None = None

    def get(self, key: MatchKey) -> str | None:
        match key:
            case MatchKey.PHONE:
                return self.phone
            case MatchKey.FISCAL_CODE:
                return self.fiscal_code
            case MatchKey.NAME_AND_BIRTH_DATE:
                return self.name_and_birth_date

    @property
    def is_empty(self) -> bool:
        return self.phone is None and self.fiscal_code is None and self.name_and_birth_date is None


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    case_id: str
    reported_at: datetime
    keys: LookupKeys


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    case_id: str
    reported_at: datetime
    matched_on: tuple[MatchKey, ...]
    explanation: str

    @property
    def is_strong(self) -> bool:
        """A shared phone alone is weak: one volunteer's phone may report many people."""
        return self.matched_on != (MatchKey.PHONE,)


def normalise_name(name: str) -> str:
    """Casefold, strip accents, drop apostrophes, collapse spaces, sort the words.

    Sorting makes "Ahmed Mohamed" equal "Mohamed Ahmed": given and family name are
    often swapped between documents and hotline notes; the birth date keeps it specific.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    unaccented = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = unaccented.casefold().replace("'", "").replace("\u2019", "")
    words = re.sub(r"[\s\-.,]+", " ", cleaned).split()
    return " ".join(sorted(words))


def normalise_fiscal_code(code: str) -> str:
    """Upper-case without spaces; a 16-character code loses its check letter and omocodia."""
    cleaned = re.sub(r"\s+", "", code).upper()
    if len(cleaned) == 11 and cleaned.isdigit():
        return cleaned  # provisional numeric code given to some foreign nationals
    if len(cleaned) != 16 or not cleaned.isalnum():
        raise InvalidIdentityError(f"not a fiscal code: expected 16 characters or 11 digits, got {code!r}")
    chars = list(cleaned[:15])
    for position in _OMOCODE_POSITIONS:
        if chars[position] in _OMOCODE_LETTERS:
            chars[position] = str(_OMOCODE_LETTERS.index(chars[position]))
    return "".join(chars)


def normalise_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s\-().]", "", phone)
    if not _E164.match(cleaned):
        raise InvalidIdentityError(f"phone must be in E.164 form (+393331234567), got {phone!r}")
    return cleaned


def lookup_keys(identity: Identity, pepper: bytes) -> LookupKeys:
    if len(pepper) < MIN_PEPPER_BYTES:
        raise InvalidIdentityError(f"the pepper must be at least {MIN_PEPPER_BYTES} bytes")
    name = normalise_name(identity.full_name) if identity.full_name else ""
    return LookupKeys(
        phone=_digest(pepper, MatchKey.PHONE, normalise_phone(identity.phone_e164))
        if identity.phone_e164
        else None,
        fiscal_code=_digest(pepper, MatchKey.FISCAL_CODE, normalise_fiscal_code(identity.fiscal_code))
        if identity.fiscal_code
        else None,
        # A name alone matches too many people; only name plus birth date is a key.
        name_and_birth_date=_digest(pepper, MatchKey.NAME_AND_BIRTH_DATE, f"{name}|{identity.birth_date}")
        if name and identity.birth_date
        else None,
    )


def find_duplicate(
    keys: LookupKeys,
    reported_at: datetime,
    candidates: Iterable[DuplicateCandidate],
    *,
    window: timedelta = DEFAULT_DUPLICATE_WINDOW,
) -> DuplicateMatch | None:
    """The best candidate reported within ``window`` of this report, or None.

    Best = most keys matched, then the strongest key, then the most recent report,
    then the smallest case id (so the answer never depends on candidate order).
    """
    reported_at = require_utc(reported_at, "reported_at")
    best: tuple[tuple[int, int, float, str], DuplicateMatch] | None = None
    for candidate in candidates:
        candidate_at = require_utc(candidate.reported_at, "candidate reported_at")
        if abs(reported_at - candidate_at) > window:
            continue
        matched = tuple(
            key for key in MatchKey if keys.get(key) is not None and keys.get(key) == candidate.keys.get(key)
        )
        if not matched:
            continue
        strongest = list(MatchKey).index(matched[0])
        rank = (-len(matched), strongest, -candidate_at.timestamp(), candidate.case_id)
        if best is None or rank < best[0]:
            match = DuplicateMatch(
                case_id=candidate.case_id,
                reported_at=candidate_at,
                matched_on=matched,
                explanation=_explain(candidate.case_id, matched, reported_at - candidate_at),
            )
            best = (rank, match)
    return best[1] if best else None


def _digest(pepper: bytes, kind: MatchKey, value: str) -> str:
    # The kind is part of the message so equal strings of different kinds never collide.
    return hmac.new(pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _explain(case_id: str, matched: tuple[MatchKey, ...], age: timedelta) -> str:
    keys = " and ".join(key.label for key in matched)
    hours = int(abs(age) / timedelta(hours=1))
    when = f"{hours} h earlier" if age >= timedelta(0) else f"{hours} h later"
    return f"Possible duplicate of case {case_id} reported {when}: same {keys}"
