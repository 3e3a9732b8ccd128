"""Housing, payments and notifications events, read as entries of the case's story.

Summaries carry no personal data: shelter names and addresses are the shelter's, amounts
are the grant's, and a message is described by its channel and template, never its text.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events import grants as g
from lgnet_contracts.events import notifications as n
from lgnet_contracts.events import placements as p
from lgnet_contracts.topics import GRANTS, NOTIFICATIONS, PLACEMENTS
from lgnet_referral.application.clock import to_millis
from lgnet_referral.application.timeline_feed import ExternalEvent, GrantNews, PlacementNews
from lgnet_referral.domain.timeline import Milestone, TimelineEntry

SOURCES = {PLACEMENTS.name: "housing", GRANTS.name: "payments", NOTIFICATIONS.name: "notifications"}

PLACEMENT_EVENTS: tuple[type[p._Placement], ...] = (
    p.PlacementRequested,
    p.PlacementOffered,
    p.PlacementAccepted,
    p.PlacementDeclined,
    p.PlacementExpired,
    p.PlacementConfirmed,
    p.PlacementCheckedIn,
    p.PlacementCheckedOut,
    p.PlacementWaitlisted,
)
GRANT_EVENTS: tuple[type[g._Grant], ...] = (
    g.GrantRequested,
    g.GrantPendingReview,
    g.GrantApproved,
    g.GrantRejected,
    g.GrantDisbursed,
    g.GrantReturned,
)
NOTIFICATION_EVENTS: tuple[type[n._Notification], ...] = (
    n.NotificationRequested,
    n.NotificationSent,
    n.NotificationDelivered,
    n.NotificationFailed,
)
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.event_type for cls in (*PLACEMENT_EVENTS, *GRANT_EVENTS, *NOTIFICATION_EVENTS)
)


def euros(cents: int) -> str:
    return f"EUR {Decimal(cents) / 100:,.2f}"


def _hhmm(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _beds(beds: dict[Any, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in beds.items())


def _placement(payload: Any) -> tuple[str, Milestone | None, PlacementNews]:
    status = payload.event_type.removeprefix("placement.")
    news = PlacementNews(placement_id=payload.placement_id, status=status)
    match payload:
        case p.PlacementRequested():
            return f"Placement requested ({payload.priority}): {_beds(payload.beds_needed)}", None, news
        case p.PlacementOffered():
            until = _hhmm(payload.offer_expires_at)
            text = f"Shelter {payload.shelter_id} offered {_beds(payload.beds)} until {until}"
            return text, None, PlacementNews(payload.placement_id, status, shelter_id=payload.shelter_id)
        case p.PlacementAccepted():
            return f"Shelter {payload.shelter_id} accepted the placement", None, news
        case p.PlacementDeclined():
            return f"Shelter {payload.shelter_id} declined: {payload.reason}", None, news
        case p.PlacementExpired():
            return f"Offer from shelter {payload.shelter_id} expired", None, news
        case p.PlacementConfirmed():
            text = (
                f"Bed confirmed at {payload.shelter_name}, {payload.shelter_address}; "
                f"arrive by {_hhmm(payload.arrive_by)}"
            )
            full = PlacementNews(
                payload.placement_id,
                status,
                shelter_id=payload.shelter_id,
                shelter_name=payload.shelter_name,
                shelter_address=payload.shelter_address,
                shelter_phone=payload.shelter_phone,
                arrive_by=payload.arrive_by,
            )
            return text, Milestone.PLACEMENT_CONFIRMED, full
        case p.PlacementCheckedIn():
            return f"Checked in at shelter {payload.shelter_id}", Milestone.PLACEMENT_CHECKED_IN, news
        case p.PlacementCheckedOut():
            return f"Checked out of shelter {payload.shelter_id}", None, news
        case p.PlacementWaitlisted():
            return f"Waitlisted at position {payload.position}: {payload.reason}", None, news
    return payload.event_type, None, news


def _grant(payload: Any) -> tuple[str, Milestone | None, GrantNews]:
    status = payload.event_type.removeprefix("grant.")
    amount = int(getattr(payload, "amount_cents", 0) or 0)
    news = GrantNews(grant_id=payload.grant_id, status=status, amount_cents=amount)
    match payload:
        case g.GrantRequested():
            asked = f" of {euros(payload.requested_cents)}" if payload.requested_cents else ""
            purpose = f" for {payload.purpose}" if payload.purpose else ""
            return f"Grant requested{asked}{purpose} (household of {payload.household_size})", None, news
        case g.GrantPendingReview():
            return f"Grant of {euros(amount)} waits for review", None, news
        case g.GrantApproved():
            how = "automatically" if payload.automatic else f"by {payload.approved_by}"
            return f"Grant of {euros(amount)} approved {how}", Milestone.GRANT_APPROVED, news
        case g.GrantRejected():
            reasons = "; ".join(r.text for r in payload.reasons)
            return f"Grant rejected: {reasons}", None, news
        case g.GrantDisbursed():
            return f"{euros(amount)} paid (value date {payload.value_date})", Milestone.GRANT_PAID, news
        case g.GrantReturned():
            return f"{euros(amount)} returned by the bank: {payload.reason}", None, news
    return payload.event_type, None, news


def _notification(payload: Any) -> str:
    match payload:
        case n.NotificationRequested():
            return f"Message '{payload.template_id}' requested ({payload.locale})"
        case n.NotificationSent():
            return f"Message sent by {payload.channel} (attempt {payload.attempt})"
        case n.NotificationDelivered():
            return f"Message delivered by {payload.channel}"
        case n.NotificationFailed():
            final = "gave up" if payload.final else "will retry"
            tries = f"{payload.attempts} attempt(s)"
            return f"Message by {payload.channel} failed after {tries}, {final}: {payload.reason}"
    return str(payload.event_type)


def to_external_event(envelope: Envelope[Any]) -> ExternalEvent | None:
    """None for events about no case (nothing to attach them to)."""
    if envelope.case_id is None:
        return None
    payload = envelope.payload
    source = SOURCES.get(payload.topic, envelope.producer)
    refs: list[tuple[str, str]] = []
    milestone: Milestone | None = None
    placement: PlacementNews | None = None
    grant: GrantNews | None = None
    takes_charge = True
    if isinstance(payload, p._Placement):
        summary, milestone, placement = _placement(payload)
        refs.append(("placement_id", payload.placement_id))
        if placement.shelter_id:
            refs.append(("shelter_id", placement.shelter_id))
    elif isinstance(payload, g._Grant):
        summary, milestone, grant = _grant(payload)
        refs.append(("grant_id", payload.grant_id))
    else:
        summary = _notification(payload)
        refs.append(("notification_id", payload.notification_id))
        # A message about the case is not a service taking charge of it.
        takes_charge = False
    event_id = str(envelope.event_id)
    return ExternalEvent(
        event_id=event_id,
        case_id=envelope.case_id,
        entry=TimelineEntry(
            at=to_millis(envelope.occurred_at),
            source=source,
            event_type=envelope.event_type,
            summary=summary[:500],
            refs=tuple(refs),
            event_id=event_id,
        ),
        milestone=milestone,
        takes_charge=takes_charge,
        placement=placement,
        grant=grant,
    )
