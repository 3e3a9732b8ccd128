"""Turns allow-listed variable values into text for one locale, with Babel."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal

from babel import Locale as BabelLocale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_currency

from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.variables import ALLOWED_VARIABLES, VariableKind, ensure_allowed

# Newlines or control characters inside a value would break the layout of an SMS or an email.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")
# Unicode isolates keep phone numbers and references left-to-right inside Arabic text.
_LRI, _PDI = "\u2066", "\u2069"


class VariableValueError(TypeError):
    pass


def format_datetime_for(value: datetime, locale: Locale, zone: tzinfo) -> str:
    """Weekday, day, month and time ("mer 12 mar, 21:30"): what someone needs to turn up."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise VariableValueError("datetimes must be timezone-aware")
    local = value.astimezone(zone)
    day = format_skeleton("MMMEd", local, locale=str(locale))
    time = format_time(local, format="short", locale=str(locale))
    glue = str(BabelLocale.parse(str(locale)).datetime_formats["medium"])
    return glue.replace("{1}", day).replace("{0}", time)


def format_value(name: str, value: object, locale: Locale, zone: tzinfo) -> str:
    kind = ALLOWED_VARIABLES[name]
    if kind is VariableKind.DATETIME:
        if not isinstance(value, datetime):
            raise VariableValueError(f"{name} must be a datetime")
        return format_datetime_for(value, locale, zone)
    if kind is VariableKind.DATE:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise VariableValueError(f"{name} must be timezone-aware when given as a datetime")
            value = value.astimezone(zone).date()
        if not isinstance(value, date):
            raise VariableValueError(f"{name} must be a date")
        return format_date(value, format="long", locale=str(locale))
    if kind is VariableKind.MONEY_CENTS:
        # bool is an int too, and a float would mean someone computed money in binary floating point.
        if isinstance(value, bool) or not isinstance(value, int):
            raise VariableValueError(f"{name} must be integer cents")
        return format_currency(Decimal(value) / 100, "EUR", locale=str(locale))
    if not isinstance(value, str):
        raise VariableValueError(f"{name} must be a string")
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


def format_variables(
    variables: Mapping[str, object], locale: Locale, zone: tzinfo, *, isolate_ltr: bool = False
) -> dict[str, str]:
    ensure_allowed(variables)
    formatted = {name: format_value(name, value, locale, zone) for name, value in variables.items()}
    if isolate_ltr:
        for name, text in formatted.items():
            if ALLOWED_VARIABLES[name] is VariableKind.PHONE or name == "reference":
                formatted[name] = f"{_LRI}{text}{_PDI}"
    return formatted
