"""Valid events with awkward content, per service: each must be handled, never dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hostile_strategies import MILANO, good_envelope


def _now() -> datetime:
    return datetime.now(UTC)


def _with(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    payload = {**event["payload"], **changes.pop("payload", {})}
    return {**event, **changes, "payload": payload}


def _legal_common(event_type: str) -> list[tuple[str, dict[str, Any]]]:
    """Valid for any consumer of `event_type`: odd but legal envelope content."""
    e = good_envelope
    return [
        ("case id of no known case", e(event_type)),
        ("no case id at all", e(event_type, case_id="")),
        ("producer is odd unicode", e(event_type, producer="\u202eevil\u0000 😈 ' OR 1=1 --")),
        ("occurred far in the past", e(event_type, occurred_at=datetime(1971, 1, 1, tzinfo=UTC))),
        ("occurred in the future", e(event_type, occurred_at=_now() + timedelta(days=3650))),
        ("another programme municipality", e(event_type, municipality=MILANO)),
        ("non-UTC offset", {**e(event_type), "occurred_at": "2026-01-01T12:00:00+05:30"}),
    ]


def _no_case(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "case_id": None} if event["case_id"] == "" else event


def referral_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    out = [*_legal_common("placement.confirmed"), *_legal_common("grant.approved")]
    out += [
        ("largest amount the contract allows", _with(e("grant.approved"), payload={"amount_cents": 10**11})),
        ("empty reasons", _with(e("grant.pending_review"), payload={"reasons": []})),
        ("notification for unknown case", e("notification.failed")),
        ("waitlisted far down", _with(e("placement.waitlisted"), payload={"position": 10**6})),
        ("many bed kinds", _with(e("placement.offered"), payload={"beds": {"single": 40, "cot": 40}})),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def housing_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    big = {
        "adults": ["female", "male", "other"] * 6,
        "minors_ages": list(range(18)),
        "unaccompanied_minor": False,
    }
    out = [*_legal_common("case.closed"), *_legal_common("case.triaged")]
    out += [
        ("triage without housing needs", _with(e("case.triaged"), payload={"housing": None})),
        ("triage without a bed need", _with(e("case.triaged"), payload={"needs": ["food"]})),
        (
            "household of 36 with no shelter in reach",
            _with(
                e("case.triaged", municipality=MILANO),
                payload={
                    "household_size": 36,
                    "housing": {"household": big, "accessible_bed": True, "language": "zz"},
                },
            ),
        ),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def payments_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    hardship = {"needs": ["economic_hardship"]}
    out = [*_legal_common("case.triaged")]
    out += [
        ("hardship for a case with no id", _with(e("case.triaged", case_id=""), payload=hardship)),
        (
            "hardship for another municipality",
            _with(e("case.triaged", municipality=MILANO), payload=hardship),
        ),
        ("largest household", _with(e("case.triaged"), payload={**hardship, "household_size": 40})),
        ("no needs at all", _with(e("case.triaged"), payload={"needs": []})),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def notifications_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    stale = _now() - timedelta(days=30)
    out = [
        (
            "reported without consent or contact",
            _with(
                e("case.reported"),
                payload={
                    "consent": {
                        "contact": False,
                        "data_processing": False,
                        "recorded_at": "2026-01-01T00:00:00Z",
                        "recorded_by": "x",
                    }
                },
            ),
        ),
        ("reported with no case id", e("case.reported", case_id="")),
        ("reported by odd producer", e("case.reported", producer="\u202e😈")),
        ("triaged with no case id", e("case.triaged", case_id="")),
        ("stale closing of unknown case", e("case.closed", occurred_at=stale)),
        ("stale approval of unknown case", e("grant.approved", occurred_at=stale)),
        ("own request echoed back", e("notification.requested", producer="notifications")),
        ("request with no case id", e("notification.requested", case_id="")),
    ]
    return [(why, _no_case(ev)) for why, ev in out]
