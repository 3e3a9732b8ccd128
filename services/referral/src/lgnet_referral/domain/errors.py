"""Domain errors of the referral service.

One base class so the application layer can map every domain refusal to a
client error in one place; subclasses of ValueError because each one means
"this input or transition is not acceptable", not a bug.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A rule of the referral domain refused the operation."""


class NaiveDatetimeError(DomainError):
    """A datetime without a timezone reached the domain (all time is UTC-aware)."""


class InvalidHouseholdError(DomainError):
    """The household facts contradict themselves (e.g. an unaccompanied minor with adults)."""


class TriagePolicyError(DomainError):
    """A triage policy file is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[str] | tuple[str, ...]) -> None:
        self.source = source
        self.problems: tuple[str, ...] = tuple(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid triage policy {source}: {len(self.problems)} problem(s)\n{listing}")


class InvalidIdentityError(DomainError):
    """An identity key (phone, fiscal code, name, pepper) cannot be used for matching."""


class OverrideError(DomainError):
    """A priority override was refused (reason too short, no change, below a hard floor)."""


class CaseClosedError(DomainError):
    """The case is closed: facts, priority and status can no longer change."""


class InvalidCaseTransitionError(DomainError):
    """The requested change does not fit the case's current state."""


class InvalidIdempotencyKeyError(DomainError):
    """An Idempotency-Key that is not 8 to 64 letters, digits, '-' or '_'."""


class IdempotencyKeyReusedError(DomainError):
    """The Idempotency-Key was used before, for a different report."""
