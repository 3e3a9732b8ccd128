"""The one envelope every event travels in, and the base of every payload."""

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from uuid_utils.compat import uuid7

from lgnet_contracts.types import CaseId, IstatCode, UtcDatetime


class EventPayload(BaseModel):
    """Base of every payload. Subclasses name their event type, version and topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str]


P = TypeVar("P", bound=EventPayload)

_UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _canonical_uuid(value: object) -> object:
    # On the wire an id has one spelling (lower-case, with dashes), so equal ids compare equal.
    if isinstance(value, str) and not _UUID_TEXT.match(value):
        raise ValueError("ids are lower-case UUIDs with dashes")
    return value


class Envelope(BaseModel, Generic[P]):
    """Metadata shared by all events. W3C trace context travels in Kafka headers, not here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Annotated[uuid.UUID, BeforeValidator(_canonical_uuid)]
    event_type: Annotated[str, Field(min_length=1, max_length=64)]
    schema_version: Annotated[int, Field(ge=1, le=1_000)]
    occurred_at: UtcDatetime
    producer: Annotated[str, Field(min_length=1, max_length=64)]
    municipality: IstatCode
    case_id: CaseId | None
    correlation_id: Annotated[uuid.UUID, BeforeValidator(_canonical_uuid)]
    causation_id: Annotated[uuid.UUID, BeforeValidator(_canonical_uuid)] | None = None
    payload: P

    @model_validator(mode="after")
    def _type_matches_payload(self) -> Self:
        payload_type = type(self.payload)
        if (self.event_type, self.schema_version) != (payload_type.event_type, payload_type.schema_version):
            raise ValueError(
                f"envelope says {self.event_type} v{self.schema_version} but the payload is "
                f"{payload_type.event_type} v{payload_type.schema_version}"
            )
        return self

    @property
    def key(self) -> bytes:
        """Kafka key: events of one case share a partition so their order holds."""
        return (self.case_id or self.municipality).encode()


def new_event(
    payload: P,
    *,
    producer: str,
    municipality: str,
    case_id: str | None,
    correlation_id: uuid.UUID | None = None,
    causation: "Envelope[Any] | None" = None,
    occurred_at: datetime | None = None,
) -> Envelope[P]:
    """A new envelope; a caused event inherits the cause's correlation id."""
    event_id = uuid7()
    if correlation_id is None:
        correlation_id = causation.correlation_id if causation is not None else event_id
    envelope_type: Any = Envelope[type(payload)]  # type: ignore[misc]
    envelope: Envelope[P] = envelope_type(
        event_id=event_id,
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        municipality=municipality,
        case_id=case_id,
        correlation_id=correlation_id,
        causation_id=causation.event_id if causation is not None else None,
        payload=payload,
    )
    return envelope
