"""Every message, in every language, on every channel: renders, fits, and says nothing sensitive."""

import re
from datetime import UTC, date, datetime

import jinja2
import pytest
from jinja2 import meta

from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.sms_segments import SmsEncoding
from lgnet_notifications.domain.variables import ALLOWED_VARIABLES
from lgnet_notifications.rendering import (
    AppIoContent,
    EmailContent,
    Renderer,
    SmsContent,
    TemplateCatalogue,
    load_rule_table,
)
from lgnet_notifications.rendering.catalogue import html_layout_source

RULES = load_rule_table()
CATALOGUE = TemplateCatalogue.load()
RENDERER = Renderer(CATALOGUE)
TEMPLATE_IDS = sorted(RULES.template_ids)

# Deliberately on the long side of real values, so the SMS limit is tested with margin.
SAMPLE = {
    "reference": "RR-2025-000123",
    "first_name": "Amina",
    "municipality_name": "Comune di Torino",
    "shelter_name": "Casa di accoglienza notturna San Martino",
    "shelter_address": "Via Giuseppe Garibaldi 112, 10122 Torino TO",
    "shelter_phone": "+39 011 1234567",
    "hotline_phone": "+39 011 4431111",
    "arrival_time": datetime(2025, 3, 12, 20, 30, tzinfo=UTC),
    "amount": 1_200_000,  # EUR 12,000.00: the largest grant of the reference scheme
    "expected_date": date(2025, 3, 20),
    "review_deadline": date(2025, 4, 11),
}

# Names a variable must never have, whatever the allow-list says.
FORBIDDEN_NAME_PARTS = (
    "health", "illness", "disab", "pregnan", "mental", "legal", "permit", "asylum", "refugee",
    "status", "nationality", "citizenship", "country", "ethnic", "religion", "violence",
    "trafficking", "victim", "vulnerab", "sexual", "criminal", "diagnosis",
)  # fmt: skip

# Special-category words (GDPR art. 9 and 10, D.Lgs. 142/2015 art. 17) in each language.
SPECIAL_CATEGORY_WORDS: dict[Locale, tuple[str, ...]] = {
    Locale.IT: (
        "salute", "malatti", "disabil", "incinta", "gravidanz", "violenz", "abus", r"\btratta\b",
        "tortur", "asilo", "rifugiat", "permesso di soggiorno", "irregolar", "clandestin",
        "nazionalit", "cittadinanz", "vittim", "psichi", "mentale", "religio", "etnia", "sessual",
        "penale", "vulnerabil",
    ),
    Locale.EN: (
        "health", "illness", "disab", "pregnan", "violen", "abuse", "traffick", "tortur", "asylum",
        "refugee", "residence permit", "immigration status", "undocumented", "nationality",
        "citizenship", "victim", "mental", "religio", "ethnic", "sexual", "criminal", "vulnerab",
    ),
    Locale.FR: (
        "santé", "maladie", "handicap", "enceinte", "grossesse", "violence", "abus", r"\btraite\b",
        "tortur", "asile", "réfugié", "titre de séjour", "sans-papiers", "nationalit", "victime",
        "mental", "religio", "ethni", "sexuel", "pénal", "vulnérab",
    ),
    Locale.ES: (
        "salud", "enfermedad", "discapacidad", "embaraz", "violencia", "abuso", r"\btrata\b",
        "tortura", "asilo", "refugiad", "permiso de residencia", "irregular", "nacionalidad",
        "víctima", "mental", "religi", "étnic", "sexual", "penal", "vulnerab",
    ),
    Locale.UK: (
        "здоров", "хвороб", "інвалідн", "вагітн", "насильств", "торгівл", "катуван", "біжен",
        "посвідк", "громадянств", "національн", "жертв", "психічн", "релігі", "етніч",
        "сексуальн", "кримінал", "вразлив",
    ),
    Locale.AR: (
        "صحة", "صحي", "مرض", "إعاقة", "حامل", "عنف", "اتجار", "تعذيب", "لجوء", "لاجئ",
        "تصريح إقامة", "جنسية", "ضحية", "ضحايا", "نفسي", "عرق", "جنائي", "هشاشة",
    ),
}  # fmt: skip


def _words_found(locale: Locale, text: str) -> list[str]:
    lowered = text.lower()
    return [w for w in SPECIAL_CATEGORY_WORDS[locale] if re.search(w, lowered)]


def _all_text(content: SmsContent | EmailContent | AppIoContent) -> str:
    if isinstance(content, SmsContent):
        return str(content.text)
    if isinstance(content, EmailContent):
        return "\n".join((content.subject, content.text, content.html))
    return f"{content.subject}\n{content.markdown}"


def test_every_locale_has_every_message_and_nothing_else() -> None:
    assert set(CATALOGUE.messages) == set(Locale)
    for locale in Locale:
        assert set(CATALOGUE.messages[locale]) == RULES.template_ids, locale
        assert CATALOGUE.footer(locale), locale


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_renders_every_template(template_id: str, locale: Locale, channel: Channel) -> None:
    (rule,) = [r for r in RULES.rules if r.template_id == template_id]
    variables = {name: SAMPLE[name] for name in rule.variables}
    rendered = RENDERER.render(template_id, channel, locale, variables)
    assert rendered.locale is locale  # its own texts, not a fallback
    content = rendered.content
    assert "{{" not in _all_text(content)
    assert "{%" not in _all_text(content)
    if isinstance(content, SmsContent):
        assert content.segments.segments <= 3
        if locale in (Locale.IT, Locale.EN):
            assert content.segments.encoding is SmsEncoding.GSM7, content.text
    elif isinstance(content, EmailContent):
        assert f'lang="{locale}"' in content.html
        expected_dir = "rtl" if locale is Locale.AR else "ltr"
        assert f'<html lang="{locale}" dir="{expected_dir}">' in content.html
        assert f'<body dir="{expected_dir}"' in content.html
        assert content.text.strip()
        assert content.subject
    else:
        assert 10 <= len(content.subject) <= 120
        assert 80 <= len(content.markdown) <= 10_000
    assert _words_found(locale, _all_text(content)) == []


def test_templates_use_only_allow_listed_variables_declared_by_their_rule() -> None:
    env = jinja2.Environment(autoescape=True)
    declared = {rule.template_id: rule.variables for rule in RULES.rules}
    for locale, template_id, part, source in CATALOGUE.sources():
        used = meta.find_undeclared_variables(env.parse(source))
        assert used <= set(ALLOWED_VARIABLES), (locale, template_id, part, used)
        assert used <= declared[template_id], (locale, template_id, part, used - declared[template_id])


def test_allow_list_has_no_sensitive_names() -> None:
    for name in ALLOWED_VARIABLES:
        assert not [part for part in FORBIDDEN_NAME_PARTS if part in name], name


def test_html_layout_only_uses_its_frame_variables() -> None:
    env = jinja2.Environment(autoescape=True)
    used = meta.find_undeclared_variables(env.parse(html_layout_source()))
    assert used == {"lang", "dir", "subject", "paragraphs", "footer"}


def test_no_special_category_words_in_any_source() -> None:
    for locale, template_id, part, source in CATALOGUE.sources():
        assert _words_found(locale, source) == [], (locale, template_id, part)
    for locale in Locale:
        assert _words_found(locale, CATALOGUE.footer(locale)) == [], locale


def test_word_check_catches_what_it_should() -> None:
    assert _words_found(Locale.IT, "Il tuo permesso di soggiorno") == ["permesso di soggiorno"]
    assert _words_found(Locale.AR, "ضحية عنف") == ["عنف", "ضحية"]
    assert _words_found(Locale.ES, "víctima de trata") == [r"\btrata\b", "víctima"]
    assert _words_found(Locale.EN, "Your place is confirmed") == []
