from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lgnet_payments.domain.eligibility_policy import (
    DEFAULT_GRANT_RULES,
    GrantPolicyError,
    grant_policy_from_toml,
)

VALID = """
version = 1
[default]
isee_threshold_cents = 26_000_00
amount_per_member_cents = 2_000_00
cap_per_grant_cents = 12_000_00
minimum_grant_cents = 100_00
household_window_days = 365
auto_approval_threshold_cents = 1_500_00
programme_start = 2024-01-16
programme_end = 2026-12-31
[municipality."058091"]
isee_threshold_cents = 28_000_00
ise_threshold_cents = 35_000_00
"""


def test_shipped_config_matches_documented_defaults(config_dir: Path) -> None:
    policy = grant_policy_from_toml((config_dir / "grants.toml").read_text(encoding="utf-8"))
    assert policy.version == 1
    assert policy.default == DEFAULT_GRANT_RULES
    assert policy.default.isee_threshold_cents == 2_600_000
    assert policy.default.cap_per_grant_cents == 1_200_000
    assert policy.default.auto_approval_threshold_cents == 150_000
    assert policy.default.household_window_days == 365


def test_override_only_changes_listed_keys() -> None:
    policy = grant_policy_from_toml(VALID)
    roma = policy.rules_for("058091")
    assert roma.isee_threshold_cents == 2_800_000
    assert roma.ise_threshold_cents == 3_500_000
    assert roma.cap_per_grant_cents == policy.default.cap_per_grant_cents
    assert policy.rules_for("001272") is policy.default


def test_programme_window_is_rome_days_in_utc() -> None:
    rules = DEFAULT_GRANT_RULES
    assert rules.programme_opens_at == datetime(2024, 1, 15, 23, 0, tzinfo=UTC)
    # 31/12/2026 ends at midnight Rome time (CET, UTC+1) = 23:00 UTC.
    assert rules.programme_closes_at == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert rules.in_programme_window(datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC))
    assert not rules.in_programme_window(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    assert not rules.in_programme_window(datetime(2024, 1, 15, 22, 59, tzinfo=UTC))


def test_every_problem_is_reported_at_once() -> None:
    text = """
version = 0
colour = "blue"
[default]
isee_threshold_cents = -1
amount_per_member_cents = 2_000.50
cap_per_grant_cents = true
programme_start = 2027-01-01
programme_end = 2026-12-31
[municipality."Roma"]
typo_key = 1
"""
    with pytest.raises(GrantPolicyError) as info:
        grant_policy_from_toml(text)
    problems = "\n".join(info.value.problems)
    for expected in (
        "'version' must be a positive integer",
        "unknown top-level key 'colour'",
        "[default] is missing 'minimum_grant_cents'",
        "'isee_threshold_cents' must be a non-negative integer",
        "'amount_per_member_cents' must be a non-negative integer",
        "'cap_per_grant_cents' must be a non-negative integer",
        "the key must be a 6-digit ISTAT code",
        "unknown key 'typo_key'",
    ):
        assert expected in problems
    assert len(info.value.problems) >= 8


def test_incoherent_override_is_rejected() -> None:
    text = VALID + "auto_approval_threshold_cents = 13_000_00\nprogramme_end = 2023-01-01\n"
    with pytest.raises(GrantPolicyError) as info:
        grant_policy_from_toml(text)
    assert any("exceeds 'cap_per_grant_cents'" in p for p in info.value.problems)
    assert any("before 'programme_start'" in p for p in info.value.problems)


def test_end_date_is_configurable() -> None:
    policy = grant_policy_from_toml(VALID.replace("programme_end = 2026-12-31", "programme_end = 2027-01-31"))
    assert policy.default.programme_end == date(2027, 1, 31)


def test_invalid_toml_is_a_policy_error() -> None:
    with pytest.raises(GrantPolicyError, match="not valid TOML"):
        grant_policy_from_toml("version = ")
