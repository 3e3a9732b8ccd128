import pytest

from lgnet_notifications.domain.sms_segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsEncoding,
    SmsTooLongError,
    count_segments,
    detect_encoding,
    ensure_fits,
    fits,
)

GSM, UCS2 = SmsEncoding.GSM7, SmsEncoding.UCS2


def test_character_tables_have_gsm_03_38_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points minus ESC
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM, 0, 1),
        ("Hello", GSM, 5, 1),
        ("Perché più città è così", GSM, 23, 1),  # Italian lowercase accents are GSM-7
        ("a" * 160, GSM, 160, 1),
        ("a" * 161, GSM, 161, 2),
        ("a" * 306, GSM, 306, 2),
        ("a" * 307, GSM, 307, 3),
        ("€" * 80, GSM, 160, 1),  # extension characters cost two septets
        ("€" * 81, GSM, 162, 2),
        ("a" * 159 + "€", GSM, 161, 2),
        ("{}[]~|^\\", GSM, 16, 1),
        # An ESC pair never straddles two parts: 152 + 2 does not fit in 153.
        ("a" * 152 + "€" + "a" * 10, GSM, 164, 2),
        ("a" * 152 + "€" + "a" * 152, GSM, 306, 3),
        ("È", UCS2, 1, 1),  # capital E grave is not in GSM-7
        ("ç", UCS2, 1, 1),  # only capital C cedilla is
        ("a" * 70 + "ç", UCS2, 71, 2),
        ("ص" * 70, UCS2, 70, 1),
        ("ص" * 71, UCS2, 71, 2),
        ("ї" * 134, UCS2, 134, 2),
        ("ї" * 135, UCS2, 135, 3),
        ("مرحبا", UCS2, 5, 1),
        ("Привіт", UCS2, 6, 1),
        ("😀", UCS2, 2, 1),  # emoji are two UTF-16 code units
        ("😀" * 35, UCS2, 70, 1),
        ("😀" * 35 + "a", UCS2, 71, 2),
        # A surrogate pair never straddles two parts either: 66 + 2 does not fit in 67.
        ("a" * 66 + "😀" + "a" * 66, UCS2, 134, 3),
    ],
)
def test_segment_table(text: str, encoding: SmsEncoding, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)
    assert detect_encoding(text) is encoding


def test_fits_and_ensure_fits() -> None:
    assert fits("a" * 459, 3)
    assert not fits("a" * 460, 3)
    assert ensure_fits("ciao", 1).segments == 1
    with pytest.raises(SmsTooLongError, match="needs 2 segments"):
        ensure_fits("ص" * 71, 1)
    with pytest.raises(ValueError, match="at least 1"):
        ensure_fits("ciao", 0)
