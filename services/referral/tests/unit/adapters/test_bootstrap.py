"""Start-up refuses a bad configuration and lists every problem at once (no engines touched)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgnet_referral.application.errors import ConfigurationError
from lgnet_referral.bootstrap import build, load_policies
from lgnet_referral.settings import DEFAULT_TRIAGE_DIR, ReferralSettings


def test_the_shipped_policies_load() -> None:
    policies = load_policies(DEFAULT_TRIAGE_DIR)
    assert policies.for_municipality("058091").municipality == "058091"


def test_bad_policy_files_and_secrets_stop_the_service(tmp_path: Path) -> None:
    (tmp_path / "default.toml").write_text((DEFAULT_TRIAGE_DIR / "default.toml").read_text())
    (tmp_path / "063049.toml").write_text('version = "1"\n[weights.factors]\nminor = -3\nunknown = 1\n')
    (tmp_path / "999999.toml").write_text('version = "1"\n')
    settings = ReferralSettings.model_validate({"triage_config_dir": tmp_path, "identity_pepper": "short"})

    with pytest.raises(ConfigurationError) as caught:
        build(settings)

    problems = "\n".join(caught.value.problems)
    assert "063049.toml" in problems
    assert "minor must be between 0 and 100" in problems
    assert "unknown key 'weights.factors.unknown'" in problems
    assert "999999 is not a municipality of the programme" in problems
    assert "LGNET_SEALING_KEYS" in problems
    assert "IDENTITY_PEPPER" in problems


def test_a_missing_default_policy_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"default\.toml"):
        load_policies(tmp_path)
