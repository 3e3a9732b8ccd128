from __future__ import annotations

from pathlib import Path

import pytest

from lgnet_payments.domain.allocations import (
    PROGRAMME_MUNICIPALITIES,
    PROGRAMME_TOTAL_CENTS,
    AllocationError,
    allocation_plan_from_toml,
    default_allocations,
    render_allocations_toml,
    split_evenly,
)


def test_default_split_sums_exactly_to_the_programme_total() -> None:
    allocations = default_allocations()
    assert PROGRAMME_TOTAL_CENTS == 107_635_303
    assert len(allocations) == 22
    assert sum(allocations.values()) == 107_635_303
    assert set(allocations.values()) == {4_892_513, 4_892_514}
    assert sum(1 for v in allocations.values() if v == 4_892_514) == 17


def test_remainder_goes_to_lowest_codes_deterministically() -> None:
    assert split_evenly(10, ["c", "a", "b"]) == {"a": 4, "b": 3, "c": 3}
    assert split_evenly(10, ["b", "c", "a"]) == split_evenly(10, ["a", "b", "c"])


def test_shipped_config_is_the_default_split(config_dir: Path) -> None:
    text = (config_dir / "allocations.toml").read_text(encoding="utf-8")
    plan = allocation_plan_from_toml(text)
    assert dict(plan.allocations) == default_allocations()
    assert plan.total_cents == plan.programme_total_cents == 107_635_303
    assert text == render_allocations_toml(default_allocations())
    assert plan.allocation_for("058091") == 4_892_514


def test_the_22_istat_codes() -> None:
    assert len(PROGRAMME_MUNICIPALITIES) == 22
    assert PROGRAMME_MUNICIPALITIES["058091"] == "Roma"
    assert PROGRAMME_MUNICIPALITIES["021008"] == "Bolzano"
    assert all(len(code) == 6 and code.isdigit() for code in PROGRAMME_MUNICIPALITIES)


def _with(allocations: dict[str, int], *, allow: bool = False) -> str:
    text: str = render_allocations_toml(allocations)
    flag = "true" if allow else "false"
    return text.replace("allow_total_mismatch = false", f"allow_total_mismatch = {flag}")


def test_sum_mismatch_is_refused_unless_explicitly_allowed() -> None:
    allocations = default_allocations()
    allocations["058091"] += 1
    with pytest.raises(AllocationError, match="allow_total_mismatch"):
        allocation_plan_from_toml(_with(allocations))
    plan = allocation_plan_from_toml(_with(allocations, allow=True))
    assert plan.total_cents == PROGRAMME_TOTAL_CENTS + 1


def test_all_problems_listed() -> None:
    text = 'version = 1\n[allocation]\n"058091" = -5\n"999999" = 10\n'
    with pytest.raises(AllocationError) as info:
        allocation_plan_from_toml(text)
    problems = info.value.problems
    assert any("999999" in p for p in problems)
    assert any("non-negative" in p for p in problems)
    assert sum("has no allocation" in p for p in problems) == 21


def test_codes_agree_with_the_contracts_package() -> None:
    """The domain keeps its own stdlib-only copy; this guards against the two drifting apart."""
    from lgnet_contracts.municipalities import municipalities

    assert {code: m.name for code, m in municipalities().items()} == dict(PROGRAMME_MUNICIPALITIES)
