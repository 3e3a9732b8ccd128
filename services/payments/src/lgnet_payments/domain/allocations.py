"""Programme allocation per municipality: the 22 LGNet3 municipalities share EUR 1,076,353.03.

The configuration (``services/payments/config/allocations.toml``)::

    version = 1
    programme_total_cents = 107_635_303
    allow_total_mismatch = false        # true only for an explicit, documented re-plan
    [allocation]
    "007003" = 48_925_14                # Aosta
    ...

The default split is even: 107_635_303 // 22 = 4_892_513 cents each, and the remaining
17 cents go one each to the first 17 municipalities in ascending ISTAT-code order, so the
split is deterministic and the sum is exact. ISTAT codes are as given by the programme
(to be checked against ISTAT's list before go-live).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

PROGRAMME_TOTAL_CENTS = 107_635_303

PROGRAMME_MUNICIPALITIES: Mapping[str, str] = {
    "007003": "Aosta",
    "001272": "Torino",
    "015146": "Milano",
    "021008": "Bolzano",
    "027042": "Venezia",
    "032006": "Trieste",
    "010025": "Genova",
    "037006": "Bologna",
    "048017": "Firenze",
    "054039": "Perugia",
    "058091": "Roma",
    "059011": "Latina",
    "061022": "Caserta",
    "063049": "Napoli",
    "070006": "Campobasso",
    "072006": "Bari",
    "073027": "Taranto",
    "076063": "Potenza",
    "079023": "Catanzaro",
    "082053": "Palermo",
    "090064": "Sassari",
    "092009": "Cagliari",
}


class AllocationError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid allocations:\n- " + "\n- ".join(self.problems))


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    version: int
    programme_total_cents: int
    allocations: Mapping[str, int]
    allow_total_mismatch: bool = False

    @property
    def total_cents(self) -> int:
        return sum(self.allocations.values())

    def allocation_for(self, municipality: str) -> int:
        return self.allocations[municipality]


def split_evenly(total_cents: int, codes: Iterable[str]) -> dict[str, int]:
    """Equal shares; the leftover cents go one each to the lowest codes (deterministic)."""
    ordered = sorted(set(codes))
    if not ordered:
        raise AllocationError(["no municipalities to split among"])
    if total_cents < 0:
        raise AllocationError(["total must not be negative"])
    share, remainder = divmod(total_cents, len(ordered))
    return {code: share + (1 if i < remainder else 0) for i, code in enumerate(ordered)}


def default_allocations() -> dict[str, int]:
    return split_evenly(PROGRAMME_TOTAL_CENTS, PROGRAMME_MUNICIPALITIES)


def allocation_plan_from_toml(text: str) -> AllocationPlan:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AllocationError([f"not valid TOML: {exc}"]) from exc
    return parse_allocation_plan(document)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_allocation_plan(document: Mapping[str, Any]) -> AllocationPlan:
    problems: list[str] = []
    known = {"version", "programme_total_cents", "allow_total_mismatch", "allocation"}
    problems.extend(f"unknown top-level key {k!r}" for k in sorted(set(document) - known))
    version = document.get("version")
    if not _is_int(version) or version < 1:
        problems.append("'version' must be a positive integer")
    total = document.get("programme_total_cents", PROGRAMME_TOTAL_CENTS)
    if not _is_int(total) or total < 0:
        problems.append("'programme_total_cents' must be a non-negative integer")
        total = PROGRAMME_TOTAL_CENTS
    allow_mismatch = document.get("allow_total_mismatch", False)
    if not isinstance(allow_mismatch, bool):
        problems.append("'allow_total_mismatch' must be true or false")
        allow_mismatch = False

    raw = document.get("allocation")
    allocations: dict[str, int] = {}
    if not isinstance(raw, Mapping):
        problems.append("missing [allocation] table (ISTAT code = cents)")
        raw = {}
    for code, cents in raw.items():
        if code not in PROGRAMME_MUNICIPALITIES:
            problems.append(f"{code!r} is not one of the programme's municipalities")
        elif not _is_int(cents) or cents < 0:
            problems.append(
                f"{code} ({PROGRAMME_MUNICIPALITIES[code]}): allocation must be non-negative cents"
            )
        else:
            allocations[code] = cents
    missing = sorted(set(PROGRAMME_MUNICIPALITIES) - set(raw))
    problems.extend(f"{code} ({PROGRAMME_MUNICIPALITIES[code]}) has no allocation" for code in missing)

    got = sum(allocations.values())
    if not problems and got != total and not allow_mismatch:
        problems.append(
            f"allocations sum to {got} cents, the programme total is {total}; "
            "set allow_total_mismatch = true only for a deliberate re-plan"
        )
    if problems or not _is_int(version):
        raise AllocationError(problems)
    return AllocationPlan(version, total, allocations, allow_mismatch)


def render_allocations_toml(allocations: Mapping[str, int], *, version: int = 1) -> str:
    """The config file text for an allocation map (used to generate the default file)."""
    lines = [
        "# Generated by lgnet_payments.domain.allocations.render_allocations_toml;",
        "# edit by hand only with a recorded coordinator decision.",
        f"version = {version}",
        f"programme_total_cents = {_cents_literal(PROGRAMME_TOTAL_CENTS)}",
        "allow_total_mismatch = false",
        "",
        "[allocation]",
    ]
    for code in sorted(allocations):
        lines.append(f'"{code}" = {_cents_literal(allocations[code])}  # {PROGRAMME_MUNICIPALITIES[code]}')
    return "\n".join(lines) + "\n"


def _cents_literal(cents: int) -> str:
    """Euro-grouped cents, e.g. 1_076_353_03: readable as euros, still an exact TOML integer."""
    whole, frac = divmod(cents, 100)
    if whole == 0:
        return str(cents)  # TOML forbids leading zeros such as 0_05
    return f"{whole:_d}_{frac:02d}"
