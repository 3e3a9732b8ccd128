from datetime import UTC, date, datetime

import pytest

from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale, TextDirection
from lgnet_notifications.domain.sms_segments import SmsEncoding
from lgnet_notifications.rendering import (
    AppIoContent,
    EmailContent,
    InvalidVariableError,
    MessageTooLongError,
    MissingVariableError,
    Renderer,
    SmsContent,
    TemplateCatalogue,
    TemplateNotFoundError,
    render,
)

CATALOGUE = TemplateCatalogue.load()
RENDERER = Renderer(CATALOGUE)
PLACEMENT = {
    "reference": "RR-2025-000123",
    "shelter_name": "Casa San Martino",
    "shelter_address": "Via Roma 1, Torino",
    "shelter_phone": "+39 011 1234567",
    "arrival_time": datetime(2025, 3, 12, 20, 30, tzinfo=UTC),
}


def sms(result: object) -> SmsContent:
    assert isinstance(result, SmsContent)
    return result


def email(result: object) -> EmailContent:
    assert isinstance(result, EmailContent)
    return result


def test_times_are_shown_in_the_municipality_time_zone() -> None:
    winter = sms(RENDERER.render("placement_confirmed", Channel.SMS, "it", PLACEMENT).content)
    assert "mer 12 mar, 21:30" in winter.text  # 20:30 UTC is 21:30 in Rome (CET)
    summer = {**PLACEMENT, "arrival_time": datetime(2025, 7, 9, 20, 30, tzinfo=UTC)}
    assert "22:30" in sms(RENDERER.render("placement_confirmed", Channel.SMS, "it", summer).content).text
    lisbon = RENDERER.render("placement_confirmed", Channel.SMS, "it", PLACEMENT, tz="Europe/Lisbon")
    assert "20:30" in sms(lisbon.content).text


def test_amounts_and_dates_follow_the_locale() -> None:
    variables = {"reference": "R-1", "amount": 1_234_56, "expected_date": date(2025, 3, 20)}
    it = sms(RENDERER.render("grant_disbursed", Channel.SMS, "it", variables).content).text
    en = sms(RENDERER.render("grant_disbursed", Channel.SMS, "en", variables).content).text
    assert "1.234,56 €" in it
    assert "20 marzo 2025" in it
    assert "€1,234.56" in en
    assert "March 20, 2025" in en


def test_typographic_spaces_are_flattened_so_english_stays_gsm7() -> None:
    content = sms(RENDERER.render("placement_confirmed", Channel.SMS, "en", PLACEMENT).content)
    assert "9:30 PM" in content.text
    assert content.segments.encoding is SmsEncoding.GSM7


def test_arabic_email_is_right_to_left_and_isolates_numbers() -> None:
    rendered = RENDERER.render("placement_confirmed", Channel.EMAIL, "ar", PLACEMENT)
    assert rendered.direction is TextDirection.RTL
    content = email(rendered.content)
    assert '<html lang="ar" dir="rtl">' in content.html
    assert "\u2066+39 011 1234567\u2069" in content.text
    # SMS goes without isolates: old handsets show them as boxes.
    assert (
        "\u2066" not in sms(RENDERER.render("placement_confirmed", Channel.SMS, "ar", PLACEMENT).content).text
    )


def test_html_escapes_variables_text_keeps_them() -> None:
    hostile = {**PLACEMENT, "shelter_name": "<script>alert(1)</script> & Co"}
    content = email(RENDERER.render("placement_confirmed", Channel.EMAIL, "en", hostile).content)
    assert "<script>" not in content.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in content.html
    assert "<script>alert(1)</script> & Co" in content.text
    assert "Address: Via Roma 1, Torino<br>" in content.html


def test_values_cannot_break_the_layout() -> None:
    sneaky = {**PLACEMENT, "shelter_name": "Casa\nSan\tMartino\r\n"}
    assert (
        "Casa San Martino,"
        in sms(RENDERER.render("placement_confirmed", Channel.SMS, "it", sneaky).content).text
    )


def test_app_io_markdown_is_escaped_and_keeps_line_breaks() -> None:
    starry = {**PLACEMENT, "shelter_name": "*Casa* [San] Martino"}
    content = RENDERER.render("placement_confirmed", Channel.APP_IO, "it", starry).content
    assert isinstance(content, AppIoContent)
    assert r"\*Casa\* \[San\] Martino" in content.markdown
    assert "  \nIndirizzo:" in content.markdown


def test_missing_variable_is_an_error() -> None:
    partial = {k: v for k, v in PLACEMENT.items() if k != "shelter_phone"}
    with pytest.raises(MissingVariableError, match="shelter_phone"):
        RENDERER.render("placement_confirmed", Channel.SMS, "it", partial)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"nationality": "X"}, "allow-list"),
        ({"health_notes": "X"}, "allow-list"),
        ({"amount": 12.5}, "integer cents"),
        ({"amount": True}, "integer cents"),
        ({"arrival_time": datetime(2025, 3, 12, 20, 30)}, "timezone-aware"),
        ({"reference": 123}, "string"),
        ({"expected_date": "2025-03-20"}, "date"),
    ],
)
def test_invalid_variables_are_refused(extra: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidVariableError, match=message):
        RENDERER.render("placement_confirmed", Channel.SMS, "it", {**PLACEMENT, **extra})


def test_unknown_locale_falls_back_to_english() -> None:
    assert RENDERER.render("placement_confirmed", Channel.SMS, "de", PLACEMENT).locale is Locale.EN
    assert RENDERER.render("placement_confirmed", Channel.SMS, None, PLACEMENT).locale is Locale.EN


def test_missing_translation_falls_back_to_english_then_italian() -> None:
    messages = {loc: dict(by_id) for loc, by_id in CATALOGUE.messages.items()}
    del messages[Locale.FR]["placement_confirmed"]
    renderer = Renderer(TemplateCatalogue(messages=messages, footers=CATALOGUE.footers))
    assert renderer.render("placement_confirmed", Channel.SMS, "fr", PLACEMENT).locale is Locale.EN
    assert (
        renderer.render("case_closed", Channel.SMS, "fr", {"reference": "R", "hotline_phone": "1"}).locale
        is Locale.FR
    )
    del messages[Locale.EN]["placement_confirmed"]
    renderer = Renderer(TemplateCatalogue(messages=messages, footers=CATALOGUE.footers))
    assert renderer.render("placement_confirmed", Channel.SMS, "fr", PLACEMENT).locale is Locale.IT


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(TemplateNotFoundError, match="no_such_message"):
        RENDERER.render("no_such_message", Channel.SMS, "it", {})


def test_sms_over_the_configured_segments_is_refused() -> None:
    strict = Renderer(CATALOGUE, max_sms_segments=1)
    with pytest.raises(MessageTooLongError, match=r"placement_confirmed \[uk/sms\]: SMS needs 2 segments"):
        strict.render("placement_confirmed", Channel.SMS, "uk", PLACEMENT)
    assert strict.render("placement_confirmed", Channel.SMS, "it", PLACEMENT).content


def test_module_level_render_with_a_custom_limit() -> None:
    assert render("placement_confirmed", Channel.SMS, "it", PLACEMENT).locale is Locale.IT
    with pytest.raises(MessageTooLongError):
        render("placement_confirmed", Channel.SMS, "ar", PLACEMENT, max_sms_segments=1)
