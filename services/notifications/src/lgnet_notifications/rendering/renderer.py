"""render(template_id, channel, locale, variables): the text a person receives.

Texts are plain jinja2 (no autoescape) because SMS and plain-text email are not HTML;
the HTML email wraps the same paragraphs in one autoescaped layout, so a variable can
never inject markup. StrictUndefined makes a missing variable an error instead of a gap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2

from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale, TextDirection, fallback_chain, text_direction
from lgnet_notifications.domain.sms_segments import SegmentCount, count_segments
from lgnet_notifications.domain.variables import ForbiddenVariableError
from lgnet_notifications.rendering.catalogue import MessageTexts, TemplateCatalogue, html_layout_source
from lgnet_notifications.rendering.formatting import VariableValueError, format_variables

DEFAULT_MAX_SMS_SEGMENTS = 3
DEFAULT_TIMEZONE = "Europe/Rome"
# App IO's message API limits (subject 10-120 characters, markdown body 80-10,000).
APP_IO_SUBJECT = (10, 120)
APP_IO_MARKDOWN = (80, 10_000)

# Babel and translators produce typographic characters outside GSM-7; swapping them for
# their plain forms keeps Latin-script SMS at 160 characters a segment instead of 70.
_SMS_PLAIN = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
_SPACES_IN_SMS = re.compile(r"[ \t]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


class RenderError(Exception):
    """A message could not be rendered; the notification must not be sent as is."""


class TemplateNotFoundError(RenderError, LookupError):
    pass


class MissingVariableError(RenderError):
    pass


class InvalidVariableError(RenderError, ValueError):
    pass


class MessageTooLongError(RenderError):
    def __init__(self, message: str, *, template_id: str, locale: Locale, channel: Channel) -> None:
        super().__init__(f"{template_id} [{locale}/{channel}]: {message}")
        self.template_id = template_id
        self.locale = locale
        self.channel = channel


@dataclass(frozen=True, slots=True)
class SmsContent:
    text: str
    segments: SegmentCount


@dataclass(frozen=True, slots=True)
class EmailContent:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class AppIoContent:
    subject: str
    markdown: str


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    template_id: str
    channel: Channel
    locale: Locale  # the locale actually used, after fallback
    direction: TextDirection
    content: SmsContent | EmailContent | AppIoContent


class Renderer:
    def __init__(
        self,
        catalogue: TemplateCatalogue | None = None,
        *,
        max_sms_segments: int = DEFAULT_MAX_SMS_SEGMENTS,
        default_timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        if max_sms_segments < 1:
            raise ValueError("max_sms_segments must be at least 1")
        self.catalogue = catalogue if catalogue is not None else TemplateCatalogue.load()
        self.max_sms_segments = max_sms_segments
        self.default_timezone = default_timezone
        self.text_env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)  # noqa: S701 - plain text only; HTML goes through html_env
        self.html_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        self._layout = self.html_env.from_string(html_layout_source())
        self._compiled: dict[str, jinja2.Template] = {}

    def resolve(self, template_id: str, locale: str | Locale | None) -> tuple[Locale, MessageTexts]:
        """The texts to use: the first locale of the fallback chain that has this message."""
        for candidate in fallback_chain(locale):
            texts = self.catalogue.get(candidate, template_id)
            if texts is not None:
                return candidate, texts
        raise TemplateNotFoundError(f"no texts for template {template_id!r} in {fallback_chain(locale)}")

    def render(
        self,
        template_id: str,
        channel: Channel,
        locale: str | Locale | None,
        variables: Mapping[str, object],
        tz: str | None = None,
    ) -> RenderedMessage:
        used, texts = self.resolve(template_id, locale)
        direction = text_direction(used)
        zone = ZoneInfo(tz or self.default_timezone)
        # Isolates help email clients and IO lay out numbers in Arabic; old handsets may
        # show them as boxes, so SMS goes without.
        isolate = direction is TextDirection.RTL and channel is not Channel.SMS
        try:
            values = format_variables(variables, used, zone, isolate_ltr=isolate)
        except (ForbiddenVariableError, VariableValueError) as exc:
            raise InvalidVariableError(f"{template_id}: {exc}") from exc
        if channel is Channel.SMS:
            content: SmsContent | EmailContent | AppIoContent = self._sms(template_id, used, texts, values)
        elif channel is Channel.EMAIL:
            content = self._email(template_id, used, direction, texts, values)
        else:
            content = self._app_io(template_id, used, texts, values)
        return RenderedMessage(template_id, channel, used, direction, content)

    def _text(self, source: str, values: Mapping[str, str], template_id: str) -> str:
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = self.text_env.from_string(source)
        try:
            return template.render(values).strip()
        except jinja2.UndefinedError as exc:
            raise MissingVariableError(f"{template_id}: {exc.message}") from exc

    def _paragraphs(self, body: str) -> list[list[str]]:
        blocks = re.split(r"\n\s*\n", body.strip())
        return [
            [line.strip() for line in block.splitlines() if line.strip()] for block in blocks if block.strip()
        ]

    def _sms(
        self, template_id: str, locale: Locale, texts: MessageTexts, values: Mapping[str, str]
    ) -> SmsContent:
        text = _SPACES_IN_SMS.sub(" ", self._text(texts.sms, values, template_id).translate(_SMS_PLAIN))
        count = count_segments(text)
        if count.segments > self.max_sms_segments:
            raise MessageTooLongError(
                f"SMS needs {count.segments} segments ({count.encoding}, {count.units} units), "
                f"the limit is {self.max_sms_segments}",
                template_id=template_id,
                locale=locale,
                channel=Channel.SMS,
            )
        return SmsContent(text=text, segments=count)

    def _email(
        self,
        template_id: str,
        locale: Locale,
        direction: TextDirection,
        texts: MessageTexts,
        values: Mapping[str, str],
    ) -> EmailContent:
        subject = " ".join(self._text(texts.subject, values, template_id).split())
        paragraphs = self._paragraphs(self._text(texts.body, values, template_id))
        footer = self.catalogue.footer(locale)
        text = "\n\n".join("\n".join(lines) for lines in paragraphs)
        if footer:
            text = f"{text}\n\n-- \n{footer}"
        html = self._layout.render(
            lang=str(locale), dir=str(direction), subject=subject, paragraphs=paragraphs, footer=footer
        )
        return EmailContent(subject=subject, text=text + "\n", html=html)

    def _app_io(
        self, template_id: str, locale: Locale, texts: MessageTexts, values: Mapping[str, str]
    ) -> AppIoContent:
        escaped = {name: _MARKDOWN_SPECIAL.sub(r"\\\1", value) for name, value in values.items()}
        subject = " ".join(self._text(texts.subject, values, template_id).split())
        paragraphs = self._paragraphs(self._text(texts.body, escaped, template_id))
        # Two trailing spaces are a markdown line break: keeps "Address: ..." lines apart.
        markdown = "\n\n".join("  \n".join(lines) for lines in paragraphs)
        for label, value, (low, high) in (
            ("subject", subject, APP_IO_SUBJECT),
            ("markdown body", markdown, APP_IO_MARKDOWN),
        ):
            if not low <= len(value) <= high:
                raise MessageTooLongError(
                    f"App IO {label} is {len(value)} characters, allowed {low}-{high}",
                    template_id=template_id,
                    locale=locale,
                    channel=Channel.APP_IO,
                )
        return AppIoContent(subject=subject, markdown=markdown)


@lru_cache(maxsize=1)
def default_renderer() -> Renderer:
    return Renderer()


def render(
    template_id: str,
    channel: Channel,
    locale: str | Locale | None,
    variables: Mapping[str, object],
    tz: str = DEFAULT_TIMEZONE,
    *,
    max_sms_segments: int = DEFAULT_MAX_SMS_SEGMENTS,
) -> RenderedMessage:
    """Convenience over a process-wide Renderer; build a Renderer to configure it."""
    renderer = default_renderer()
    if max_sms_segments != renderer.max_sms_segments:
        renderer = Renderer(renderer.catalogue, max_sms_segments=max_sms_segments)
    return renderer.render(template_id, channel, locale, variables, tz)
