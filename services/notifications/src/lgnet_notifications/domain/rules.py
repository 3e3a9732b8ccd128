"""Which events a person hears about, and with which message.

The table is data (templates/rules.toml): adding a message means adding a row and its
texts, no code. Parsing is pure; reading the packaged file is the rendering adapter's job.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lgnet_notifications.domain.variables import ensure_allowed


class Audience(StrEnum):
    # Only the person the case is about: shelters hear about offers through housing's own flow.
    BENEFICIARY = "beneficiary"


class Priority(StrEnum):
    URGENT = "urgent"  # where to sleep tonight: goes ahead of everything else
    TRANSACTIONAL = "transactional"


class RuleTableError(ValueError):
    """The rule table is malformed; raised at load time so a bad row never reaches production."""


_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# Template ids become file and table names: keep them boring.
_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = frozenset({"event_type", "template_id", "audience", "requires_consent", "priority", "variables"})


@dataclass(frozen=True, slots=True)
class MessageRule:
    event_type: str
    template_id: str
    audience: Audience
    requires_consent: bool
    priority: Priority
    variables: frozenset[str]


@dataclass(frozen=True, slots=True)
class RuleTable:
    rules: tuple[MessageRule, ...]

    def for_event(self, event_type: str) -> tuple[MessageRule, ...]:
        """The messages an event causes; empty when the event concerns nobody directly."""
        return tuple(rule for rule in self.rules if rule.event_type == event_type)

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(rule.event_type for rule in self.rules)

    @property
    def template_ids(self) -> frozenset[str]:
        return frozenset(rule.template_id for rule in self.rules)


def _rule(index: int, row: Mapping[str, Any]) -> MessageRule:
    where = f"rule #{index + 1}"
    unknown = set(row) - _KEYS
    missing = {"event_type", "template_id", "variables"} - set(row)
    if unknown or missing:
        raise RuleTableError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    event_type, template_id = row["event_type"], row["template_id"]
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        raise RuleTableError(f"{where}: bad event_type {event_type!r}")
    if not isinstance(template_id, str) or not _TEMPLATE_ID.match(template_id):
        raise RuleTableError(f"{where}: bad template_id {template_id!r}")
    variables = row["variables"]
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise RuleTableError(f"{where}: variables must be a list of names")
    requires_consent = row.get("requires_consent", True)
    if not isinstance(requires_consent, bool):
        raise RuleTableError(f"{where}: requires_consent must be true or false")
    try:
        ensure_allowed(variables)
        return MessageRule(
            event_type=event_type,
            template_id=template_id,
            audience=Audience(row.get("audience", Audience.BENEFICIARY)),
            requires_consent=requires_consent,
            priority=Priority(row.get("priority", Priority.TRANSACTIONAL)),
            variables=frozenset(variables),
        )
    except ValueError as exc:
        raise RuleTableError(f"{where} ({event_type}): {exc}") from exc


def build_rule_table(rows: Iterable[Mapping[str, Any]]) -> RuleTable:
    rules = tuple(_rule(i, row) for i, row in enumerate(rows))
    seen: set[tuple[str, str, Audience]] = set()
    for rule in rules:
        key = (rule.event_type, rule.template_id, rule.audience)
        if key in seen:
            raise RuleTableError(f"duplicate rule {key}")
        seen.add(key)
    return RuleTable(rules=rules)


def parse_rule_table(toml_text: str) -> RuleTable:
    """A RuleTable from the TOML text of templates/rules.toml ([[rule]] rows)."""
    try:
        document = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleTableError(f"rules file is not valid TOML: {exc}") from exc
    rows = document.get("rule", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise RuleTableError("rules file must hold [[rule]] tables")
    return build_rule_table(rows)
