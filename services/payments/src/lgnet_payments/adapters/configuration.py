"""The service's configuration files, read and validated together so an operator fixes them in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgnet_payments.application.errors import ConfigurationError
from lgnet_payments.domain.allocations import AllocationError, AllocationPlan, allocation_plan_from_toml
from lgnet_payments.domain.batch import BatchError, DebtorAccounts, debtor_accounts_from_toml
from lgnet_payments.domain.eligibility_policy import GrantPolicy, GrantPolicyError, grant_policy_from_toml


@dataclass(frozen=True, slots=True)
class PaymentsConfiguration:
    policy: GrantPolicy
    allocations: AllocationPlan
    debtors: DebtorAccounts


def _read(path: Path, problems: list[str]) -> str | None:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        problems.append(f"{path}: cannot read ({exc.strerror or exc})")
        return None


def load_configuration(
    grants_file: Path, allocations_file: Path, debtors_file: Path, *, allow_placeholder_accounts: bool
) -> PaymentsConfiguration:
    problems: list[str] = []
    policy = allocations = debtors = None
    if (text := _read(grants_file, problems)) is not None:
        try:
            policy = grant_policy_from_toml(text)
        except GrantPolicyError as exc:
            problems.extend(f"{grants_file}: {p}" for p in exc.problems)
    if (text := _read(allocations_file, problems)) is not None:
        try:
            allocations = allocation_plan_from_toml(text)
        except AllocationError as exc:
            problems.extend(f"{allocations_file}: {p}" for p in exc.problems)
    if (text := _read(debtors_file, problems)) is not None:
        try:
            debtors = debtor_accounts_from_toml(text)
        except BatchError as exc:
            problems.extend(f"{debtors_file}: {p}" for p in exc.problems)
    if debtors is not None:
        if debtors.placeholders and not allow_placeholder_accounts:
            # Paying from a fabricated account would bounce every file, or worse: refuse to start.
            problems.append(
                f"{debtors_file}: holds placeholder debtor accounts; configure each treasurer's real "
                "account and set placeholders = false (LGNET_PAYMENTS_ALLOW_PLACEHOLDER_DEBTOR_ACCOUNTS "
                "is for development only)"
            )
        if allocations is not None:
            missing = sorted(set(allocations.allocations) - set(debtors.accounts))
            problems.extend(f"{debtors_file}: no debtor account for municipality {m}" for m in missing)
    if problems or policy is None or allocations is None or debtors is None:
        raise ConfigurationError(problems)
    return PaymentsConfiguration(policy, allocations, debtors)
