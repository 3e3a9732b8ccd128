"""Kafka handlers: a triaged case with economic hardship opens a grant request. Thin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Need
from lgnet_payments.application.intake import GrantIntake
from lgnet_runtime.consumer import Handler
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


def case_handlers(intake: GrantIntake) -> Mapping[str, Handler]:
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

    return {CaseTriaged.event_type: on_case_triaged}
