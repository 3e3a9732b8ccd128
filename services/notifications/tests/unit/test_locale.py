import pytest

from lgnet_notifications.domain.locale import (
    Locale,
    TextDirection,
    fallback_chain,
    parse_locale,
    text_direction,
)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("it", Locale.IT),
        ("fr-FR", Locale.FR),
        ("uk_UA", Locale.UK),
        ("ua", Locale.UK),
        ("AR", Locale.AR),
        ("es-419", Locale.ES),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_locale(tag: str | None, expected: Locale | None) -> None:
    assert parse_locale(tag) is expected


@pytest.mark.parametrize(
    ("requested", "chain"),
    [
        ("ar", (Locale.AR, Locale.EN, Locale.IT)),
        (Locale.UK, (Locale.UK, Locale.EN, Locale.IT)),
        ("en", (Locale.EN, Locale.IT)),
        ("it", (Locale.IT, Locale.EN)),
        ("de", (Locale.EN, Locale.IT)),
        (None, (Locale.EN, Locale.IT)),
    ],
)
def test_fallback_chain(requested: str | Locale | None, chain: tuple[Locale, ...]) -> None:
    assert fallback_chain(requested) == chain


def test_only_arabic_is_right_to_left() -> None:
    assert {loc for loc in Locale if text_direction(loc) is TextDirection.RTL} == {Locale.AR}
