from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lgnet_payments.domain.batch import (
    BatchError,
    DebtorAccount,
    build_batch,
    debtor_accounts_from_toml,
    end_to_end_id_for,
    iban_checksum_ok,
    make_batch_id,
)
from lgnet_payments.domain.grant import Grant

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
ROMA = DebtorAccount("Roma Capitale", "IT53M0542811101000000058091")
GrantFactory = Callable[..., Grant]


def test_batch_of_approved_grants_with_control_sum(make_grant: GrantFactory) -> None:
    grants = [make_grant("g-0002", amount=1_250_50), make_grant("g-0001", amount=80_000)]
    batch = build_batch(
        "058091",
        grants,
        batch_id=make_batch_id("058091", NOW, 1),
        debtor=ROMA,
        execution_date=date(2025, 3, 5),
        created_at=NOW,
    )
    assert batch.batch_id == "LGN-058091-202503030930-001"
    assert batch.count == 2
    assert batch.control_sum_cents == 1_250_50 + 80_000
    assert [i.grant_id for i in batch.instructions] == ["g-0001", "g-0002"]  # stable order
    assert batch.instructions[0].end_to_end_id == "g0001"
    assert batch.instructions[0].remittance == "LGNet3 contributo abitativo g-0001"
    assert batch.grant_for_end_to_end_id("g0002") == "g-0002"


def test_unfit_grants_fail_the_batch_with_every_problem(make_grant: GrantFactory) -> None:
    grants = [
        make_grant("g-1", approved=False),
        make_grant("g-2", municipality="001272"),
        make_grant("g-3", iban="IT00X0542811101000000123456"),
    ]
    with pytest.raises(BatchError) as info:
        build_batch(
            "058091", grants, batch_id="B", debtor=ROMA, execution_date=date(2025, 3, 5), created_at=NOW
        )
    text = "\n".join(info.value.problems)
    assert "g-1 is requested" in text
    assert "belongs to 001272" in text
    assert "g-3: beneficiary IBAN" in text


def test_empty_batch_and_past_execution_date_are_refused(make_grant: GrantFactory) -> None:
    with pytest.raises(BatchError, match="no approved grants"):
        build_batch("058091", [], batch_id="B", debtor=ROMA, execution_date=date(2025, 3, 5), created_at=NOW)
    with pytest.raises(BatchError, match="in the past"):
        build_batch(
            "058091",
            [make_grant()],
            batch_id="B",
            debtor=ROMA,
            execution_date=date(2025, 3, 1),
            created_at=NOW,
        )


def test_uuid_grant_ids_fit_the_end_to_end_id() -> None:
    assert end_to_end_id_for("9b2f6c1e-3d4a-4c1b-8e7f-0a1b2c3d4e5f") == "9b2f6c1e3d4a4c1b8e7f0a1b2c3d4e5f"
    with pytest.raises(BatchError):
        end_to_end_id_for("x" * 36)


def test_iban_checksum() -> None:
    assert iban_checksum_ok("IT60 X054 2811 1010 0000 0123 456")
    assert not iban_checksum_ok("IT61X0542811101000000123456")
    assert not iban_checksum_ok("not an iban")


def test_shipped_debtor_accounts_cover_all_municipalities(config_dir: Path) -> None:
    from lgnet_payments.domain.allocations import PROGRAMME_MUNICIPALITIES

    accounts = debtor_accounts_from_toml((config_dir / "debtor_accounts.toml").read_text(encoding="utf-8"))
    assert accounts.placeholders is True  # fabricated until the treasurers' accounts arrive
    assert set(accounts.accounts) == set(PROGRAMME_MUNICIPALITIES)
    assert accounts.for_municipality("058091").name == "Roma Capitale"
    with pytest.raises(BatchError):
        accounts.for_municipality("000000")
