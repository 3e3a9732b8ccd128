"""Languages we write to people in, and what we fall back to when a text is missing.

Fallback chain: the language the person asked for, then English, then Italian.
English comes before Italian because the people we write to are third-country
nationals, often recently arrived, who are more likely to read English than Italian.
Italian closes the chain because it is the reference catalogue the municipality's
operators write and check, so it is always complete.
"""

from __future__ import annotations

from enum import StrEnum


class Locale(StrEnum):
    IT = "it"
    EN = "en"
    FR = "fr"
    AR = "ar"
    ES = "es"
    UK = "uk"


class TextDirection(StrEnum):
    LTR = "ltr"
    RTL = "rtl"


REFERENCE_LOCALE = Locale.IT
FALLBACK_TAIL: tuple[Locale, ...] = (Locale.EN, Locale.IT)

_RTL: frozenset[Locale] = frozenset({Locale.AR})

# "ua" is Ukraine's country code, often typed for the Ukrainian language ("uk").
_ALIASES: dict[str, Locale] = {"ua": Locale.UK}


def parse_locale(tag: str | None) -> Locale | None:
    """The supported locale for a BCP 47 / POSIX tag ("fr-FR", "uk_UA", "AR"), or None."""
    if not tag:
        return None
    language = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    if language in _ALIASES:
        return _ALIASES[language]
    try:
        return Locale(language)
    except ValueError:
        return None


def fallback_chain(requested: str | Locale | None) -> tuple[Locale, ...]:
    """Locales to try in order: the requested one if supported, then English, then Italian."""
    first = requested if isinstance(requested, Locale) else parse_locale(requested)
    chain: list[Locale] = [first] if first is not None else []
    chain.extend(loc for loc in FALLBACK_TAIL if loc not in chain)
    return tuple(chain)


def text_direction(locale: Locale) -> TextDirection:
    return TextDirection.RTL if locale in _RTL else TextDirection.LTR
