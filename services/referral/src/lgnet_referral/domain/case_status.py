"""The states a case can be in, how it can end, and the record of a breached SLA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lgnet_referral.domain.priority import Priority


class CaseStatus(StrEnum):
    OPEN = "open"
    # A service or operator formally took charge ("presa in carico").
    IN_PROGRESS = "in_progress"
    # The SLA was breached with a need unmet; stays until closed, for supervisors to see.
    ESCALATED = "escalated"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SlaBreachRecord:
    """One breach per (priority, deadline): a new deadline (override, re-triage) may breach once more."""

    priority: Priority
    deadline: datetime
    detected_at: datetime


class CaseOutcome(StrEnum):
    PLACED = "placed"
    GRANT_PAID = "grant_paid"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    UNREACHABLE = "unreachable"
    DUPLICATE = "duplicate"
