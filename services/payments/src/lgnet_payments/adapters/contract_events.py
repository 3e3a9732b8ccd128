"""Domain events -> contract events (``lgnet_contracts.events.grants``) in their envelopes.

Nothing personal leaves: no name, IBAN or fiscal code; reasons name rules, not people.
Internal progress (batched, cancelled) is not published.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.events import grants as contract
from lgnet_payments.application.ports import Cause, GrantChange
from lgnet_payments.application.records import GrantFile, GrantRequestOpened, RequestSource
from lgnet_payments.domain import budget as budget_events
from lgnet_payments.domain import grant as domain
from lgnet_payments.domain.reasons import Reason

PRODUCER = "payments"
_TEXT_MAX = 300
_CODE_MAX = 16


def _reasons(reasons: Sequence[Reason]) -> list[contract.DecisionReason]:
    return [contract.DecisionReason(code=r.code.value, text=r.text[:_TEXT_MAX]) for r in reasons]


def grant_payload(file: GrantFile, event: GrantChange) -> EventPayload | None:
    gid = file.grant_id
    if isinstance(event, GrantRequestOpened):
        return contract.GrantRequested(
            grant_id=gid, source=contract.GrantSource.TRIAGE, household_size=event.household_size
        )
    if isinstance(event, domain.GrantRequested):
        size = file.details.household_size if file.details else file.intake.household_size
        source = (
            contract.GrantSource.TRIAGE
            if file.intake.source is RequestSource.TRIAGE
            else contract.GrantSource.CASE_MANAGER
        )
        return contract.GrantRequested(
            grant_id=gid,
            source=source,
            purpose=contract.GrantPurpose(event.purpose.value),
            requested_cents=event.requested_cents,
            household_size=size,
        )
    if isinstance(event, domain.GrantPendingReview):
        prepared_by = file.grant.prepared_by if file.grant else file.intake.opened_by
        return contract.GrantPendingReview(
            grant_id=gid,
            amount_cents=event.amount_cents,
            prepared_by=prepared_by,
            reasons=_reasons(event.reasons),
        )
    if isinstance(event, domain.GrantApproved):
        return contract.GrantApproved(
            grant_id=gid,
            amount_cents=event.amount_cents,
            approved_by=event.approved_by,
            automatic=event.automatic,
            reasons=_reasons(event.reasons),
        )
    if isinstance(event, domain.GrantRejected):
        return contract.GrantRejected(
            grant_id=gid, decided_by=event.rejected_by, reasons=_reasons(event.reasons)
        )
    if isinstance(event, domain.GrantDisbursed):
        value_date = file.value_date or event.occurred_at.date()
        return contract.GrantDisbursed(
            grant_id=gid, amount_cents=event.amount_cents, batch_id=event.batch_id, value_date=value_date
        )
    if isinstance(event, domain.GrantReturned):
        code = (event.bank_reason_code or "unspecified")[:_CODE_MAX]
        return contract.GrantReturned(
            grant_id=gid,
            amount_cents=event.amount_cents,
            batch_id=event.batch_id,
            reason_code=code,
            reason=f"The bank returned the transfer (reason {code}).",
        )
    return None


def grant_envelopes(
    file: GrantFile, events: Sequence[GrantChange], cause: Cause | None = None
) -> list[Envelope[Any]]:
    """The events of one decision share a correlation id (the cause's, when there is one)."""
    correlation = cause.correlation_id if cause is not None else uuid.uuid4()
    out: list[Envelope[Any]] = []
    for event in events:
        payload = grant_payload(file, event)
        if payload is None:
            continue
        previous = out[-1] if out else cause
        out.append(
            new_event(
                payload,
                producer=PRODUCER,
                municipality=file.municipality,
                case_id=file.intake.case_id,
                correlation_id=correlation,
                causation=previous,
                occurred_at=event.occurred_at,
            )
        )
    return out


def budget_envelopes(
    allocation_cents: int, events: Sequence[budget_events.BudgetEvent]
) -> list[Envelope[Any]]:
    out: list[Envelope[Any]] = []
    for event in events:
        payload: EventPayload
        if isinstance(event, budget_events.BudgetAllocated):
            payload = contract.BudgetAllocated(
                allocation_cents=event.allocation_cents,
                previous_cents=event.previous_allocation_cents,
                changed_by=event.actor,
                reason=event.reason[:500],
                at=event.occurred_at,
            )
        else:
            payload = contract.BudgetExhausted(
                allocation_cents=allocation_cents, available_cents=event.available_cents, at=event.occurred_at
            )
        out.append(
            new_event(
                payload,
                producer=PRODUCER,
                municipality=event.municipality,
                case_id=None,
                occurred_at=event.occurred_at,
            )
        )
    return out
