"""SLA watchdog decisions: has this case passed its deadline with a need still unmet?

The decision reads only the case, so a watchdog that restarts re-derives the same
answer: a breach recorded (in the same write as its outbox event) is never repeated,
and one not yet recorded is found again on the next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lgnet_referral.domain.case import Case
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.utc import require_utc
from lgnet_referral.domain.vulnerability import Need

DEFAULT_DUE_SOON_WITHIN = timedelta(hours=1)


class SlaState(StrEnum):
    """For listing and filtering cases."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    # Every stated need is met (a case stating no need has nothing to be late on).
    MET = "met"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SlaBreachDue:
    """What to pass to ``Case.record_sla_breach``; the case's priority and deadline at decision time."""

    case_id: str
    priority: Priority
    deadline: datetime
    open_needs: tuple[Need, ...]


def breach_due(case: Case, now: datetime) -> SlaBreachDue | None:
    """A breach to publish, or None: open case, deadline passed, a need unmet, not yet published.

    "Not yet published" is per (priority, deadline): after an override or re-triage sets a
    new deadline, that deadline can breach once too.
    """
    now = require_utc(now, "now")
    if case.is_closed or not case.open_needs:
        return None
    priority, deadline = case.priority, case.sla_deadline
    if now <= deadline or case.has_breach_for(priority, deadline):
        return None
    return SlaBreachDue(
        case_id=case.case_id, priority=priority, deadline=deadline, open_needs=case.open_needs
    )


def next_check_at(case: Case) -> datetime | None:
    """When the watchdog must look at this case again (its deadline), or None if it never needs to."""
    if case.is_closed or not case.open_needs or case.has_breach_for(case.priority, case.sla_deadline):
        return None
    deadline: datetime = case.sla_deadline
    return deadline


def sla_state(case: Case, now: datetime, *, due_soon_within: timedelta = DEFAULT_DUE_SOON_WITHIN) -> SlaState:
    now = require_utc(now, "now")
    if case.is_closed:
        return SlaState.CLOSED
    if not case.open_needs:
        return SlaState.MET
    if now > case.sla_deadline:
        return SlaState.BREACHED
    if case.sla_deadline - now <= due_soon_within:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK
