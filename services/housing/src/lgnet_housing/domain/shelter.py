"""The Shelter aggregate: what a partner shelter offers and the beds reserved in it.

Storage keeps the reservations inside the shelter document and reserves beds with one
conditional atomic update (no multi-document transactions). So the counters that decide
"can these beds be reserved" live next to the reservation list, per bed type, and every
method here returns the new shelter plus a small description of what changed that the
adapter can turn into that one update. `reconciliation.reconcile` proves they never drift.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit

from .errors import (
    InsufficientBeds,
    InvalidValue,
    ReservationConflict,
    ReservationNotFound,
)
from .values import BedCounts, BedType, Coordinates, istat_code, language_code

# Plain http only to the machine itself (local receivers in tests); partners get https.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class GuestKind(StrEnum):
    MEN = "men"
    WOMEN = "women"
    FAMILIES = "families"
    UNACCOMPANIED_MINORS = "unaccompanied_minors"
    MIXED = "mixed"  # adults of any gender


class ReservationStatus(StrEnum):
    HELD = "held"  # offered to the shelter, waiting for its answer
    CONFIRMED = "confirmed"  # the shelter accepted: the beds are the person's
    OCCUPIED = "occupied"  # the person checked in


class ReleaseReason(StrEnum):
    DECLINED = "declined"
    EXPIRED = "expired"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"


class DeliveryMode(StrEnum):
    WEBHOOK = "webhook"  # signed webhook, plus the partner API
    API_ONLY = "api_only"  # the partner polls the API


@dataclass(frozen=True, slots=True)
class PartnerDelivery:
    mode: DeliveryMode
    webhook_url: str | None = None

    def __post_init__(self) -> None:
        if self.mode is DeliveryMode.API_ONLY:
            if self.webhook_url is not None:
                raise InvalidValue("api-only delivery takes no webhook url")
            return
        if self.webhook_url is None:
            raise InvalidValue("webhook delivery needs a webhook url")
        parts = urlsplit(self.webhook_url)
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
        if not (secure and parts.hostname):
            raise InvalidValue(f"webhook url must be https: {self.webhook_url!r}")

    @classmethod
    def webhook(cls, url: str) -> "PartnerDelivery":
        return cls(DeliveryMode.WEBHOOK, url)

    @classmethod
    def api_only(cls) -> "PartnerDelivery":
        return cls(DeliveryMode.API_ONLY)


@dataclass(frozen=True, slots=True)
class BedStock:
    """Counters of one bed type. Stored as-is; `available` is derived, never stored alone."""

    capacity: int = 0
    out_of_service: int = 0
    extra_tonight: int = 0
    reserved: int = 0

    def __post_init__(self) -> None:
        # Only shape checks: a drifted stored document must still load so reconcile can report it.
        for name in ("capacity", "out_of_service", "extra_tonight", "reserved"):
            if getattr(self, name) < 0:
                raise InvalidValue(f"negative {name}")

    @property
    def usable(self) -> int:
        """Beds that can be given tonight, reserved or not."""
        return self.capacity - self.out_of_service + self.extra_tonight

    @property
    def available(self) -> int:
        return max(0, self.usable - self.reserved)


@dataclass(frozen=True, slots=True)
class HoldGuard:
    """The storage condition for one bed type: counters as read, reserved not above the limit.

    Holds from concurrent cases may change `reserved` between read and write: the update still
    succeeds while `reserved <= max_reserved`; any availability change fails it and forces a retry.
    """

    capacity: int
    out_of_service: int
    extra_tonight: int
    max_reserved: int


@dataclass(frozen=True, slots=True)
class Reservation:
    placement_id: str
    beds: BedCounts
    status: ReservationStatus
    held_until: datetime | None = None  # only while HELD

    def __post_init__(self) -> None:
        if self.beds.is_empty:
            raise InvalidValue("a reservation needs at least one bed")
        if (self.status is ReservationStatus.HELD) != (self.held_until is not None):
            raise InvalidValue("held_until is set exactly while the reservation is held")


class ChangeKind(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    OCCUPIED = "occupied"
    RELEASED = "released"
    UNCHANGED = "unchanged"  # an idempotent retry: nothing to write


@dataclass(frozen=True, slots=True)
class ReservationChange:
    placement_id: str
    kind: ChangeKind
    beds: BedCounts  # the beds of the reservation concerned (empty if there was none)
    previous_status: ReservationStatus | None
    status: ReservationStatus | None  # None once released
    release_reason: ReleaseReason | None = None

    @property
    def changed(self) -> bool:
        return self.kind is not ChangeKind.UNCHANGED

    @property
    def reserved_delta(self) -> dict[BedType, int]:
        """Signed $inc for the `reserved` counters."""
        if self.kind is ChangeKind.HELD:
            return self.beds.nonzero()
        if self.kind is ChangeKind.RELEASED:
            return {bed_type: -count for bed_type, count in self.beds.nonzero().items()}
        return {}


@dataclass(frozen=True, slots=True)
class AvailabilityChange:
    before: Mapping[BedType, BedStock]
    after: Mapping[BedType, BedStock]

    @property
    def changed(self) -> bool:
        return dict(self.before) != dict(self.after)


def _all_types(beds: Mapping[BedType, BedStock]) -> Mapping[BedType, BedStock]:
    return MappingProxyType({bed_type: beds.get(bed_type, BedStock()) for bed_type in BedType})


@dataclass(frozen=True, slots=True)
class Shelter:
    id: str
    municipality: str
    name: str
    address: str
    guest_kinds: frozenset[GuestKind]
    accessible: bool
    languages: frozenset[str]
    beds: Mapping[BedType, BedStock]
    delivery: PartnerDelivery
    coordinates: Coordinates | None = None
    reservations: tuple[Reservation, ...] = ()
    # Bumped on every change so the adapter can also do optimistic whole-document writes.
    version: int = 0
    _by_placement: Mapping[str, Reservation] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        istat_code(self.municipality)
        if not (self.id and self.name.strip() and self.address.strip()):
            raise InvalidValue("a shelter needs an id, a name and an address")
        if not self.guest_kinds:
            raise InvalidValue("a shelter accepts at least one kind of guest")
        for language in self.languages:
            language_code(language)
        object.__setattr__(self, "beds", _all_types(self.beds))
        if self.beds[BedType.ACCESSIBLE].capacity and not self.accessible:
            raise InvalidValue("accessible beds only in a shelter marked accessible")
        by_placement = {r.placement_id: r for r in self.reservations}
        if len(by_placement) != len(self.reservations):
            raise InvalidValue("one reservation per placement")
        object.__setattr__(self, "_by_placement", MappingProxyType(by_placement))

    # -- reading -------------------------------------------------------------------------------

    def available(self) -> BedCounts:
        return BedCounts.of({bed_type: stock.available for bed_type, stock in self.beds.items()})

    def reservation(self, placement_id: str) -> Reservation | None:
        return self._by_placement.get(placement_id)

    def can_hold(self, beds: BedCounts) -> bool:
        return self.available().covers(beds)

    def hold_guard(self, beds: BedCounts) -> dict[BedType, HoldGuard]:
        """Per bed type involved, the condition under which holding `beds` is still safe."""
        return {
            bed_type: HoldGuard(
                capacity=self.beds[bed_type].capacity,
                out_of_service=self.beds[bed_type].out_of_service,
                extra_tonight=self.beds[bed_type].extra_tonight,
                max_reserved=self.beds[bed_type].usable - count,
            )
            for bed_type, count in beds.nonzero().items()
        }

    def expired_holds(self, now: datetime) -> list[str]:
        """Placements whose hold ran out; the sweeper expires the placement first, then releases."""
        return [
            r.placement_id
            for r in self.reservations
            if r.status is ReservationStatus.HELD and r.held_until is not None and r.held_until <= now
        ]

    # -- changing ------------------------------------------------------------------------------

    def hold(
        self, placement_id: str, beds: BedCounts, held_until: datetime
    ) -> tuple["Shelter", ReservationChange]:
        """Reserve beds for a placement. A retry with the same beds changes nothing."""
        if beds.is_empty:
            raise InvalidValue("hold at least one bed")
        if held_until.tzinfo is None:
            raise InvalidValue("held_until must be timezone-aware")
        existing = self.reservation(placement_id)
        if existing is not None:
            if existing.beds != beds:
                raise ReservationConflict(f"placement {placement_id} already holds other beds here")
            return self, _unchanged(existing)
        if not self.can_hold(beds):
            raise InsufficientBeds(f"shelter {self.id} cannot hold {beds.nonzero()}")
        reservation = Reservation(placement_id, beds, ReservationStatus.HELD, held_until)
        stocks = {
            bed_type: replace(stock, reserved=stock.reserved + beds[bed_type])
            for bed_type, stock in self.beds.items()
        }
        shelter = self._evolve(beds=stocks, reservations=(*self.reservations, reservation))
        return shelter, ReservationChange(placement_id, ChangeKind.HELD, beds, None, ReservationStatus.HELD)

    def confirm(self, placement_id: str) -> tuple["Shelter", ReservationChange]:
        """held -> confirmed. Deliberately no time check: the placement decides about expiry."""
        return self._advance(placement_id, ReservationStatus.CONFIRMED, {ReservationStatus.HELD})

    def occupy(self, placement_id: str) -> tuple["Shelter", ReservationChange]:
        """confirmed -> occupied (check-in)."""
        return self._advance(placement_id, ReservationStatus.OCCUPIED, {ReservationStatus.CONFIRMED})

    def release(self, placement_id: str, reason: ReleaseReason) -> tuple["Shelter", ReservationChange]:
        """Give the beds back. Releasing what is not there is a no-op, so retries are safe."""
        existing = self.reservation(placement_id)
        if existing is None:
            return self, ReservationChange(
                placement_id, ChangeKind.UNCHANGED, BedCounts(), None, None, reason
            )
        stocks = {
            bed_type: replace(stock, reserved=max(0, stock.reserved - existing.beds[bed_type]))
            for bed_type, stock in self.beds.items()
        }
        remaining = tuple(r for r in self.reservations if r.placement_id != placement_id)
        shelter = self._evolve(beds=stocks, reservations=remaining)
        change = ReservationChange(
            placement_id, ChangeKind.RELEASED, existing.beds, existing.status, None, reason
        )
        return shelter, change

    def set_availability(
        self,
        out_of_service: BedCounts | None = None,
        extra_tonight: BedCounts | None = None,
    ) -> tuple["Shelter", AvailabilityChange]:
        """The shelter reports beds out of service and extra beds tonight (absolute values).

        Never below what is reserved: a partner cannot take away a bed already promised.
        """
        stocks: dict[BedType, BedStock] = {}
        for bed_type, stock in self.beds.items():
            updated = replace(
                stock,
                out_of_service=stock.out_of_service if out_of_service is None else out_of_service[bed_type],
                extra_tonight=stock.extra_tonight if extra_tonight is None else extra_tonight[bed_type],
            )
            if updated.out_of_service > updated.capacity:
                raise InvalidValue(f"{bed_type}: more beds out of service than exist")
            if updated.usable < updated.reserved:
                raise InsufficientBeds(
                    f"{bed_type}: {updated.usable} usable beds but {updated.reserved} already reserved"
                )
            stocks[bed_type] = updated
        change = AvailabilityChange(self.beds, _all_types(stocks))
        if not change.changed:
            return self, change
        return self._evolve(beds=stocks), change

    def set_capacity(self, capacity: BedCounts) -> tuple["Shelter", AvailabilityChange]:
        """Registry update of the permanent beds, with the same never-below-reserved rule."""
        stocks: dict[BedType, BedStock] = {}
        for bed_type, stock in self.beds.items():
            updated = replace(stock, capacity=capacity[bed_type])
            if updated.out_of_service > updated.capacity or updated.usable < updated.reserved:
                raise InsufficientBeds(f"{bed_type}: capacity below beds out of service or reserved")
            stocks[bed_type] = updated
        if capacity.accessible and not self.accessible:
            raise InvalidValue("accessible beds only in a shelter marked accessible")
        change = AvailabilityChange(self.beds, _all_types(stocks))
        if not change.changed:
            return self, change
        return self._evolve(beds=stocks), change

    # -- internals -----------------------------------------------------------------------------

    def _advance(
        self, placement_id: str, to: ReservationStatus, allowed_from: set[ReservationStatus]
    ) -> tuple["Shelter", ReservationChange]:
        existing = self.reservation(placement_id)
        if existing is None:
            raise ReservationNotFound(f"shelter {self.id} has no reservation for {placement_id}")
        if existing.status is to:
            return self, _unchanged(existing)
        if existing.status not in allowed_from:
            raise ReservationConflict(f"reservation {placement_id} is {existing.status}, cannot become {to}")
        advanced = replace(existing, status=to, held_until=None)
        reservations = tuple(advanced if r.placement_id == placement_id else r for r in self.reservations)
        kind = ChangeKind.CONFIRMED if to is ReservationStatus.CONFIRMED else ChangeKind.OCCUPIED
        return self._evolve(reservations=reservations), ReservationChange(
            placement_id, kind, existing.beds, existing.status, to
        )

    def _evolve(
        self,
        *,
        beds: Mapping[BedType, BedStock] | None = None,
        reservations: Iterable[Reservation] | None = None,
    ) -> "Shelter":
        return replace(
            self,
            beds=self.beds if beds is None else beds,
            reservations=self.reservations if reservations is None else tuple(reservations),
            version=self.version + 1,
        )


def _unchanged(reservation: Reservation) -> ReservationChange:
    return ReservationChange(
        reservation.placement_id,
        ChangeKind.UNCHANGED,
        reservation.beds,
        reservation.status,
        reservation.status,
    )
