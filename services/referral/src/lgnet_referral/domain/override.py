"""An operator's priority override: who, when, why, and the triage result it replaces.

The original result is kept whole so the decision can be audited and published.
An override may lower the priority, but never below a hard floor of triage: the
floors protect minors without shelter, pregnancy and survivors of violence from
any configuration *and* any single person's judgement. To lower such a case the
operator updates the facts (e.g. shelter found), which re-triages it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lgnet_referral.domain.errors import OverrideError
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage import TriageResult, floor_priority
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.utc import require_utc

# Long enough to force a sentence ("sleeping at the station with a fever"), not a shrug ("ok").
MIN_OVERRIDE_REASON_LENGTH = 10


@dataclass(frozen=True, slots=True)
class PriorityOverride:
    priority: Priority
    reason: str
    operator_id: str
    at: datetime
    original: TriageResult
    # The effective priority just before this override (may itself come from an earlier override).
    previous_priority: Priority
    # Counted from the original report time with the override's priority.
    sla_deadline: datetime
    policy_version: str


def override_priority(
    original: TriageResult,
    *,
    priority: Priority,
    reason: str,
    operator_id: str,
    at: datetime,
    policy: TriagePolicy,
    current_priority: Priority | None = None,
) -> PriorityOverride:
    """Validate and build an override; raises OverrideError listing every problem."""
    at = require_utc(at, "override time")
    current = current_priority or original.priority
    cleaned_reason = " ".join(reason.split())
    problems: list[str] = []
    if len(cleaned_reason) < MIN_OVERRIDE_REASON_LENGTH:
        problems.append(f"the reason must be at least {MIN_OVERRIDE_REASON_LENGTH} characters")
    if not operator_id.strip():
        problems.append("the operator id is required")
    if priority is current:
        problems.append(f"the case is already {current}")
    floor = floor_priority(original.floors)
    if floor is not None and floor.is_more_urgent_than(priority):
        names = ", ".join(str(f) for f in original.floors)
        problems.append(f"{priority} is below the hard floor {floor} ({names}); update the facts instead")
    if at < original.reported_at:
        problems.append("an override cannot predate the report")
    if problems:
        raise OverrideError("; ".join(problems))
    return PriorityOverride(
        priority=priority,
        reason=cleaned_reason,
        operator_id=operator_id.strip(),
        at=at,
        original=original,
        previous_priority=current,
        sla_deadline=policy.sla_deadline(priority, original.reported_at),
        policy_version=policy.version,
    )
