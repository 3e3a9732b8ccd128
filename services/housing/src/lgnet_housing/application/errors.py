"""Errors of the use cases (the domain's own rule violations stay `DomainError`s)."""


class ApplicationError(Exception):
    pass


class NotFound(ApplicationError):
    """Absent, or not the caller's to see: both answer the same, so scope never reveals existence."""


class AlreadyExists(ApplicationError):
    pass


class StaleVersion(ApplicationError):
    """Someone else changed the aggregate between load and save: load again and redo the decision."""


class Busy(ApplicationError):
    """Retries ran out under contention; the caller (or the consumer's retry) tries again later."""
