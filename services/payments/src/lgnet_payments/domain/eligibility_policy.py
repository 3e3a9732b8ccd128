"""Grant eligibility rules per municipality, as validated configuration.

The rules live in ``services/payments/config/grants.toml``::

    version = 1
    [default]                       # every key is required here
    isee_threshold_cents = 26_000_00
    ...
    [municipality."058091"]         # optional, only the keys that differ
    isee_threshold_cents = 28_000_00

Defaults and where they come from:

- ``isee_threshold_cents`` 26_000_00: DL 102/2013 art. 6 reference scheme ("morosità
  incolpevole"). Many municipal rent-support schemes use an ISEE limit near 28_000_00,
  which is why it is per municipality.
- ``ise_threshold_cents`` absent: the same decree also names ISE up to 35_000_00. When a
  municipality sets it, it is applied as an *additional* ceiling (both must hold), the
  stricter reading of the decree's "ISE or ISEE"; leave it unset for the ISEE-only rule.
- ``cap_per_grant_cents`` 12_000_00: the decree's maximum per grant.
- ``amount_per_member_cents`` 2_000_00, ``minimum_grant_cents`` 100_00: programme choices,
  not from the decree; municipalities override them.
- ``household_window_days`` 365: at most one grant per household in that window.
- ``auto_approval_threshold_cents`` 1_500_00: amounts up to it are approved without review.
- ``programme_start`` 2024-01-16, ``programme_end`` 2026-12-31: local dates in Europe/Rome.
  The window opens at the start of the first day and closes at the end of the last day,
  both converted to UTC (one municipality's page says January 2027, hence configurable).

Parsing is pure (a TOML string or an already-parsed mapping); reading the file is the
caller's job. Every problem is collected and raised together in one ``GrantPolicyError``
so an operator fixes the file in one pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


class GrantPolicyError(ValueError):
    """The grant configuration is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid grant policy:\n- " + "\n- ".join(self.problems))


def rome_day_start_utc(day: date) -> datetime:
    """The instant a Europe/Rome calendar day begins, in UTC (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=ROME).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class GrantRules:
    """The resolved rules for one municipality. Money in integer cents."""

    isee_threshold_cents: int
    ise_threshold_cents: int | None
    amount_per_member_cents: int
    cap_per_grant_cents: int
    minimum_grant_cents: int
    household_window_days: int
    auto_approval_threshold_cents: int
    programme_start: date
    programme_end: date
    rent_arrears_requires_eviction_notice: bool = True
    rent_arrears_requires_registered_lease: bool = True

    @property
    def programme_opens_at(self) -> datetime:
        """First instant (UTC) at which a grant may be decided."""
        return rome_day_start_utc(self.programme_start)

    @property
    def programme_closes_at(self) -> datetime:
        """First instant (UTC) *after* the programme: end of the last Rome day, exclusive."""
        return rome_day_start_utc(self.programme_end + timedelta(days=1))

    def in_programme_window(self, at: datetime) -> bool:
        return self.programme_opens_at <= at < self.programme_closes_at


DEFAULT_GRANT_RULES = GrantRules(
    isee_threshold_cents=26_000_00,
    ise_threshold_cents=None,
    amount_per_member_cents=2_000_00,
    cap_per_grant_cents=12_000_00,
    minimum_grant_cents=100_00,
    household_window_days=365,
    auto_approval_threshold_cents=1_500_00,
    programme_start=date(2024, 1, 16),
    programme_end=date(2026, 12, 31),
)

_CENT_KEYS = (
    "isee_threshold_cents",
    "amount_per_member_cents",
    "cap_per_grant_cents",
    "minimum_grant_cents",
    "auto_approval_threshold_cents",
)
_OPTIONAL_CENT_KEYS = ("ise_threshold_cents",)
_INT_KEYS = ("household_window_days",)
_DATE_KEYS = ("programme_start", "programme_end")
_BOOL_KEYS = ("rent_arrears_requires_eviction_notice", "rent_arrears_requires_registered_lease")
_KNOWN_KEYS = frozenset(f.name for f in fields(GrantRules))
_REQUIRED_DEFAULT_KEYS = frozenset(_KNOWN_KEYS - set(_OPTIONAL_CENT_KEYS) - set(_BOOL_KEYS))


@dataclass(frozen=True, slots=True)
class GrantPolicy:
    """All municipalities' rules: one default plus per-ISTAT-code overrides."""

    version: int
    default: GrantRules
    overrides: Mapping[str, GrantRules]

    def rules_for(self, municipality: str) -> GrantRules:
        return self.overrides.get(municipality, self.default)


def grant_policy_from_toml(text: str) -> GrantPolicy:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GrantPolicyError([f"not valid TOML: {exc}"]) from exc
    return parse_grant_policy(document)


def parse_grant_policy(document: Mapping[str, Any]) -> GrantPolicy:
    problems: list[str] = []
    for key in sorted(set(document) - {"version", "default", "municipality"}):
        problems.append(f"unknown top-level key {key!r}")
    version = document.get("version")
    if not _is_int(version) or version < 1:
        problems.append("'version' must be a positive integer")

    raw_default = document.get("default")
    if not isinstance(raw_default, Mapping):
        problems.append("missing [default] table")
        raw_default = {}
    missing = sorted(_REQUIRED_DEFAULT_KEYS - set(raw_default))
    problems.extend(f"[default] is missing {key!r}" for key in missing)
    default_values = _check_table("[default]", raw_default, problems)
    default = replace(DEFAULT_GRANT_RULES, **default_values)
    if not missing:
        _check_coherence("[default]", default, problems)

    overrides: dict[str, GrantRules] = {}
    raw_overrides = document.get("municipality", {})
    if not isinstance(raw_overrides, Mapping):
        problems.append("[municipality] must be a table of tables keyed by ISTAT code")
        raw_overrides = {}
    for code, table in raw_overrides.items():
        where = f"[municipality.{code!r}]"
        if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
            problems.append(f"{where}: the key must be a 6-digit ISTAT code")
        if not isinstance(table, Mapping):
            problems.append(f"{where} must be a table")
            continue
        rules = replace(default, **_check_table(where, table, problems))
        _check_coherence(where, rules, problems)
        overrides[code] = rules

    if problems or not _is_int(version):
        raise GrantPolicyError(problems)
    return GrantPolicy(version=version, default=default, overrides=overrides)


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int subclass; `true` in a money field is a typo, not a 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_table(where: str, table: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Type-check one table; return only the values that passed."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KNOWN_KEYS:
            problems.append(f"{where}: unknown key {key!r}")
        elif key in _CENT_KEYS or key in _INT_KEYS:
            if not _is_int(value) or value < 0:
                problems.append(f"{where}: {key!r} must be a non-negative integer (cents), got {value!r}")
            else:
                values[key] = value
        elif key in _OPTIONAL_CENT_KEYS:
            # TOML has no null: an absent key means "no ISE ceiling", 0 is rejected as a likely typo.
            if not _is_int(value) or value <= 0:
                problems.append(f"{where}: {key!r} must be a positive integer (cents), got {value!r}")
            else:
                values[key] = value
        elif key in _DATE_KEYS:
            if isinstance(value, datetime) or not isinstance(value, date):
                problems.append(f"{where}: {key!r} must be a local date like 2026-12-31, got {value!r}")
            else:
                values[key] = value
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                problems.append(f"{where}: {key!r} must be true or false, got {value!r}")
            else:
                values[key] = value
    return values


def _check_coherence(where: str, rules: GrantRules, problems: list[str]) -> None:
    if rules.isee_threshold_cents == 0:
        problems.append(f"{where}: 'isee_threshold_cents' of 0 would reject everyone")
    if rules.amount_per_member_cents == 0:
        problems.append(f"{where}: 'amount_per_member_cents' must be positive")
    if rules.cap_per_grant_cents == 0:
        problems.append(f"{where}: 'cap_per_grant_cents' must be positive")
    if rules.minimum_grant_cents > rules.cap_per_grant_cents:
        problems.append(f"{where}: 'minimum_grant_cents' exceeds 'cap_per_grant_cents'")
    if rules.auto_approval_threshold_cents > rules.cap_per_grant_cents:
        problems.append(f"{where}: 'auto_approval_threshold_cents' exceeds 'cap_per_grant_cents'")
    if rules.programme_end < rules.programme_start:
        problems.append(f"{where}: 'programme_end' is before 'programme_start'")
