"""Errors the housing domain raises when asked to do something its rules forbid."""


class DomainError(Exception):
    """Base of every housing rule violation; the application maps it to a 4xx, never a 5xx."""


class InvalidValue(DomainError):
    """A value is malformed (ISTAT code, language, negative bed count, ...)."""


class InvalidTransition(DomainError):
    """A placement was asked to move to a state its lifecycle does not allow from where it is."""


class InsufficientBeds(DomainError):
    """A hold or an availability change would leave fewer beds than are reserved."""


class ReservationConflict(DomainError):
    """The placement already holds different beds in this shelter: a retry must be identical."""


class ReservationNotFound(DomainError):
    """The shelter has no reservation for that placement."""


class NotVisibleToPartner(DomainError):
    """A partner asked for a placement that is not (or no longer) at their shelter."""


class OfferExpired(InvalidTransition):
    """The shelter answered after the offer's deadline: the placement must be expired instead."""


class ShelterExcluded(DomainError):
    """The shelter declined or let an offer expire for this case: it is not asked again."""
