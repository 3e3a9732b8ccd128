from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgnet_payments.domain.budget import (
    Budget,
    BudgetAllocated,
    BudgetError,
    BudgetExhausted,
    GuardRejected,
    InsufficientFunds,
    OperationResult,
    balance_from_ledger,
)
from lgnet_payments.domain.reconciliation import DiscrepancyCode, reconcile

AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
MIN = 100_00


def opened(allocation: int = 10_000_00) -> Budget:
    outcome = Budget("058091", minimum_grant_cents=MIN).set_allocation(
        allocation, change_id="initial", actor="coordinator", reason="programme allocation", at=AT
    )
    return outcome.budget


def test_reserve_commit_release_move_money_between_counters() -> None:
    b = opened()
    b = b.reserve("g1", 3_000_00, actor="system", at=AT).budget
    assert (b.reserved_cents, b.committed_cents, b.available_cents) == (3_000_00, 0, 7_000_00)
    b = b.commit("g1", actor="bank", at=AT).budget
    assert (b.reserved_cents, b.committed_cents, b.available_cents) == (0, 3_000_00, 7_000_00)
    b = b.release("g1", actor="bank", reason="returned AC04", at=AT).budget
    assert (b.reserved_cents, b.committed_cents, b.available_cents) == (0, 0, 10_000_00)
    b = b.reserve("g2", 1_000_00, actor="system", at=AT).budget
    b = b.release("g2", actor="officer", reason="cancelled", at=AT).budget
    assert b.available_cents == 10_000_00
    assert reconcile(b) == []


def test_insufficient_funds_leaves_budget_untouched() -> None:
    b = opened(1_000_00)
    with pytest.raises(InsufficientFunds) as info:
        b.reserve("g1", 1_000_01, actor="system", at=AT)
    assert info.value.available_cents == 1_000_00
    assert b.reserved_cents == 0


@pytest.mark.parametrize("op", ["reserve", "commit", "release", "allocate"])
def test_same_operation_twice_changes_nothing(op: str) -> None:
    b = opened().reserve("g1", 500_00, actor="s", at=AT).budget
    if op == "commit":
        b = b.commit("g1", actor="s", at=AT).budget
    if op == "release":
        b = b.release("g1", actor="s", reason="r", at=AT).budget
    again = {
        "reserve": lambda: b.reserve("g1", 500_00, actor="s", at=AT),
        "commit": lambda: b.commit("g1", actor="s", at=AT),
        "release": lambda: b.release("g1", actor="s", reason="r", at=AT),
        "allocate": lambda: b.set_allocation(1, change_id="initial", actor="c", reason="r", at=AT),
    }[op]()
    assert again.result is OperationResult.DUPLICATE
    assert again.budget is b
    assert again.write is None


def test_release_without_reservation_is_a_no_op() -> None:
    outcome = opened().release("never-approved", actor="s", reason="rejected", at=AT)
    assert outcome.result is OperationResult.NOTHING_TO_RELEASE
    assert outcome.write is None


def test_commit_needs_a_live_reservation() -> None:
    with pytest.raises(BudgetError):
        opened().commit("g1", actor="s", at=AT)
    b = opened().reserve("g1", 500_00, actor="s", at=AT).budget
    b = b.release("g1", actor="s", reason="cancelled", at=AT).budget
    with pytest.raises(BudgetError):
        b.commit("g1", actor="s", at=AT)
    replay = b.reserve("g1", 500_00, actor="s", at=AT)  # a replayed approval after cancellation
    assert replay.result is OperationResult.DUPLICATE
    assert replay.budget.available_cents == b.available_cents == 10_000_00


def test_allocation_never_below_reserved_plus_committed() -> None:
    b = opened(1_000_00).reserve("g1", 600_00, actor="s", at=AT).budget
    with pytest.raises(BudgetError, match="below"):
        b.set_allocation(599_99, change_id="cut", actor="coordinator", reason="re-plan", at=AT)
    outcome = b.set_allocation(600_00, change_id="cut", actor="coordinator", reason="re-plan", at=AT)
    assert outcome.budget.available_cents == 0
    (event,) = outcome.events
    assert isinstance(event, BudgetAllocated)
    assert (event.previous_allocation_cents, event.allocation_cents) == (1_000_00, 600_00)
    assert outcome.write is not None
    assert outcome.write.guard.expected_allocation_cents == 1_000_00
    assert outcome.write.guard.min_available_cents == 400_00


def test_exhaustion_is_reported_once_and_rearmed_by_refill() -> None:
    b = opened(1_000_00).reserve("g1", 950_00, actor="s", at=AT).budget
    first = b.check_exhaustion(AT)
    assert first.applied
    assert [type(e) for e in first.events] == [BudgetExhausted]
    b = first.budget
    assert b.check_exhaustion(AT).events == ()
    b = b.release("g1", actor="s", reason="cancelled", at=AT).budget
    b = b.reserve("g2", 950_00, actor="s", at=AT).budget
    assert b.check_exhaustion(AT).events == ()  # a release alone does not re-arm
    b = b.set_allocation(2_000_00, change_id="refill", actor="coordinator", reason="refill", at=AT).budget
    assert b.exhausted_reported is False
    b = b.reserve("g3", 1_000_00, actor="s", at=AT).budget
    assert len(b.check_exhaustion(AT).events) == 1


def test_stale_write_is_rejected_like_the_mongo_filter() -> None:
    """Two approvals computed from the same snapshot: the second write's guard fails."""
    snapshot = opened(1_000_00)
    first = snapshot.reserve("g1", 700_00, actor="s", at=AT)
    second = snapshot.reserve("g2", 700_00, actor="s", at=AT)
    assert second.write is not None
    current = first.budget
    with pytest.raises(GuardRejected):
        current.apply_write(second.write)
    with pytest.raises(InsufficientFunds):  # the retry against fresh state
        current.reserve("g2", 700_00, actor="s", at=AT)


def test_reconcile_finds_tampering() -> None:
    b = opened().reserve("g1", 500_00, actor="s", at=AT).budget
    tampered = replace(b, reserved_cents=0)
    codes = {d.code for d in reconcile(tampered)}
    assert DiscrepancyCode.COUNTER_MISMATCH in codes
    bad_entry = replace(b.ledger[-1], reserved_delta_cents=-500_00)
    codes = {d.code for d in reconcile(replace(b, ledger=(*b.ledger[:-1], bad_entry)))}
    assert DiscrepancyCode.MALFORMED_ENTRY in codes
    assert DiscrepancyCode.NEGATIVE_BALANCE in codes
    duplicated = replace(b, ledger=(*b.ledger, b.ledger[-1]), reserved_cents=1_000_00)
    assert DiscrepancyCode.DUPLICATE_KEY in {d.code for d in reconcile(duplicated)}


# --- properties ------------------------------------------------------------------------

grant_ids = st.sampled_from([f"g{i}" for i in range(12)])
operations = st.one_of(
    st.tuples(st.just("reserve"), grant_ids, st.integers(min_value=1, max_value=4_000_00)),
    st.tuples(st.just("commit"), grant_ids, st.just(0)),
    st.tuples(st.just("release"), grant_ids, st.just(0)),
    st.tuples(st.just("allocate"), st.uuids().map(str), st.integers(min_value=0, max_value=20_000_00)),
)


def _run(b: Budget, op: str, subject: str, amount: int) -> Budget:
    try:
        if op == "reserve":
            return b.reserve(subject, amount, actor="s", at=AT).budget
        if op == "commit":
            return b.commit(subject, actor="s", at=AT).budget
        if op == "release":
            return b.release(subject, actor="s", reason="r", at=AT).budget
        return b.set_allocation(amount, change_id=subject, actor="c", reason="r", at=AT).budget
    except BudgetError:
        return b  # refused operations (insufficient funds, no reservation...) change nothing


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10_000_00), st.lists(operations, max_size=60))
def test_random_sequences_never_overspend(allocation: int, ops: list[tuple[str, str, int]]) -> None:
    b = opened(allocation)
    for op, subject, amount in ops:
        b = _run(b, op, subject, amount)
        assert b.available_cents >= 0
        assert b.reserved_cents >= 0
        assert b.committed_cents >= 0
        assert balance_from_ledger(b.ledger) == b.balance
    assert reconcile(b) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(operations, max_size=40))
def test_replaying_every_operation_is_idempotent(ops: list[tuple[str, str, int]]) -> None:
    b = opened()
    for op, subject, amount in ops:
        once = _run(b, op, subject, amount)
        twice = _run(once, op, subject, amount)
        assert twice.balance == once.balance
        assert twice.ledger == once.ledger
        b = once


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=5_000_00),
    st.lists(st.integers(min_value=1, max_value=1_000_00), min_size=1, max_size=80),
)
def test_concurrent_approvals_from_one_snapshot_never_exceed_the_budget(
    allocation: int, amounts: list[int]
) -> None:
    """Every approval is planned against the same stale read, then applied through the guard
    with reload-and-retry, as concurrent requests against one MongoDB document would be."""
    snapshot = opened(allocation)
    planned = []
    for i, amount in enumerate(amounts):
        try:
            planned.append((f"g{i}", amount, snapshot.reserve(f"g{i}", amount, actor="s", at=AT).write))
        except InsufficientFunds:
            planned.append((f"g{i}", amount, None))
    current = snapshot
    approved: list[int] = []
    refused = 0
    for grant_id, amount, write in planned:
        try:
            if write is None:
                raise InsufficientFunds("058091", 0, amount)
            current = current.apply_write(write)
            approved.append(amount)
        except (GuardRejected, InsufficientFunds):
            try:  # retry against the fresh document
                outcome = current.reserve(grant_id, amount, actor="s", at=AT)
                assert outcome.write is not None
                current = current.apply_write(outcome.write)
                approved.append(amount)
            except InsufficientFunds:
                refused += 1
    assert sum(approved) <= allocation
    assert len(approved) + refused == len(amounts)
    assert current.available_cents == allocation - sum(approved)
    assert reconcile(current) == []
