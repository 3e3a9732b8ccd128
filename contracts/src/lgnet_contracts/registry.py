"""Every event type and version the system knows, and the codec for their bytes on Kafka."""

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError

from lgnet_contracts.envelope import Envelope, EventPayload
from lgnet_contracts.events import cases, grants, notifications, placements

PAYLOADS: tuple[type[EventPayload], ...] = (
    cases.CaseReported,
    cases.CaseTriaged,
    cases.CaseUpdated,
    cases.CaseClosed,
    cases.SlaBreached,
    cases.CaseErased,
    placements.PlacementRequested,
    placements.PlacementOffered,
    placements.PlacementAccepted,
    placements.PlacementDeclined,
    placements.PlacementExpired,
    placements.PlacementConfirmed,
    placements.PlacementCheckedIn,
    placements.PlacementCheckedOut,
    placements.PlacementWaitlisted,
    grants.GrantRequested,
    grants.GrantPendingReview,
    grants.GrantApproved,
    grants.GrantRejected,
    grants.GrantDisbursed,
    grants.GrantReturned,
    grants.BudgetAllocated,
    grants.BudgetExhausted,
    notifications.NotificationRequested,
    notifications.NotificationSent,
    notifications.NotificationDelivered,
    notifications.NotificationFailed,
)

_BY_KEY: dict[tuple[str, int], type[EventPayload]] = {(p.event_type, p.schema_version): p for p in PAYLOADS}
if len(_BY_KEY) != len(PAYLOADS):
    raise RuntimeError("two payload classes claim the same event type and version")


class InvalidEvent(ValueError):
    """The bytes are not a valid event of a known type: retrying cannot help."""


class UnknownEventType(InvalidEvent):
    pass


def payload_class(event_type: str, schema_version: int) -> type[EventPayload]:
    try:
        return _BY_KEY[(event_type, schema_version)]
    except KeyError:
        raise UnknownEventType(f"unknown event {event_type} v{schema_version}") from None


@cache
def envelope_class(payload: type[EventPayload]) -> type[Envelope[Any]]:
    return Envelope[payload]  # type: ignore[valid-type]


def encode(event: Envelope[Any]) -> bytes:
    return event.model_dump_json().encode()


class _Head(BaseModel):
    """What a consumer needs to know before validating the whole event: its type and version.
    The rest of the JSON is parsed but not built into Python objects, so peeking is cheap."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: StrictStr
    schema_version: StrictInt


def peek_type(raw: bytes) -> tuple[str, int]:
    try:
        head = _Head.model_validate_json(raw)
    except ValidationError as exc:  # bad UTF-8 or JSON, deep nesting, not an object, no type
        first = exc.errors(include_url=False, include_input=False)[0]
        raise InvalidEvent(f"not an event: {first['type']} at {first['loc']}: {first['msg'][:200]}") from None
    return head.event_type, head.schema_version


def decode(raw: bytes) -> Envelope[Any]:
    event_type, version = peek_type(raw)
    return decode_known(event_type, version, raw)


def decode_known(event_type: str, version: int, raw: bytes) -> Envelope[Any]:
    """Validate the bytes of an event whose type `peek_type` found, in strict mode: a number
    sent as text, a float for an integer or seconds for a timestamp is refused, not coerced."""
    cls = envelope_class(payload_class(event_type, version))
    try:
        return cls.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise InvalidEvent(f"{event_type} v{version} does not match its contract: {exc}") from None
