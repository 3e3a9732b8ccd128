"""Triage policy: weights, score thresholds and SLA durations, from versioned TOML.

Parsing is pure (text in, policy out): bootstrap reads the files and calls
``PolicySet.from_texts`` once at start-up, so a bad file stops the service
before the first call instead of mis-triaging one. Every problem of every file
is reported at once, so one edit fixes them all.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from lgnet_referral.domain.errors import TriagePolicyError
from lgnet_referral.domain.priority import PRIORITIES, Priority
from lgnet_referral.domain.utc import require_utc
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

# Above this a weight is far more likely a typo (60 for 6) than a decision.
MAX_WEIGHT = 100
# P4 is every score below the P3 threshold, so it has none of its own.
THRESHOLD_PRIORITIES: tuple[Priority, ...] = (Priority.P1, Priority.P2, Priority.P3)
DEFAULT_SLA_HOURS: Mapping[Priority, int] = MappingProxyType(
    {Priority.P1: 4, Priority.P2: 24, Priority.P3: 72, Priority.P4: 7 * 24}
)
ISTAT_CODE = re.compile(r"^\d{6}$")

_DEFAULT_KEYS = frozenset({"version", "description", "weights", "thresholds", "sla_hours"})
_OVERRIDE_KEYS = _DEFAULT_KEYS | {"base_version", "municipality"}
_WEIGHT_SECTIONS = frozenset({"factors", "needs", "household"})
_HOUSEHOLD_KEYS = frozenset({"points_per_minor_under_3"})


@dataclass(frozen=True, slots=True)
class TriagePolicy:
    """The weights and bands one municipality triages with; ``version`` goes on every result."""

    version: str
    factor_weights: Mapping[VulnerabilityFactor, int]
    need_weights: Mapping[Need, int]
    points_per_minor_under_3: int
    # Minimum score for P1, P2 and P3.
    thresholds: Mapping[Priority, int]
    sla: Mapping[Priority, timedelta]
    municipality: str | None = None
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems = _semantic_problems(
            version=self.version,
            factor_weights={str(k): v for k, v in self.factor_weights.items()},
            need_weights={str(k): v for k, v in self.need_weights.items()},
            household={"points_per_minor_under_3": self.points_per_minor_under_3},
            thresholds={str(k): v for k, v in self.thresholds.items()},
            sla_hours={str(k): v / timedelta(hours=1) for k, v in self.sla.items()},
        )
        problems.extend(_completeness_problems(self))
        if problems:
            raise TriagePolicyError(f"version {self.version!r}", problems)
        # Read-only views: a policy is shared by every request of a municipality.
        object.__setattr__(self, "factor_weights", MappingProxyType(dict(self.factor_weights)))
        object.__setattr__(self, "need_weights", MappingProxyType(dict(self.need_weights)))
        object.__setattr__(self, "thresholds", MappingProxyType(dict(self.thresholds)))
        object.__setattr__(self, "sla", MappingProxyType(dict(self.sla)))

    def priority_for_score(self, score: int) -> Priority:
        for priority in THRESHOLD_PRIORITIES:
            if score >= self.thresholds[priority]:
                return priority
        return Priority.P4

    def sla_deadline(self, priority: Priority, reported_at: datetime) -> datetime:
        """Deadline counted from the report: the person has been waiting since the call."""
        deadline: datetime = require_utc(reported_at, "reported_at") + self.sla[priority]
        return deadline


@dataclass(frozen=True, slots=True)
class PolicySet:
    """The default policy and the municipalities that override part of it."""

    default: TriagePolicy
    by_municipality: Mapping[str, TriagePolicy] = field(default_factory=dict)

    def for_municipality(self, istat_code: str) -> TriagePolicy:
        return self.by_municipality.get(istat_code, self.default)

    @classmethod
    def from_texts(
        cls,
        default_text: str,
        overrides: Mapping[str, str] | None = None,
        *,
        known_municipalities: Collection[str] | None = None,
    ) -> PolicySet:
        """Build from ``default.toml`` and ``{"058091.toml": text, ...}``; all problems in one error."""
        problems: list[str] = []
        try:
            default = parse_policy(default_text, source="default.toml")
        except TriagePolicyError as error:
            raise TriagePolicyError("triage configuration", _prefixed(error)) from None
        by_municipality: dict[str, TriagePolicy] = {}
        for filename, text in sorted((overrides or {}).items()):
            code = filename.removesuffix(".toml")
            if not ISTAT_CODE.match(code) or not filename.endswith(".toml"):
                problems.append(f"{filename}: override files are named by ISTAT code, e.g. 058091.toml")
                continue
            if known_municipalities is not None and code not in known_municipalities:
                problems.append(f"{filename}: {code} is not a municipality of the programme")
                continue
            try:
                by_municipality[code] = parse_override(text, istat_code=code, base=default, source=filename)
            except TriagePolicyError as error:
                problems.extend(_prefixed(error))
        if problems:
            raise TriagePolicyError("triage configuration", problems)
        return cls(default=default, by_municipality=MappingProxyType(by_municipality))


def _completeness_problems(policy: TriagePolicy) -> list[str]:
    """A factor without a weight would silently score 0: every key must be present."""
    problems: list[str] = []
    for name, table, members in (
        ("factor_weights", policy.factor_weights, tuple(VulnerabilityFactor)),
        ("need_weights", policy.need_weights, tuple(Need)),
        ("thresholds", policy.thresholds, THRESHOLD_PRIORITIES),
        ("sla", policy.sla, PRIORITIES),
    ):
        missing = [str(member) for member in members if member not in table]
        extra = [str(key) for key in table if key not in members]
        if missing:
            problems.append(f"{name} is missing {', '.join(missing)}")
        if extra:
            problems.append(f"{name} has unexpected keys {', '.join(extra)}")
    return problems


def parse_policy(text: str, *, source: str = "default.toml") -> TriagePolicy:
    """Parse a complete policy: every factor, need, threshold and SLA must be present."""
    document = _load(text, source)
    problems = _unknown(document, _DEFAULT_KEYS, "")
    problems.extend(_description_problems(document))
    sections = _read_sections(document, problems)
    if "sla_hours" not in document:
        # No table at all means "the programme's defaults"; a partial table is an error below.
        sections["sla_hours"] = {str(p): hours for p, hours in DEFAULT_SLA_HOURS.items()}
    for name, members in (("weights.factors", VulnerabilityFactor), ("weights.needs", Need)):
        present = sections[name]
        missing = [str(member) for member in members if str(member) not in present]
        if missing:
            problems.append(
                f"{name} is missing {', '.join(missing)} (every one needs a weight, 0 is allowed)"
            )
    for name, expected in (
        ("weights.household", sorted(_HOUSEHOLD_KEYS)),
        ("thresholds", [str(p) for p in THRESHOLD_PRIORITIES]),
        ("sla_hours", [str(p) for p in PRIORITIES]),
    ):
        missing = [key for key in expected if key not in sections[name]]
        if missing:
            problems.append(f"{name} is missing {', '.join(missing)}")
    version = document.get("version")
    if not isinstance(version, str):
        problems.append('version is required and must be a string, e.g. version = "2026.1"')
    problems.extend(_semantic_section_problems(sections, str(version or "")))
    if problems:
        raise TriagePolicyError(source, problems)
    return _build(sections, version=str(version), municipality=None, description=_description(document))


def parse_override(text: str, *, istat_code: str, base: TriagePolicy, source: str) -> TriagePolicy:
    """Parse a municipality's partial override of ``base``; the result is validated as a whole."""
    document = _load(text, source)
    problems = _unknown(document, _OVERRIDE_KEYS, "")
    problems.extend(_description_problems(document))
    sections = _read_sections(document, problems)
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("version is required and must be a non-empty string (the override's revision)")
    # An override written against an older default may no longer make sense: refuse it.
    base_version = document.get("base_version")
    if base_version != base.version:
        problems.append(
            f"base_version must be {base.version!r} (the default's version), got {base_version!r}"
        )
    municipality = document.get("municipality", istat_code)
    if municipality != istat_code:
        problems.append(f"municipality is {municipality!r} but the file name says {istat_code!r}")
    merged = {
        "weights.factors": {
            **{str(k): v for k, v in base.factor_weights.items()},
            **sections["weights.factors"],
        },
        "weights.needs": {**{str(k): v for k, v in base.need_weights.items()}, **sections["weights.needs"]},
        "weights.household": {
            "points_per_minor_under_3": base.points_per_minor_under_3,
            **sections["weights.household"],
        },
        "thresholds": {**{str(k): v for k, v in base.thresholds.items()}, **sections["thresholds"]},
        "sla_hours": {
            **{str(k): v / timedelta(hours=1) for k, v in base.sla.items()},
            **sections["sla_hours"],
        },
    }
    effective_version = f"{base.version}+{istat_code}.{version}"
    problems.extend(_semantic_section_problems(merged, effective_version))
    if problems:
        raise TriagePolicyError(source, problems)
    return _build(
        merged, version=effective_version, municipality=istat_code, description=_description(document)
    )


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TriagePolicyError(source, [f"not valid TOML: {error}"]) from None


def _description(document: Mapping[str, Any]) -> str:
    value = document.get("description", "")
    return value if isinstance(value, str) else ""


def _description_problems(document: Mapping[str, Any]) -> list[str]:
    value = document.get("description", "")
    return [] if isinstance(value, str) else [f"description must be a string, got {value!r}"]


def _unknown(table: Mapping[str, Any], allowed: Collection[str], prefix: str) -> list[str]:
    return [
        f"unknown key '{prefix}{key}' (expected one of: {', '.join(sorted(allowed))})"
        for key in table
        if key not in allowed
    ]


def _table(parent: Mapping[str, Any], key: str, name: str, problems: list[str]) -> dict[str, Any]:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{name} must be a table, got {value!r}")
        return {}
    return value


def _read_sections(document: Mapping[str, Any], problems: list[str]) -> dict[str, dict[str, Any]]:
    """Split the document into its five tables, flagging unknown keys in each."""
    weights = _table(document, "weights", "weights", problems)
    problems.extend(_unknown(weights, _WEIGHT_SECTIONS, "weights."))
    sections = {
        "weights.factors": _table(weights, "factors", "weights.factors", problems),
        "weights.needs": _table(weights, "needs", "weights.needs", problems),
        "weights.household": _table(weights, "household", "weights.household", problems),
        "thresholds": _table(document, "thresholds", "thresholds", problems),
        "sla_hours": _table(document, "sla_hours", "sla_hours", problems),
    }
    allowed: dict[str, Collection[str]] = {
        "weights.factors": [str(f) for f in VulnerabilityFactor],
        "weights.needs": [str(n) for n in Need],
        "weights.household": _HOUSEHOLD_KEYS,
        "thresholds": [str(p) for p in THRESHOLD_PRIORITIES],
        "sla_hours": [str(p) for p in PRIORITIES],
    }
    for name, table in sections.items():
        problems.extend(_unknown(table, allowed[name], f"{name}."))
        # Unknown keys are reported above; keep only the known ones for the value checks.
        sections[name] = {k: v for k, v in table.items() if k in allowed[name]}
    return sections


def _semantic_section_problems(sections: Mapping[str, Mapping[str, Any]], version: str) -> list[str]:
    return _semantic_problems(
        version=version,
        factor_weights=sections["weights.factors"],
        need_weights=sections["weights.needs"],
        household=sections["weights.household"],
        thresholds=sections["thresholds"],
        sla_hours=sections["sla_hours"],
    )


def _is_whole(value: object) -> bool:
    # bool is an int in Python; `true` is never a weight.
    return isinstance(value, int) and not isinstance(value, bool)


def _semantic_problems(
    *,
    version: str,
    factor_weights: Mapping[str, Any],
    need_weights: Mapping[str, Any],
    household: Mapping[str, Any],
    thresholds: Mapping[str, Any],
    sla_hours: Mapping[str, Any],
) -> list[str]:
    """Value rules shared by the parser and the constructor (which hypothesis exercises directly)."""
    problems: list[str] = []
    if not version.strip():
        problems.append("version must not be empty")
    for section, table in (
        ("weights.factors", factor_weights),
        ("weights.needs", need_weights),
        ("weights.household", household),
    ):
        for key, value in table.items():
            if not _is_whole(value):
                problems.append(f"{section}.{key} must be a whole number, got {value!r}")
            elif not 0 <= value <= MAX_WEIGHT:
                problems.append(f"{section}.{key} must be between 0 and {MAX_WEIGHT}, got {value}")
    problems.extend(_threshold_problems(thresholds))
    problems.extend(_sla_problems(sla_hours))
    return problems


def _threshold_problems(thresholds: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    values: list[int] = []
    for priority in THRESHOLD_PRIORITIES:
        value = thresholds.get(str(priority))
        if value is None:
            continue
        if not _is_whole(value) or value < 1:
            problems.append(f"thresholds.{priority} must be a whole number of at least 1, got {value!r}")
        else:
            values.append(value)
    if len(values) == len(THRESHOLD_PRIORITIES) and not values[0] > values[1] > values[2]:
        shown = ", ".join(f"{p}={v}" for p, v in zip(THRESHOLD_PRIORITIES, values, strict=True))
        problems.append(
            f"thresholds must decrease strictly from P1 to P3 (more urgent needs a higher score), got {shown}"
        )
    return problems


def _sla_problems(sla_hours: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    values: list[float] = []
    for priority in PRIORITIES:
        value = sla_hours.get(str(priority))
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            problems.append(f"sla_hours.{priority} must be a positive number of hours, got {value!r}")
        else:
            values.append(value)
    if len(values) == len(PRIORITIES) and any(a > b for a, b in pairwise(values)):
        shown = ", ".join(f"{p}={v:g}" for p, v in zip(PRIORITIES, values, strict=True))
        problems.append(f"sla_hours must not decrease from P1 to P4 (more urgent, sooner), got {shown}")
    return problems


def _build(
    sections: Mapping[str, Mapping[str, Any]],
    *,
    version: str,
    municipality: str | None,
    description: str,
) -> TriagePolicy:
    return TriagePolicy(
        version=version,
        factor_weights={VulnerabilityFactor(k): v for k, v in sections["weights.factors"].items()},
        need_weights={Need(k): v for k, v in sections["weights.needs"].items()},
        points_per_minor_under_3=sections["weights.household"]["points_per_minor_under_3"],
        thresholds={Priority(k): v for k, v in sections["thresholds"].items()},
        sla={Priority(k): timedelta(hours=v) for k, v in sections["sla_hours"].items()},
        municipality=municipality,
        description=description,
    )


def _prefixed(error: TriagePolicyError) -> list[str]:
    return [f"{error.source}: {problem}" for problem in error.problems]
