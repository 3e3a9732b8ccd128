"""Turn what happened to a placement into contract events (Kafka) and partner webhook messages."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from lgnet_contracts import Envelope, EventPayload, new_event
from lgnet_contracts.events import placements as contract
from lgnet_contracts.types import BedType as ContractBedType
from lgnet_contracts.types import Priority as ContractPriority
from lgnet_housing.domain import placement_events as domain
from lgnet_housing.domain.errors import NotVisibleToPartner
from lgnet_housing.domain.partner_view import partner_view
from lgnet_housing.domain.placement import Placement
from lgnet_housing.domain.values import BedCounts

from .ports import ShelterRecord, StoredPlacement, WebhookMessage

PRODUCER = "housing"
# Names the cancellation webhook, which has no Kafka event (case.closed already tells every service).
CANCELLED_TYPE = "placement.cancelled"
_WEBHOOK_NS = uuid.UUID("9a3c2b8e-4f1d-4c55-9e0b-2f4c1d7a6b10")


def contract_beds(beds: BedCounts) -> dict[ContractBedType, int]:
    return {ContractBedType(bed_type.value): count for bed_type, count in beds.nonzero().items()}


def contract_payload(event: domain.PlacementEvent, shelter: ShelterRecord | None) -> EventPayload | None:
    """The contract payload of a domain event; None for the ones that have no Kafka event."""
    pid = event.placement_id
    match event:
        case domain.PlacementRequested():
            return contract.PlacementRequested(
                placement_id=pid,
                priority=ContractPriority(event.priority.value),
                beds_needed=contract_beds(event.beds_needed),
            )
        case domain.PlacementOffered():
            return contract.PlacementOffered(
                placement_id=pid,
                shelter_id=event.shelter_id,
                shelter_municipality=event.shelter_municipality,
                beds=contract_beds(event.beds),
                offer_expires_at=event.offer_expires_at,
            )
        case domain.PlacementAccepted():
            return contract.PlacementAccepted(
                placement_id=pid, shelter_id=event.shelter_id, accepted_by=event.accepted_by
            )
        case domain.PlacementDeclined():
            # The reason code only: a partner's free-text note stays in housing (it may name people).
            return contract.PlacementDeclined(
                placement_id=pid,
                shelter_id=event.shelter_id,
                declined_by=event.declined_by,
                reason=event.reason.value,
            )
        case domain.PlacementExpired():
            return contract.PlacementExpired(
                placement_id=pid, shelter_id=event.shelter_id, expired_at=event.expired_at
            )
        case domain.PlacementConfirmed():
            if shelter is None:
                raise ValueError("a confirmation names its shelter")
            return contract.PlacementConfirmed(
                placement_id=pid,
                shelter_id=event.shelter_id,
                shelter_name=shelter.shelter.name,
                shelter_address=shelter.shelter.address,
                shelter_phone=shelter.phone,
                arrive_by=event.arrive_by,
            )
        case domain.PlacementCheckedIn():
            return contract.PlacementCheckedIn(
                placement_id=pid, shelter_id=event.shelter_id, at=event.occurred_at
            )
        case domain.PlacementCheckedOut():
            return contract.PlacementCheckedOut(
                placement_id=pid, shelter_id=event.shelter_id, at=event.occurred_at
            )
        case domain.PlacementWaitlisted():
            return contract.PlacementWaitlisted(
                placement_id=pid,
                priority=ContractPriority(event.priority.value),
                position=event.position,
                reason=event.reason,
            )
    return None


def envelopes(
    stored: StoredPlacement,
    events: Sequence[domain.PlacementEvent],
    *,
    shelter: ShelterRecord | None = None,
    cause: Envelope[Any] | None = None,
) -> list[Envelope[Any]]:
    out: list[Envelope[Any]] = []
    for event in events:
        payload = contract_payload(event, shelter)
        if payload is None:
            continue
        out.append(
            new_event(
                payload,
                producer=PRODUCER,
                municipality=stored.placement.request.municipality,
                case_id=event.case_id,
                correlation_id=stored.correlation_id,
                causation=cause,
                occurred_at=event.occurred_at,
            )
        )
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_jsonable(v) for v in value]
    return value


def _partner_data(placement: Placement, shelter_id: str) -> dict[str, Any] | None:
    try:
        view = partner_view(placement, shelter_id)
    except NotVisibleToPartner:
        return None
    data = asdict(view)
    data["beds"] = view.beds.nonzero()
    return {str(k): _jsonable(v) for k, v in data.items()}


def webhook_messages(
    placement: Placement, events: Sequence[domain.PlacementEvent], sent: Sequence[Envelope[Any]]
) -> list[WebhookMessage]:
    """One message per event that concerns a shelter; the body carries the contract payload
    and, while the placement is the shelter's, the partner view (never more than that)."""
    # `envelopes` made exactly one envelope per event, in order, except for cancellations.
    remaining = iter(sent)
    messages: list[WebhookMessage] = []
    for event in events:
        envelope = None if isinstance(event, domain.PlacementCancelled) else next(remaining, None)
        shelter_id = getattr(event, "shelter_id", None)
        if shelter_id is None:
            continue
        data: dict[str, Any]
        if envelope is None:
            event_type = CANCELLED_TYPE
            reason = getattr(event, "reason", None)
            data = {"placement_id": event.placement_id, "shelter_id": shelter_id, "reason": str(reason)}
            message_id = f"msg_{uuid.uuid5(_WEBHOOK_NS, f'{event.placement_id}:{placement.version}:cancel')}"
        else:
            event_type = envelope.event_type
            data = envelope.payload.model_dump(mode="json")
            message_id = f"msg_{envelope.event_id}"
        view = _partner_data(placement, shelter_id)
        if view is not None:
            data["placement"] = view
        body = json.dumps(
            {"type": event_type, "timestamp": event.occurred_at.isoformat(), "data": data},
            separators=(",", ":"),
            sort_keys=True,
        )
        messages.append(WebhookMessage(message_id, shelter_id, event_type, body, event.occurred_at))
    return messages
