"""The Case aggregate: one urgent report, its triage, its needs, its story, its end.

Each method checks the transition, changes the case, appends its own timeline entry,
and returns the events it caused; the application saves the case and those events in
one atomic write. ``version`` is the stored version the case was loaded at: the domain
never changes it, the repository writes only if it still matches and then bumps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lgnet_referral.domain.case_status import CaseOutcome, CaseStatus, SlaBreachRecord
from lgnet_referral.domain.errors import CaseClosedError, InvalidCaseTransitionError
from lgnet_referral.domain.events import (
    CaseClosed,
    CaseEvent,
    CaseNeedMet,
    CaseNeedReopened,
    CaseReported,
    CaseTakenInCharge,
    CaseTriaged,
    CaseUpdated,
    DuplicateReportLinked,
    PriorityOverridden,
    SlaBreached,
    TriageTrigger,
)
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.override import PriorityOverride, override_priority
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.timeline import REFERRAL_SOURCE, Milestone, TimelineEntry, insert_in_order
from lgnet_referral.domain.triage import TriageResult, triage
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.utc import require_utc
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor, factors_in_order, needs_in_order

__all__ = ["Case", "CaseOutcome", "CaseStatus", "SlaBreachRecord"]


@dataclass(slots=True, eq=False)
class Case:
    case_id: str
    municipality: str
    reported_at: datetime
    reported_by: str
    household: Household
    # As declared by the operator; the triage result lists those the household implies too.
    factors: frozenset[VulnerabilityFactor]
    needs: frozenset[Need]
    triage: TriageResult
    status: CaseStatus = CaseStatus.OPEN
    override: PriorityOverride | None = None
    # Every override ever made, including lapsed ones, for audit.
    override_history: list[PriorityOverride] = field(default_factory=list)
    needs_met: dict[Need, datetime] = field(default_factory=dict)
    sla_breaches: list[SlaBreachRecord] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    outcome: CaseOutcome | None = None
    closed_at: datetime | None = None
    duplicate_of: str | None = None
    version: int = 0

    @property
    def is_closed(self) -> bool:
        return self.status is CaseStatus.CLOSED

    @property
    def priority(self) -> Priority:
        return self.override.priority if self.override else self.triage.priority

    @property
    def sla_deadline(self) -> datetime:
        deadline: datetime = self.override.sla_deadline if self.override else self.triage.sla_deadline
        return deadline

    @property
    def open_needs(self) -> tuple[Need, ...]:
        return tuple(need for need in Need if need in self.needs and need not in self.needs_met)

    def has_breach_for(self, priority: Priority, deadline: datetime) -> bool:
        return any(b.priority is priority and b.deadline == deadline for b in self.sla_breaches)

    # ----- transitions ---------------------------------------------------------------------

    @classmethod
    def report(
        cls,
        *,
        case_id: str,
        municipality: str,
        household: Household,
        factors: Iterable[VulnerabilityFactor],
        needs: Iterable[Need],
        policy: TriagePolicy,
        reported_at: datetime,
        operator_id: str,
    ) -> tuple[Case, tuple[CaseEvent, ...]]:
        reported_at = require_utc(reported_at, "reported_at")
        declared, need_set = frozenset(factors), frozenset(needs)
        result = triage(
            household=household, factors=declared, needs=need_set, policy=policy, reported_at=reported_at
        )
        case = cls(
            case_id=case_id,
            municipality=municipality,
            reported_at=reported_at,
            reported_by=operator_id,
            household=household,
            factors=declared,
            needs=need_set,
            triage=result,
        )
        reported = CaseReported(
            case_id=case_id,
            municipality=municipality,
            occurred_at=reported_at,
            operator_id=operator_id,
            household=household,
            factors=factors_in_order(declared),
            needs=needs_in_order(need_set),
        )
        needs_text = ", ".join(need.label.lower() for need in reported.needs) or "no immediate need"
        case._log(
            reported_at,
            reported.event_type,
            f"Reported by {operator_id}: household of {household.size}, {needs_text}",
        )
        return case, (reported, case._triaged(reported_at, TriageTrigger.REPORTED, override_cleared=False))

    def update_facts(
        self,
        *,
        policy: TriagePolicy,
        at: datetime,
        operator_id: str,
        household: Household | None = None,
        factors: Iterable[VulnerabilityFactor] | None = None,
        needs: Iterable[Need] | None = None,
    ) -> tuple[CaseEvent, ...]:
        """Replace the given facts and re-triage; the deadline still counts from the report.

        An override stays in force unless the new triage is more urgent than it: new facts
        may raise the urgency past an operator's judgement, never silently lower it.
        Nothing changed -> no events (a retried request is harmless).
        """
        self._require_open()
        at = require_utc(at, "update time")
        new_household = household if household is not None else self.household
        new_factors = frozenset(factors) if factors is not None else self.factors
        new_needs = frozenset(needs) if needs is not None else self.needs
        changed = tuple(
            name
            for name, old, new in (
                ("household", self.household, new_household),
                ("factors", self.factors, new_factors),
                ("needs", self.needs, new_needs),
            )
            if old != new
        )
        if not changed:
            return ()
        self.household, self.factors, self.needs = new_household, new_factors, new_needs
        self.triage = triage(
            household=new_household,
            factors=new_factors,
            needs=new_needs,
            policy=policy,
            reported_at=self.reported_at,
        )
        override_cleared = self.override is not None and self.triage.priority.is_more_urgent_than(
            self.override.priority
        )
        if override_cleared:
            self.override = None
        updated = CaseUpdated(
            case_id=self.case_id,
            municipality=self.municipality,
            occurred_at=at,
            operator_id=operator_id,
            changed=changed,
            household=new_household,
            factors=factors_in_order(new_factors),
            needs=needs_in_order(new_needs),
        )
        self._log(at, updated.event_type, f"Facts updated by {operator_id}: {', '.join(changed)}")
        return (updated, self._triaged(at, TriageTrigger.UPDATED, override_cleared=override_cleared))

    def override_priority(
        self, *, priority: Priority, reason: str, operator_id: str, at: datetime, policy: TriagePolicy
    ) -> tuple[CaseEvent, ...]:
        self._require_open()
        override = override_priority(
            self.triage,
            priority=priority,
            reason=reason,
            operator_id=operator_id,
            at=at,
            policy=policy,
            current_priority=self.priority,
        )
        self.override = override
        self.override_history.append(override)
        event = PriorityOverridden(
            case_id=self.case_id, municipality=self.municipality, occurred_at=override.at, override=override
        )
        self._log(
            override.at,
            event.event_type,
            f"Priority {override.previous_priority} -> {priority} by {operator_id}: {override.reason}",
        )
        return (event,)

    def take_charge(self, *, at: datetime, by: str) -> tuple[CaseEvent, ...]:
        self._require_open()
        if self.status is not CaseStatus.OPEN:
            raise InvalidCaseTransitionError(f"case {self.case_id} is already {self.status}")
        return self._take_charge(require_utc(at, "time"), by)

    def record_external_event(
        self, entry: TimelineEntry, *, milestone: Milestone | None = None, takes_charge: bool = True
    ) -> tuple[CaseEvent, ...]:
        """Append another service's event; a milestone may meet or reopen a need.

        Closed cases still take entries (a payment can land after closing: the story must
        show it) but no longer change state. Redelivered events (same event_id) are ignored.
        ``takes_charge`` is False for events that show no service acting on the case (a
        message delivered is not "presa in carico").
        """
        if entry.event_id is not None and any(e.event_id == entry.event_id for e in self.timeline):
            return ()
        insert_in_order(self.timeline, entry)
        if self.is_closed:
            return ()
        events: list[CaseEvent] = []
        if takes_charge and self.status is CaseStatus.OPEN:
            events.extend(self._take_charge(entry.at, entry.source))
        if milestone is not None:
            met, reopened = milestone.need_met, milestone.need_reopened
            if met is not None and met in self.needs and met not in self.needs_met:
                events.append(self._meet(met, entry.at, entry.source))
            if reopened is not None and reopened in self.needs_met:
                del self.needs_met[reopened]
                events.append(
                    CaseNeedReopened(
                        case_id=self.case_id,
                        municipality=self.municipality,
                        occurred_at=entry.at,
                        need=reopened,
                        by=entry.source,
                    )
                )
        return tuple(events)

    def mark_need_met(
        self, *, need: Need, at: datetime, operator_id: str, note: str = ""
    ) -> tuple[CaseEvent, ...]:
        """For needs no service reports on (medical, legal, food) or confirmed by phone."""
        self._require_open()
        if need not in self.needs:
            raise InvalidCaseTransitionError(f"case {self.case_id} does not have the need {need}")
        if need in self.needs_met:
            return ()
        return (self._meet(need, require_utc(at, "time"), operator_id, note),)

    def link_duplicate_report(
        self, *, at: datetime, operator_id: str, explanation: str
    ) -> tuple[CaseEvent, ...]:
        """A new report matched this case: record it here instead of opening a second case."""
        self._require_open()
        event = DuplicateReportLinked(
            case_id=self.case_id,
            municipality=self.municipality,
            occurred_at=require_utc(at, "time"),
            operator_id=operator_id,
            explanation=explanation,
        )
        self._log(event.occurred_at, event.event_type, f"Reported again by {operator_id}. {explanation}")
        return (event,)

    def record_sla_breach(
        self, *, priority: Priority, deadline: datetime, at: datetime
    ) -> tuple[CaseEvent, ...]:
        """Escalate once per (priority, deadline); a repeat for the same pair is a no-op."""
        self._require_open()
        deadline, at = require_utc(deadline, "deadline"), require_utc(at, "time")
        if self.has_breach_for(priority, deadline):
            return ()
        if at <= deadline:
            raise InvalidCaseTransitionError(f"the deadline {deadline.isoformat()} has not passed yet")
        self.sla_breaches.append(SlaBreachRecord(priority=priority, deadline=deadline, detected_at=at))
        self.status = CaseStatus.ESCALATED
        event = SlaBreached(
            case_id=self.case_id,
            municipality=self.municipality,
            occurred_at=at,
            priority=priority,
            deadline=deadline,
            open_needs=self.open_needs,
        )
        needs = ", ".join(need.label.lower() for need in event.open_needs) or "none"
        self._log(
            at, event.event_type, f"{priority} deadline {deadline:%Y-%m-%d %H:%M} UTC passed; open: {needs}"
        )
        return (event,)

    def close(
        self,
        *,
        outcome: CaseOutcome,
        at: datetime,
        operator_id: str,
        note: str = "",
        duplicate_of: str | None = None,
    ) -> tuple[CaseEvent, ...]:
        self._require_open()
        at = require_utc(at, "time")
        if outcome is CaseOutcome.DUPLICATE and not duplicate_of:
            raise InvalidCaseTransitionError("closing as duplicate needs the id of the case it duplicates")
        if duplicate_of is not None and outcome is not CaseOutcome.DUPLICATE:
            raise InvalidCaseTransitionError("duplicate_of is only for the outcome 'duplicate'")
        if duplicate_of == self.case_id:
            raise InvalidCaseTransitionError("a case cannot duplicate itself")
        if at < self.reported_at:
            raise InvalidCaseTransitionError("a case cannot close before it was reported")
        self.status, self.outcome, self.closed_at, self.duplicate_of = (
            CaseStatus.CLOSED,
            outcome,
            at,
            duplicate_of,
        )
        event = CaseClosed(
            case_id=self.case_id,
            municipality=self.municipality,
            occurred_at=at,
            operator_id=operator_id,
            outcome=outcome,
            note=note,
            duplicate_of=duplicate_of,
        )
        self._log(at, event.event_type, f"Closed by {operator_id}: {outcome}" + (f". {note}" if note else ""))
        return (event,)

    # ----- internals -----------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.is_closed:
            raise CaseClosedError(f"case {self.case_id} is closed ({self.outcome})")

    def _log(
        self, at: datetime, event_type: str, summary: str, refs: tuple[tuple[str, str], ...] = ()
    ) -> None:
        insert_in_order(
            self.timeline,
            TimelineEntry(at=at, source=REFERRAL_SOURCE, event_type=event_type, summary=summary, refs=refs),
        )

    def _triaged(self, at: datetime, trigger: TriageTrigger, *, override_cleared: bool) -> CaseTriaged:
        event = CaseTriaged(
            case_id=self.case_id,
            municipality=self.municipality,
            occurred_at=at,
            result=self.triage,
            trigger=trigger,
            effective_priority=self.priority,
            effective_deadline=self.sla_deadline,
            override_cleared=override_cleared,
        )
        floor = f"; {self.triage.floor_applied.explanation}" if self.triage.floor_applied else ""
        lapsed = "; operator override lapsed (new facts are more urgent)" if override_cleared else ""
        self._log(
            at,
            event.event_type,
            f"Triaged {self.triage.priority} (score {self.triage.score}, policy {self.triage.policy_version})"
            f"{floor}{lapsed}; due {self.sla_deadline:%Y-%m-%d %H:%M} UTC",
        )
        return event

    def _take_charge(self, at: datetime, by: str) -> tuple[CaseEvent, ...]:
        self.status = CaseStatus.IN_PROGRESS
        event = CaseTakenInCharge(case_id=self.case_id, municipality=self.municipality, occurred_at=at, by=by)
        self._log(at, event.event_type, f"Taken in charge by {by}")
        return (event,)

    def _meet(self, need: Need, at: datetime, by: str, note: str = "") -> CaseNeedMet:
        self.needs_met[need] = at
        self._log(
            at,
            CaseNeedMet.event_type,
            f"Need met: {need.label.lower()} ({by})" + (f". {note}" if note else ""),
        )
        return CaseNeedMet(
            case_id=self.case_id, municipality=self.municipality, occurred_at=at, need=need, by=by
        )
