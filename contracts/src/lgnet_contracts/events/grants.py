"""Events of the payments service: grants decided and paid, budgets allocated and spent."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.topics import BUDGETS, GRANTS
from lgnet_contracts.types import ActorId, Cents, EntityId, ShortText, UtcDatetime


class GrantPurpose(StrEnum):
    RENT_ARREARS = "rent_arrears"
    DEPOSIT = "deposit"
    EMERGENCY_HOUSING = "emergency_housing"
    UTILITIES = "utilities"


class GrantSource(StrEnum):
    TRIAGE = "triage"
    CASE_MANAGER = "case_manager"


class DecisionReason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(min_length=1, max_length=64)]
    text: Annotated[str, Field(min_length=1, max_length=300)]


class _Grant(EventPayload):
    topic = GRANTS.name

    grant_id: EntityId


class GrantRequested(_Grant):
    event_type = "grant.requested"

    source: GrantSource
    purpose: GrantPurpose | None = None
    requested_cents: Cents | None = None
    household_size: Annotated[int, Field(ge=1, le=40)]


class GrantPendingReview(_Grant):
    event_type = "grant.pending_review"

    amount_cents: Cents
    prepared_by: ActorId
    reasons: list[DecisionReason]


class GrantApproved(_Grant):
    event_type = "grant.approved"

    amount_cents: Cents
    approved_by: ActorId
    automatic: bool
    reasons: list[DecisionReason]


class GrantRejected(_Grant):
    event_type = "grant.rejected"

    decided_by: ActorId
    reasons: list[DecisionReason] = Field(min_length=1)


class GrantDisbursed(_Grant):
    event_type = "grant.disbursed"

    amount_cents: Cents
    batch_id: EntityId
    value_date: date


class GrantReturned(_Grant):
    event_type = "grant.returned"

    amount_cents: Cents
    batch_id: EntityId
    reason_code: Annotated[str, Field(min_length=1, max_length=16)]
    reason: ShortText


class BudgetAllocated(EventPayload):
    event_type = "budget.allocated"
    topic = BUDGETS.name

    allocation_cents: Cents
    previous_cents: Cents
    changed_by: ActorId
    reason: ShortText
    at: UtcDatetime


class BudgetExhausted(EventPayload):
    event_type = "budget.exhausted"
    topic = BUDGETS.name

    allocation_cents: Cents
    available_cents: Cents
    at: UtcDatetime
