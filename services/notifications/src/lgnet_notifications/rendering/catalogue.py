"""Reads the packaged message texts (templates/messages/<locale>.toml) and the rule table."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.rules import RuleTable, parse_rule_table

TEMPLATE_PARTS = ("subject", "sms", "body")


def templates_root() -> Traversable:
    return files("lgnet_notifications") / "templates"


@dataclass(frozen=True, slots=True)
class MessageTexts:
    """One message in one language, as the translator wrote it (jinja2 sources)."""

    subject: str
    sms: str
    body: str

    def part(self, name: str) -> str:
        return {"subject": self.subject, "sms": self.sms, "body": self.body}[name]


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class TemplateCatalogue:
    messages: Mapping[Locale, Mapping[str, MessageTexts]]
    footers: Mapping[Locale, str]

    @classmethod
    def load(cls, root: Traversable | Path | None = None) -> TemplateCatalogue:
        base = root if root is not None else templates_root()
        messages: dict[Locale, dict[str, MessageTexts]] = {}
        footers: dict[Locale, str] = {}
        for locale in Locale:
            source = base / "messages" / f"{locale}.toml"
            if not source.is_file():
                continue  # a missing language falls back; the catalogue test catches it
            document = tomllib.loads(source.read_text(encoding="utf-8"))
            footers[locale] = str(document.get("common", {}).get("email_footer", ""))
            messages[locale] = {
                template_id: _texts(locale, template_id, table)
                for template_id, table in document.items()
                if template_id != "common"
            }
        return cls(messages=messages, footers=footers)

    def get(self, locale: Locale, template_id: str) -> MessageTexts | None:
        return self.messages.get(locale, {}).get(template_id)

    def footer(self, locale: Locale) -> str:
        return self.footers.get(locale, "")

    def sources(self) -> Iterator[tuple[Locale, str, str, str]]:
        """(locale, template_id, part, jinja source) for every text: what the checks scan."""
        for locale, by_id in self.messages.items():
            for template_id, texts in by_id.items():
                for part in TEMPLATE_PARTS:
                    yield locale, template_id, part, texts.part(part)


def _texts(locale: Locale, template_id: str, table: object) -> MessageTexts:
    if not isinstance(table, dict) or set(table) != set(TEMPLATE_PARTS):
        raise CatalogueError(f"{locale}.toml [{template_id}] needs exactly {', '.join(TEMPLATE_PARTS)}")
    if not all(isinstance(value, str) for value in table.values()):
        raise CatalogueError(f"{locale}.toml [{template_id}]: every part must be a string")
    return MessageTexts(subject=table["subject"], sms=table["sms"], body=table["body"])


def load_rule_table(path: Traversable | Path | None = None) -> RuleTable:
    source = path if path is not None else templates_root() / "rules.toml"
    return parse_rule_table(source.read_text(encoding="utf-8"))


def html_layout_source() -> str:
    return (templates_root() / "layouts" / "email.html.j2").read_text(encoding="utf-8")
