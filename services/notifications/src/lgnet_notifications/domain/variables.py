"""The only variables a message may carry, and what kind of value each one is.

Messages reach shared phones and mailboxes, so they carry the minimum: references,
the shelter's public details, times, amounts and public phone numbers. Nothing about
health, legal status, violence, vulnerability or nationality may ever be added here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType


class VariableKind(StrEnum):
    TEXT = "text"
    PHONE = "phone"
    DATETIME = "datetime"  # timezone-aware datetime, shown in the municipality's time zone
    DATE = "date"
    MONEY_CENTS = "money_cents"  # int cents of EUR, never float


ALLOWED_VARIABLES: Mapping[str, VariableKind] = MappingProxyType(
    {
        "reference": VariableKind.TEXT,
        "first_name": VariableKind.TEXT,
        "municipality_name": VariableKind.TEXT,
        "shelter_name": VariableKind.TEXT,
        "shelter_address": VariableKind.TEXT,
        "shelter_phone": VariableKind.PHONE,
        "hotline_phone": VariableKind.PHONE,
        "arrival_time": VariableKind.DATETIME,
        "amount": VariableKind.MONEY_CENTS,
        "expected_date": VariableKind.DATE,
        "review_deadline": VariableKind.DATE,
    }
)


class ForbiddenVariableError(ValueError):
    """A variable outside the allow-list was named or passed."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(f"variables not in the allow-list: {', '.join(self.names)}")


def ensure_allowed(names: Iterable[str]) -> None:
    forbidden = {name for name in names if name not in ALLOWED_VARIABLES}
    if forbidden:
        raise ForbiddenVariableError(forbidden)
