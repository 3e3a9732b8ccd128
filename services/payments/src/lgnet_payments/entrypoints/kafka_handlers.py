"""Kafka handlers: a triaged case with economic hardship opens a grant request; an erased case
erases its beneficiaries here too. Thin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseErased, CaseTriaged
from lgnet_contracts.types import Need
from lgnet_payments.application.erasure import EraseCaseData, GrantErasureOutcome
from lgnet_payments.application.intake import GrantIntake
from lgnet_runtime.audit import Actor, AuditLog, AuditOutcome
from lgnet_runtime.consumer import Handler
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


def case_handlers(intake: GrantIntake, erase: EraseCaseData, audit: AuditLog) -> Mapping[str, Handler]:
    async def on_case_triaged(envelope: Envelope[Any]) -> None:
        payload = envelope.payload
        if not isinstance(payload, CaseTriaged) or Need.ECONOMIC_HARDSHIP not in payload.needs:
            return
        outcome = await intake.open_from_triage(
            event_id=str(envelope.event_id),
            case_id=envelope.case_id,
            municipality=envelope.municipality,
            household_size=payload.household_size,
            cause=envelope,
        )
        log.info("grant.request_opened", case_id=envelope.case_id, outcome=outcome.value)

    async def on_case_erased(envelope: Envelope[Any]) -> None:
        if envelope.case_id is None:
            return
        for done in await erase(envelope.case_id):
            if not done.outcome.is_news:
                continue
            kept = done.outcome is GrantErasureOutcome.KEPT_UNTIL_SETTLED
            # Said out loud: an erasure that has to wait for the bank is not silently partial.
            log.info(
                "grant.erasure_deferred_until_settled" if kept else "grant.personal_data_erased",
                case_id=envelope.case_id,
                grant_id=done.grant_id,
                cancelled=done.cancelled,
            )
            await audit.record(
                Actor.system("erasure"),
                "grant.personal_data_erased",
                resource_type="grant",
                resource_id=done.grant_id,
                municipality=done.municipality,
                case_id=envelope.case_id,
                outcome=AuditOutcome.DEFERRED if kept else AuditOutcome.SUCCESS,
                details={"cancelled": done.cancelled, "kept_until_settled": kept},
            )

    return {CaseTriaged.event_type: on_case_triaged, CaseErased.event_type: on_case_erased}
