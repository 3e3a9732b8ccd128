"""Idempotency keys of reports: a retry with the same key gets the first answer, not a second case.

The case a key opens takes an id derived from the operator and the key, so a repeated insert
collides on the store's unique id even when two requests race: no lock, no extra index. A key
stands for one report: what is remembered is a fingerprint of it, an HMAC with the duplicate
pepper (a plain hash of a name and a phone could be reversed by trying candidates).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass

from lgnet_referral.domain.errors import IdempotencyKeyReusedError, InvalidIdempotencyKeyError

_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
KEY_PATTERN = f"^{_KEY.pattern}$"
KEY_RULE = "Idempotency-Key must be 8 to 64 letters, digits, '-' or '_' (a UUID fits)"
REUSED = "Idempotency-Key already used for a different report; send a new report with a new key"
# How many keyed reports linked to a case it remembers: retries come within minutes, not days.
MAX_REMEMBERED_KEYS = 20
# Fixed for good: another namespace would give every key already used a different case id.
_NAMESPACE = uuid.UUID("3e1a6e2f-230b-47eb-bad7-78655ff69b44")


def key_id(operator_id: str, key: str) -> str:
    """The id a key stands for, per operator (two operators' equal keys are unrelated); it is the
    id of the case the keyed report opens. The key has no newline, so the pair reads back one way."""
    if not _KEY.fullmatch(key):
        raise InvalidIdempotencyKeyError(KEY_RULE)
    return str(uuid.uuid5(_NAMESPACE, f"{operator_id}\n{key}"))


def report_fingerprint(pepper: bytes, canonical_report: str) -> str:
    """``canonical_report``: every field of the report in one fixed form."""
    # Prefixed so a fingerprint never equals a duplicate-lookup digest made with the same pepper.
    return hmac.new(pepper, f"report:{canonical_report}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class KeyedReport:
    """A report sent with an Idempotency-Key, as a case remembers it."""

    key_id: str
    fingerprint: str

    def require_retry_of(self, earlier: KeyedReport | None) -> None:
        """The same report again is a retry; any other report under the same key is refused, and so
        is one that cannot be compared any more (``earlier`` None: the case's data was erased)."""
        if earlier is None or not hmac.compare_digest(earlier.fingerprint, self.fingerprint):
            raise IdempotencyKeyReusedError(REUSED)


def remember(linked: tuple[KeyedReport, ...], report: KeyedReport) -> tuple[KeyedReport, ...]:
    """``linked`` with ``report`` added last, the oldest dropped beyond the bound."""
    return (*linked, report)[-MAX_REMEMBERED_KEYS:]
