"""Adapter translations that need no engine: budget guards as Mongo filters, events, sealing, config."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lgnet_payments.adapters.configuration import load_configuration
from lgnet_payments.adapters.contract_events import grant_envelopes
from lgnet_payments.adapters.mongo_budgets import guard_filter
from lgnet_payments.adapters.personal_seal import PersonalSeal
from lgnet_payments.application.errors import ConfigurationError
from lgnet_payments.application.records import Applicant, GrantFile, Intake, RequestSource
from lgnet_payments.domain.budget import Budget
from lgnet_payments.domain.grant import GrantRejected
from lgnet_payments.domain.reasons import Reason, ReasonCode
from lgnet_runtime.sealing import Sealer, SealingError

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def funded() -> Budget:
    outcome = Budget("058091", 100_00).set_allocation(1_000_00, change_id="c1", actor="a", reason="r", at=NOW)
    return outcome.budget


def test_a_reservation_is_guarded_by_available_money_and_an_absent_key() -> None:
    write = funded().reserve("g-1", 300_00, actor="a", at=NOW).write
    assert write is not None
    assert guard_filter(write) == {
        "available_cents": {"$gte": 300_00},
        "ledger.key": {"$nin": ["reserve:g-1"]},
    }


def test_a_commit_needs_its_reservation_and_no_empty_all() -> None:
    budget = funded().reserve("g-1", 300_00, actor="a", at=NOW).budget
    write = budget.commit("g-1", actor="bank", at=NOW).write
    assert write is not None
    assert guard_filter(write) == {
        "ledger.key": {"$all": ["reserve:g-1"], "$nin": ["commit:g-1", "release:g-1"]}
    }


def test_the_exhaustion_latch_is_one_flip() -> None:
    budget = funded().reserve("g-1", 950_00, actor="a", at=NOW).budget
    write = budget.check_exhaustion(NOW).write
    assert write is not None
    assert guard_filter(write) == {"available_cents": {"$lt": 100_00}, "exhausted_reported": False}


def test_events_carry_no_personal_data_and_short_reasons() -> None:
    intake = Intake("g-1", "058091", None, RequestSource.CASE_MANAGER, 2, NOW, "officer")
    file = GrantFile(intake, applicant=Applicant("Amina Ouédraogo", "IT60X0542811101000000123456", "X"))
    long_reason = Reason(ReasonCode.REVIEWER_REJECTED, "x" * 400)
    [envelope] = grant_envelopes(file, [GrantRejected("g-1", "058091", "approver", (long_reason,), NOW)])
    dumped = envelope.model_dump_json()
    assert "Amina" not in dumped
    assert "IT60X" not in dumped
    assert len(envelope.payload.reasons[0].text) == 300
    assert envelope.case_id is None


def test_sealed_beneficiary_opens_only_for_its_own_grant() -> None:
    seal = PersonalSeal(Sealer.from_setting("k1:" + Sealer.generate_key()))
    person = Applicant("Amina Ouédraogo", "IT60X0542811101000000123456", "RSSMRA80A01H501U")
    sealed = seal.seal_applicant(person, grant_id="g-1")
    assert "Amina" not in str(sealed)
    assert seal.open_applicant(sealed, grant_id="g-1") == person
    with pytest.raises(SealingError):
        seal.open_applicant(sealed, grant_id="g-2")


def test_placeholder_debtor_accounts_are_refused_unless_allowed(config_dir: Path) -> None:
    files = (config_dir / "grants.toml", config_dir / "allocations.toml", config_dir / "debtor_accounts.toml")
    with pytest.raises(ConfigurationError, match="placeholder debtor accounts"):
        load_configuration(*files, allow_placeholder_accounts=False)
    loaded = load_configuration(*files, allow_placeholder_accounts=True)
    assert loaded.allocations.total_cents == 1_076_353_03
