"""Every event type and version the system knows, and the codec for their bytes on Kafka."""

import json
from functools import cache
from typing import Any

from pydantic import ValidationError

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


def peek_type(raw: bytes) -> tuple[str, int, dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, huge integers, deep nesting
        raise InvalidEvent(f"not JSON: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise InvalidEvent("an event is a JSON object")
    event_type, version = data.get("event_type"), data.get("schema_version")
    if not isinstance(event_type, str) or not isinstance(version, int) or isinstance(version, bool):
        raise InvalidEvent("event_type (string) and schema_version (integer) are required")
    return event_type, version, data


def decode(raw: bytes) -> Envelope[Any]:
    event_type, version, _ = peek_type(raw)
    return decode_known(event_type, version, raw)


def decode_known(event_type: str, version: int, raw: bytes) -> Envelope[Any]:
    """Validate the bytes of an event whose type `peek_type` found, in strict mode: a number
    sent as text, a float for an integer or seconds for a timestamp is refused, not coerced."""
    cls = envelope_class(payload_class(event_type, version))
    try:
        return cls.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise InvalidEvent(f"{event_type} v{version} does not match its contract: {exc}") from None
