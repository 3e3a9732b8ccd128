"""Shared builders for the payments unit tests (no I/O beyond reading fixture files)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lgnet_payments.domain.eligibility import EligibilityDecision, GrantPurpose
from lgnet_payments.domain.grant import Beneficiary, Grant
from lgnet_payments.domain.reasons import Reason, ReasonCode

SERVICE_DIR = Path(__file__).resolve().parents[2]
FIXTURES = SERVICE_DIR / "tests" / "fixtures"
CONFIG = SERVICE_DIR / "config"
NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
PAYEE_IBAN = "IT60X0542811101000000123456"

GrantFactory = Callable[..., Grant]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def config_dir() -> Path:
    return CONFIG


@pytest.fixture
def now() -> datetime:
    return NOW


def decision(amount: int, *, needs_review: bool = False, at: datetime = NOW) -> EligibilityDecision:
    code = ReasonCode.NEEDS_REVIEW if needs_review else ReasonCode.AUTO_APPROVAL
    return EligibilityDecision(
        True, amount, (Reason(code, "test"),), needs_review=needs_review, decided_at=at
    )


@pytest.fixture
def approve_decision() -> Callable[..., EligibilityDecision]:
    """``approve_decision(amount, needs_review=False)``: an eligible decision at NOW."""
    return decision


@pytest.fixture
def make_grant() -> GrantFactory:
    def make(
        grant_id: str = "g-0001",
        *,
        amount: int = 80_000,
        municipality: str = "058091",
        name: str = "Amina Ouédraogo",
        iban: str = PAYEE_IBAN,
        approved: bool = True,
    ) -> Grant:
        grant, _ = Grant.request(
            grant_id=grant_id,
            municipality=municipality,
            household_key=f"household-{grant_id}",
            purpose=GrantPurpose.DEPOSIT,
            requested_cents=amount,
            beneficiary=Beneficiary(name, iban),
            prepared_by="officer.rossi",
            at=NOW,
        )
        if approved:
            grant, _ = grant.approve_automatically(decision(amount))
        return grant

    return make
