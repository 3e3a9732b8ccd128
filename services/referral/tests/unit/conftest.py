"""Shared fixtures for the referral domain's unit tests (no I/O beyond reading the shipped config)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lgnet_referral.domain.triage_policy import PolicySet, TriagePolicy

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "triage"
# A fixed report time: the domain never reads the clock, so neither do its tests.
T0 = datetime(2026, 3, 14, 22, 30, tzinfo=UTC)


def read_policy_set() -> PolicySet:
    overrides = {
        path.name: path.read_text() for path in CONFIG_DIR.glob("*.toml") if path.name != "default.toml"
    }
    return PolicySet.from_texts((CONFIG_DIR / "default.toml").read_text(), overrides)


@pytest.fixture(scope="session")
def policy_set() -> PolicySet:
    return read_policy_set()


@pytest.fixture(scope="session")
def policy(policy_set: PolicySet) -> TriagePolicy:
    return policy_set.default


@pytest.fixture
def t0() -> datetime:
    return T0
