"""Refusals of the application layer (the domain's own live next to its rules)."""

from __future__ import annotations


class GrantNotFoundError(LookupError):
    """No grant with this id (or, to the caller, none in their municipalities)."""


class BatchNotFoundError(LookupError):
    pass


class BudgetNotFoundError(LookupError):
    pass


class ConcurrentUpdateError(RuntimeError):
    """The record kept changing under us; the caller may simply try again."""


class InvalidRequestStateError(RuntimeError):
    """The request is not in a state that allows this (e.g. details of an already decided grant)."""


class OutsideProgrammeWindowError(RuntimeError):
    """Nothing is approved outside the programme's window."""


class StatusReportMismatchError(ValueError):
    """A pain.002 answering another file than this batch."""


class ConfigurationError(ValueError):
    """The service cannot start with this configuration; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the payments service cannot start: {len(self.problems)} problem(s)\n{listing}")
