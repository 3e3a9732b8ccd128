"""Sample values that pass the real format checks, for tests of every service."""

from __future__ import annotations

from stdnum.it import codicefiscale


def fiscal_code(index: int) -> str:
    """A valid codice fiscale per index: the surname letters vary, the check character is computed."""
    letters = ""
    n = index
    for _ in range(3):
        n, r = divmod(n, 26)
        letters += chr(ord("A") + r)
    base = f"{letters}MRA80A01H501"
    return base + codicefiscale.calc_check_digit(base)
