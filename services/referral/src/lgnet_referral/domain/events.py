"""The domain events a case raises; plain data, mapped to contract payloads by the adapters.

Events carry art. 9 data (factors) only where consumers need it; the adapters decide
what leaves the service (see ``vulnerability.SPECIAL_CATEGORY_FACTORS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from lgnet_referral.domain.case_status import CaseOutcome
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.override import PriorityOverride
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage import TriageResult
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor

__all__ = [
    "CaseClosed",
    "CaseEvent",
    "CaseNeedMet",
    "CaseNeedReopened",
    "CaseOutcome",
    "CaseReported",
    "CaseTakenInCharge",
    "CaseTriaged",
    "CaseUpdated",
    "DuplicateReportLinked",
    "PriorityOverridden",
    "SlaBreached",
    "TriageTrigger",
]


class TriageTrigger(StrEnum):
    REPORTED = "reported"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class CaseReported:
    event_type: ClassVar[str] = "case.reported"
    case_id: str
    municipality: str
    occurred_at: datetime
    operator_id: str
    household: Household
    factors: tuple[VulnerabilityFactor, ...]
    needs: tuple[Need, ...]


@dataclass(frozen=True, slots=True)
class CaseTriaged:
    event_type: ClassVar[str] = "case.triaged"
    case_id: str
    municipality: str
    occurred_at: datetime
    result: TriageResult
    trigger: TriageTrigger
    # What the case now runs on: an override still in force wins over the result.
    effective_priority: Priority
    effective_deadline: datetime
    # True when new facts made triage more urgent than an operator's override, which lapsed.
    override_cleared: bool


@dataclass(frozen=True, slots=True)
class CaseUpdated:
    event_type: ClassVar[str] = "case.updated"
    case_id: str
    municipality: str
    occurred_at: datetime
    operator_id: str
    # Which facts changed: any of "household", "factors", "needs".
    changed: tuple[str, ...]
    household: Household
    factors: tuple[VulnerabilityFactor, ...]
    needs: tuple[Need, ...]


@dataclass(frozen=True, slots=True)
class PriorityOverridden:
    event_type: ClassVar[str] = "case.priority_overridden"
    case_id: str
    municipality: str
    occurred_at: datetime
    override: PriorityOverride


@dataclass(frozen=True, slots=True)
class CaseTakenInCharge:
    event_type: ClassVar[str] = "case.taken_in_charge"
    case_id: str
    municipality: str
    occurred_at: datetime
    # An operator id, or the service whose event showed someone took charge.
    by: str


@dataclass(frozen=True, slots=True)
class CaseNeedMet:
    event_type: ClassVar[str] = "case.need_met"
    case_id: str
    municipality: str
    occurred_at: datetime
    need: Need
    by: str


@dataclass(frozen=True, slots=True)
class CaseNeedReopened:
    event_type: ClassVar[str] = "case.need_reopened"
    case_id: str
    municipality: str
    occurred_at: datetime
    need: Need
    by: str


@dataclass(frozen=True, slots=True)
class DuplicateReportLinked:
    event_type: ClassVar[str] = "case.duplicate_report_linked"
    case_id: str
    municipality: str
    occurred_at: datetime
    operator_id: str
    explanation: str


@dataclass(frozen=True, slots=True)
class SlaBreached:
    event_type: ClassVar[str] = "case.sla_breached"
    case_id: str
    municipality: str
    occurred_at: datetime
    priority: Priority
    deadline: datetime
    open_needs: tuple[Need, ...]


@dataclass(frozen=True, slots=True)
class CaseClosed:
    event_type: ClassVar[str] = "case.closed"
    case_id: str
    municipality: str
    occurred_at: datetime
    operator_id: str
    outcome: CaseOutcome
    note: str
    duplicate_of: str | None


CaseEvent = (
    CaseReported
    | CaseTriaged
    | CaseUpdated
    | PriorityOverridden
    | CaseTakenInCharge
    | CaseNeedMet
    | CaseNeedReopened
    | DuplicateReportLinked
    | SlaBreached
    | CaseClosed
)
