"""Validation of triage policy files: every problem found, in words an editor can act on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from lgnet_referral.domain.errors import TriagePolicyError
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage_policy import PolicySet, TriagePolicy, parse_override, parse_policy
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

# Modules in this folder cannot import each other (pytest's importlib mode), so the path is repeated.
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "triage"
DEFAULT_TEXT = (CONFIG_DIR / "default.toml").read_text()


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(TriagePolicyError) as raised:
        parse_policy(text)
    return raised.value.problems


def test_shipped_default_is_complete(policy: TriagePolicy) -> None:
    assert policy.version == "2026.1"
    assert set(policy.factor_weights) == set(VulnerabilityFactor)
    assert set(policy.need_weights) == set(Need)
    assert policy.sla == {
        Priority.P1: timedelta(hours=4),
        Priority.P2: timedelta(hours=24),
        Priority.P3: timedelta(hours=72),
        Priority.P4: timedelta(days=7),
    }


def test_every_shipped_override_loads(policy_set: PolicySet) -> None:
    files = {p.stem for p in CONFIG_DIR.glob("*.toml")} - {"default"}
    assert set(policy_set.by_municipality) == files
    assert "058091" in files


BAD_EDITS = {
    "unknown top-level key": (
        ('version = "2026.1"', 'colour = "red"\nversion = "2026.1"'),
        "unknown key 'colour' (expected one of: description, sla_hours, thresholds, version, weights)",
    ),
    "unknown factor": (
        ("fgm_victim = 4", "fgm_victim = 4\nhomeless = 3"),
        "unknown key 'weights.factors.homeless'",
    ),
    "negative weight": (
        ("elderly = 3", "elderly = -3"),
        "weights.factors.elderly must be between 0 and 100, got -3",
    ),
    "weight too large": (("food = 2", "food = 200"), "weights.needs.food must be between 0 and 100, got 200"),
    "weight as text": (
        ("legal = 1", 'legal = "one"'),
        "weights.needs.legal must be a whole number, got 'one'",
    ),
    "weight as boolean": (
        ("legal = 1", "legal = true"),
        "weights.needs.legal must be a whole number, got True",
    ),
    "missing factor": (("disability = 4\n", ""), "weights.factors is missing disability"),
    "missing priority threshold": (("P2 = 9\n", ""), "thresholds is missing P2"),
    "missing SLA priority": (("P4 = 168\n", ""), "sla_hours is missing P4"),
    "threshold for P4": (
        ("P3 = 4\n", "P3 = 4\nP4 = 1\n"),
        "unknown key 'thresholds.P4' (expected one of: P1, P2, P3)",
    ),
    "thresholds out of order": (
        ("P1 = 14", "P1 = 8"),
        "thresholds must decrease strictly from P1 to P3 (more urgent needs a higher score), "
        "got P1=8, P2=9, P3=4",
    ),
    "zero threshold": (("P3 = 4", "P3 = 0"), "thresholds.P3 must be a whole number of at least 1, got 0"),
    "SLA of zero": (("P1 = 4\n", "P1 = 0\n"), "sla_hours.P1 must be a positive number of hours, got 0"),
    "SLA slower for more urgent": (
        ("P2 = 24", "P2 = 100"),
        "sla_hours must not decrease from P1 to P4 (more urgent, sooner), got P1=4, P2=100, P3=72, P4=168",
    ),
    "missing version": (
        ('version = "2026.1"', ""),
        'version is required and must be a string, e.g. version = "2026.1"',
    ),
}


@pytest.mark.parametrize(("edit", "expected"), BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_bad_default_is_refused_with_a_clear_problem(edit: tuple[str, str], expected: str) -> None:
    old, new = edit
    assert old in DEFAULT_TEXT
    problems = problems_of(DEFAULT_TEXT.replace(old, new, 1))

    assert any(problem.startswith(expected) for problem in problems), problems


def test_all_problems_are_listed_at_once() -> None:
    text = (
        DEFAULT_TEXT.replace("elderly = 3", "elderly = -1")
        .replace("P1 = 14", "P1 = 2")
        .replace("P4 = 168\n", "")
    )

    with pytest.raises(TriagePolicyError) as raised:
        parse_policy(text, source="default.toml")

    assert len(raised.value.problems) == 3
    message = str(raised.value)
    assert message.startswith("invalid triage policy default.toml: 3 problem(s)")
    assert "elderly" in message
    assert "thresholds" in message
    assert "sla_hours is missing P4" in message


def test_not_toml_at_all() -> None:
    assert problems_of("version = ")[0].startswith("not valid TOML")


def test_constructor_refuses_incomplete_or_negative_policies(policy: TriagePolicy) -> None:
    with pytest.raises(TriagePolicyError, match="factor_weights is missing elderly"):
        TriagePolicy(
            version="x",
            factor_weights={
                f: w for f, w in policy.factor_weights.items() if f is not VulnerabilityFactor.ELDERLY
            },
            need_weights=policy.need_weights,
            points_per_minor_under_3=1,
            thresholds=policy.thresholds,
            sla=policy.sla,
        )
    with pytest.raises(TriagePolicyError, match="points_per_minor_under_3 must be between 0 and 100"):
        TriagePolicy(
            version="x",
            factor_weights=policy.factor_weights,
            need_weights=policy.need_weights,
            points_per_minor_under_3=-1,
            thresholds=policy.thresholds,
            sla=policy.sla,
        )


def test_policy_maps_are_read_only(policy: TriagePolicy) -> None:
    with pytest.raises(TypeError):
        policy.factor_weights[VulnerabilityFactor.ELDERLY] = 99  # type: ignore[index]


OVERRIDE = """
version = "3"
base_version = "2026.1"
municipality = "063049"
[weights.needs]
food = 5
[sla_hours]
P1 = 2
"""


def test_override_merges_over_the_default(policy: TriagePolicy) -> None:
    napoli = parse_override(OVERRIDE, istat_code="063049", base=policy, source="063049.toml")

    assert napoli.version == "2026.1+063049.3"
    assert napoli.need_weights[Need.FOOD] == 5
    assert napoli.need_weights[Need.MEDICAL] == policy.need_weights[Need.MEDICAL]
    assert napoli.sla[Priority.P1] == timedelta(hours=2)
    assert napoli.sla[Priority.P2] == policy.sla[Priority.P2]
    assert napoli.factor_weights == policy.factor_weights


def test_override_problems_from_several_files_are_reported_together() -> None:
    stale = OVERRIDE.replace('base_version = "2026.1"', 'base_version = "2025.9"')
    wrong_name = OVERRIDE
    breaks_order = OVERRIDE.replace("P1 = 2", "P1 = 30")

    with pytest.raises(TriagePolicyError) as raised:
        PolicySet.from_texts(
            DEFAULT_TEXT,
            {
                "063049.toml": stale,
                "015146.toml": wrong_name,
                "058091.toml": breaks_order,
                "roma.toml": OVERRIDE,
            },
        )

    assert raised.value.problems == (
        "015146.toml: municipality is '063049' but the file name says '015146'",
        "058091.toml: municipality is '063049' but the file name says '058091'",
        "058091.toml: sla_hours must not decrease from P1 to P4 (more urgent, sooner), "
        "got P1=30, P2=24, P3=72, P4=168",
        "063049.toml: base_version must be '2026.1' (the default's version), got '2025.9'",
        "roma.toml: override files are named by ISTAT code, e.g. 058091.toml",
    )


def test_override_for_a_municipality_outside_the_programme() -> None:
    with pytest.raises(TriagePolicyError, match="not a municipality of the programme"):
        PolicySet.from_texts(DEFAULT_TEXT, {"063049.toml": OVERRIDE}, known_municipalities={"058091"})


def test_bad_default_is_reported_before_overrides() -> None:
    with pytest.raises(TriagePolicyError) as raised:
        PolicySet.from_texts(DEFAULT_TEXT.replace("food = 2", "food = -2"), {"063049.toml": OVERRIDE})

    assert raised.value.problems == ("default.toml: weights.needs.food must be between 0 and 100, got -2",)


def test_unknown_municipality_falls_back_to_default(policy_set: PolicySet) -> None:
    assert policy_set.for_municipality("999999") is policy_set.default


def test_without_an_sla_table_the_programme_defaults_apply(policy: TriagePolicy) -> None:
    without_sla = DEFAULT_TEXT[: DEFAULT_TEXT.index("# Deadline from the time of the report")]

    assert parse_policy(without_sla).sla == policy.sla
