"""Refusals of the application layer (the domain's own are in ``domain.errors``)."""


class CaseNotFoundError(LookupError):
    """No case with this id (or, to the caller, none in their municipalities)."""


class ConcurrentUpdateError(RuntimeError):
    """The case kept changing under us; the caller may simply try again."""


class ConfigurationError(ValueError):
    """The service cannot start with this configuration; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the referral service cannot start: {len(self.problems)} problem(s)\n{listing}")
