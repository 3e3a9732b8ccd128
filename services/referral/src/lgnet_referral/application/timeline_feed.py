"""Record another service's event on the case: its timeline, its needs, where the family is tonight,
what has been paid. Idempotent: a redelivered event changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lgnet_referral.application.case_file import GrantLine, Situation, Tonight
from lgnet_referral.application.errors import ConcurrentUpdateError
from lgnet_referral.application.ports import CaseRepository, SaveOutcome
from lgnet_referral.domain.timeline import Milestone, TimelineEntry

MAX_ATTEMPTS = 5
_PENDING = frozenset({"requested", "offered", "accepted", "declined", "expired", "waitlisted"})


@dataclass(frozen=True, slots=True)
class PlacementNews:
    placement_id: str
    status: str  # the event type without "placement.", e.g. "confirmed"
    shelter_id: str | None = None
    shelter_name: str | None = None
    shelter_address: str | None = None
    shelter_phone: str | None = None
    arrive_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class GrantNews:
    grant_id: str
    status: str  # the event type without "grant.", e.g. "disbursed"
    amount_cents: int = 0


@dataclass(frozen=True, slots=True)
class ExternalEvent:
    """Another service's event as the referral service reads it (no personal data)."""

    event_id: str
    case_id: str
    entry: TimelineEntry
    milestone: Milestone | None = None
    # False for events that show nobody acting on the case yet (a message delivered).
    takes_charge: bool = True
    placement: PlacementNews | None = None
    grant: GrantNews | None = None


class RecordOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_RECORDED = "already_recorded"
    UNKNOWN_CASE = "unknown_case"


def apply_news(situation: Situation, event: ExternalEvent) -> None:
    """Later news wins: topics and partitions are not ordered with each other, so an event
    that arrives after a newer one only fills in details, never turns the status back."""
    at = event.entry.at
    if event.placement is not None:
        _apply_placement(situation, event.placement, at)
    if event.grant is not None:
        g = event.grant
        line = situation.grants.setdefault(
            g.grant_id, GrantLine(grant_id=g.grant_id, status=g.status, updated_at=at)
        )
        if at >= line.updated_at:
            line.status, line.updated_at = g.status, at
        # Each event is applied once (its id is checked first), so adding is safe.
        if g.status == "approved":
            line.approved_cents = g.amount_cents
        elif g.status == "disbursed":
            line.disbursed_cents += g.amount_cents
        elif g.status == "returned":
            line.returned_cents += g.amount_cents


def _apply_placement(situation: Situation, news: PlacementNews, at: datetime) -> None:
    current = situation.tonight
    same = current is not None and current.placement_id == news.placement_id
    if current is not None and not same:
        # A confirmed bed stays "tonight" while another placement is only being arranged.
        if (current.has_bed and news.status in _PENDING) or at < current.updated_at:
            return
        current = None
    if current is None:
        situation.tonight = Tonight(placement_id=news.placement_id, status=news.status, updated_at=at)
        current = situation.tonight
    if at >= current.updated_at:
        current.status, current.updated_at = news.status, at
    current.shelter_id = news.shelter_id or current.shelter_id
    current.shelter_name = news.shelter_name or current.shelter_name
    current.shelter_address = news.shelter_address or current.shelter_address
    current.shelter_phone = news.shelter_phone or current.shelter_phone
    current.arrive_by = news.arrive_by or current.arrive_by


class RecordExternalEvent:
    def __init__(self, repository: CaseRepository) -> None:
        self._repository = repository

    async def __call__(self, event: ExternalEvent) -> RecordOutcome:
        for _ in range(MAX_ATTEMPTS):
            file = await self._repository.get(event.case_id)
            if file is None:
                return RecordOutcome.UNKNOWN_CASE
            if any(e.event_id == event.event_id for e in file.case.timeline):
                return RecordOutcome.ALREADY_RECORDED
            events = file.case.record_external_event(
                event.entry, milestone=event.milestone, takes_charge=event.takes_charge
            )
            apply_news(file.situation, event)
            outcome = await self._repository.save(file, events, handled=event.event_id)
            if outcome is SaveOutcome.SAVED:
                return RecordOutcome.RECORDED
            if outcome is SaveOutcome.ALREADY_HANDLED:
                return RecordOutcome.ALREADY_RECORDED
            if outcome is SaveOutcome.NOT_FOUND:
                return RecordOutcome.UNKNOWN_CASE
        raise ConcurrentUpdateError(f"case {event.case_id} kept changing while recording {event.event_id}")
