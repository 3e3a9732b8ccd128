"""How many SMS segments a text costs, per GSM 03.38.

A text made only of GSM 03.38 characters travels as GSM-7 (160 septets in a single
message, 153 per part once concatenated, because the user data header takes 7 septets).
Any other character switches the whole message to UCS-2 (70 UTF-16 code units, 67 per
part). Extension-table characters are sent as ESC + character, so they cost two septets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The basic character set in table order, ESC (0x1B) left out: it only introduces the
# extension table and never stands for a character of the text.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

# Reached through ESC, so each one costs two septets.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PER_PART = 153
UCS2_SINGLE = 70
UCS2_PER_PART = 67


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """The cost of one text: its encoding, its length in that encoding's units, its parts."""

    encoding: SmsEncoding
    units: int
    segments: int

    @property
    def single_capacity(self) -> int:
        return GSM7_SINGLE if self.encoding is SmsEncoding.GSM7 else UCS2_SINGLE


class SmsTooLongError(ValueError):
    """The text needs more segments than the configured maximum."""

    def __init__(self, count: SegmentCount, max_segments: int) -> None:
        super().__init__(
            f"SMS needs {count.segments} segments ({count.encoding}, {count.units} units), "
            f"the maximum is {max_segments}"
        )
        self.count = count
        self.max_segments = max_segments


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def detect_encoding(text: str) -> SmsEncoding:
    return SmsEncoding.GSM7 if is_gsm7(text) else SmsEncoding.UCS2


def _unit_weights(text: str, encoding: SmsEncoding) -> list[int]:
    # One weight per character, so that a part boundary never splits an ESC pair or a
    # UTF-16 surrogate pair: handsets show garbage when a gateway splits them.
    if encoding is SmsEncoding.GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _parts(weights: list[int], per_part: int) -> int:
    parts, used = 1, 0
    for weight in weights:
        if used + weight > per_part:
            parts, used = parts + 1, 0
        used += weight
    return parts


def count_segments(text: str) -> SegmentCount:
    """Segments the text costs; an empty text still costs one message."""
    encoding = detect_encoding(text)
    weights = _unit_weights(text, encoding)
    units = sum(weights)
    single, per_part = (
        (GSM7_SINGLE, GSM7_PER_PART) if encoding is SmsEncoding.GSM7 else (UCS2_SINGLE, UCS2_PER_PART)
    )
    segments = 1 if units <= single else _parts(weights, per_part)
    return SegmentCount(encoding=encoding, units=units, segments=segments)


def fits(text: str, max_segments: int) -> bool:
    return count_segments(text).segments <= max_segments


def ensure_fits(text: str, max_segments: int) -> SegmentCount:
    """The text's segment count, or SmsTooLongError when it exceeds max_segments."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    count = count_segments(text)
    if count.segments > max_segments:
        raise SmsTooLongError(count, max_segments)
    return count
