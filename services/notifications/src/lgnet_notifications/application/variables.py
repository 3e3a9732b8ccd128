"""From a contract event to the values its message may show, and nothing more.

Only names in the domain's allow-list ever come out, so a field added to an event later
cannot leak into a message by accident. Values keep their type (datetime, int cents, date);
the renderer formats them for the person's language at send time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lgnet_contracts import Envelope
from lgnet_contracts.events.grants import GrantApproved, GrantDisbursed, GrantRejected, GrantReturned
from lgnet_contracts.events.placements import PlacementConfirmed
from lgnet_contracts.municipalities import municipalities
from lgnet_notifications.application.records import reference_for
from lgnet_notifications.domain.variables import ALLOWED_VARIABLES, VariableKind, ensure_allowed


class MissingValueError(LookupError):
    """The event (and configuration) cannot supply a value the message needs."""


@dataclass(frozen=True, slots=True)
class VariableSources:
    """Configuration the values may come from besides the event."""

    hotline_phones: Mapping[str, str]
    default_hotline_phone: str | None = None
    grant_review_days: int = 30
    timezone: str = "Europe/Rome"

    def hotline_phone(self, municipality: str) -> str | None:
        return self.hotline_phones.get(municipality) or self.default_hotline_phone or None


def event_values(event: Envelope[Any], sources: VariableSources) -> dict[str, object]:
    """Every allow-listed value this event can give."""
    values: dict[str, object] = {}
    if event.case_id:
        values["reference"] = reference_for(event.case_id)
    known = municipalities().get(event.municipality)
    if known is not None:
        values["municipality_name"] = known.name
    hotline = sources.hotline_phone(event.municipality)
    if hotline:
        values["hotline_phone"] = hotline
    payload = event.payload
    if isinstance(payload, PlacementConfirmed):
        values["shelter_name"] = payload.shelter_name
        values["shelter_address"] = payload.shelter_address
        # Someone must answer if they are lost on the way: the hotline when the shelter has no phone.
        shelter_phone = payload.shelter_phone or hotline
        if shelter_phone:
            values["shelter_phone"] = shelter_phone
        values["arrival_time"] = payload.arrive_by
    elif isinstance(payload, GrantApproved | GrantReturned):
        values["amount"] = payload.amount_cents
    elif isinstance(payload, GrantDisbursed):
        values["amount"] = payload.amount_cents
        values["expected_date"] = payload.value_date
    elif isinstance(payload, GrantRejected):
        decided_on = event.occurred_at.astimezone(ZoneInfo(sources.timezone)).date()
        values["review_deadline"] = decided_on + timedelta(days=sources.grant_review_days)
    return values


def select(values: Mapping[str, object], wanted: Iterable[str]) -> dict[str, object]:
    """The values a rule names; raises when one is missing rather than send a message with a gap."""
    names = sorted(set(wanted))
    ensure_allowed(names)
    missing = [name for name in names if name not in values]
    if missing:
        raise MissingValueError(f"no value for {', '.join(missing)}")
    return {name: values[name] for name in names}


def coerce(name: str, value: object) -> object:
    """Typed value from its stored or transported form (ISO strings for dates, digits for cents)."""
    kind = ALLOWED_VARIABLES[name]
    if not isinstance(value, str):
        return value
    if kind is VariableKind.DATETIME:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(f"{name} must carry a time zone")
        return moment
    if kind is VariableKind.DATE:
        return date.fromisoformat(value)
    if kind is VariableKind.MONEY_CENTS:
        if not value.isdigit():
            raise ValueError(f"{name} must be integer cents")
        return int(value)
    return value


def coerce_all(values: Mapping[str, object]) -> dict[str, object]:
    ensure_allowed(values)
    return {name: coerce(name, value) for name, value in values.items()}
