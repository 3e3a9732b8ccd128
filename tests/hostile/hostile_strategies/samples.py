"""Known-good events: a contract-valid payload per event type and the envelope around it."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from lgnet_contracts import InvalidEvent, decode

ROMA = "058091"
MILANO = "015146"


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def sample_payload(event_type: str, now: datetime) -> dict[str, Any]:
    """A payload of `event_type` that satisfies its contract."""
    t = _iso(now)
    later = _iso(now + timedelta(hours=2))
    household = {"adults": ["female"], "minors_ages": [3], "unaccompanied_minor": False}
    reasons = [{"code": "eligible", "text": "ISEE under the threshold"}]
    samples: dict[str, dict[str, Any]] = {
        "case.reported": {
            "reported_at": t,
            "reported_by": "operator-1",
            "household": household,
            "needs": ["shelter_tonight"],
            "consent": {"contact": True, "data_processing": True, "recorded_at": t, "recorded_by": "op-1"},
            "contact": None,
            "preferred_language": "it",
        },
        "case.triaged": {
            "priority": "P1",
            "score": 9,
            "breakdown": [{"factor": "protected", "points": 3, "reason": "protected"}],
            "needs": ["shelter_tonight"],
            "sla_deadline": later,
            "policy_version": "2025.1",
            "housing": {"household": household, "accessible_bed": False, "language": "it"},
            "household_size": 2,
            "reported_at": t,
        },
        "case.updated": {
            "changed": ["needs"],
            "updated_by": "operator-1",
            "needs": ["food"],
            "household": household,
        },
        "case.closed": {"outcome": "no_longer_needed", "closed_by": "operator-1", "closed_at": t},
        "case.sla_breached": {"priority": "P1", "deadline": t, "detected_at": t, "unmet_needs": ["food"]},
        "case.erased": {"erased_at": t, "erased_by": "operator-1", "reason": "data_subject_request"},
        "placement.requested": {"placement_id": "pl-1", "priority": "P1", "beds_needed": {"single": 1}},
        "placement.offered": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "shelter_municipality": ROMA,
            "beds": {"single": 1},
            "offer_expires_at": later,
        },
        "placement.accepted": {"placement_id": "pl-1", "shelter_id": "sh-1", "accepted_by": "partner-1"},
        "placement.declined": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "declined_by": "partner-1",
            "reason": "full tonight",
        },
        "placement.expired": {"placement_id": "pl-1", "shelter_id": "sh-1", "expired_at": t},
        "placement.confirmed": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "shelter_name": "Casa San Paolo",
            "shelter_address": "Via Ostiense 12, Roma",
            "shelter_phone": None,
            "arrive_by": later,
        },
        "placement.checked_in": {"placement_id": "pl-1", "shelter_id": "sh-1", "at": t},
        "placement.checked_out": {"placement_id": "pl-1", "shelter_id": "sh-1", "at": t},
        "placement.waitlisted": {
            "placement_id": "pl-1",
            "priority": "P2",
            "position": 1,
            "reason": "no bed in the area",
        },
        "grant.requested": {"grant_id": "gr-1", "source": "triage", "household_size": 3},
        "grant.pending_review": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "prepared_by": "officer-1",
            "reasons": reasons,
        },
        "grant.approved": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "approved_by": "approver-1",
            "automatic": False,
            "reasons": reasons,
        },
        "grant.rejected": {"grant_id": "gr-1", "decided_by": "approver-1", "reasons": reasons},
        "grant.disbursed": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "batch_id": "b-1",
            "value_date": "2026-01-15",
        },
        "grant.returned": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "batch_id": "b-1",
            "reason_code": "AC04",
            "reason": "account closed",
        },
        "budget.allocated": {
            "allocation_cents": 1_000_000,
            "previous_cents": 0,
            "changed_by": "coordinator-1",
            "reason": "initial allocation",
            "at": t,
        },
        "budget.exhausted": {"allocation_cents": 1_000_000, "available_cents": 0, "at": t},
        "notification.requested": {
            "notification_id": "n-1",
            "template_id": "case.received",
            "locale": "it",
            "channel": None,
            "variables": {"first_name": "A"},
        },
        "notification.sent": {
            "notification_id": "n-1",
            "channel": "sms",
            "provider": "gateway",
            "provider_message_id": "m-1",
            "attempt": 1,
        },
        "notification.delivered": {"notification_id": "n-1", "channel": "sms", "delivered_at": t},
        "notification.failed": {
            "notification_id": "n-1",
            "channel": "sms",
            "reason": "unreachable",
            "attempts": 1,
            "final": True,
        },
    }
    return copy.deepcopy(samples[event_type])


def good_envelope(
    event_type: str,
    *,
    case_id: str | None = None,
    municipality: str = ROMA,
    producer: str = "hostile-test",
    occurred_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A contract-valid event of `event_type` as the JSON object it travels as."""
    now = occurred_at or datetime.now(UTC)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": _iso(now),
        "producer": producer,
        "municipality": municipality,
        "case_id": case_id if case_id is not None else str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "payload": payload if payload is not None else sample_payload(event_type, now),
    }


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


def rejected_by_contract(raw: bytes) -> bool:
    try:
        decode(raw)
    except InvalidEvent:
        return True
    return False


def good_events(types: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(list(types)).map(lambda t: good_envelope(t))
