"""Handlers for housing, payments and notifications events: translate, record, log the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lgnet_contracts import Envelope
from lgnet_referral.adapters.external_events import EVENT_TYPES, to_external_event
from lgnet_referral.application.timeline_feed import RecordExternalEvent, RecordOutcome
from lgnet_runtime.consumer import Handler
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


def timeline_handlers(record: RecordExternalEvent) -> Mapping[str, Handler]:
    async def on_event(envelope: Envelope[Any]) -> None:
        event = to_external_event(envelope)
        if event is None:
            return
        outcome = await record(event)
        if outcome is RecordOutcome.UNKNOWN_CASE:
            # Not ours (another deployment's case on a shared topic): nothing to attach it to.
            log.warning("timeline.unknown_case", event_id=event.event_id, case_id=event.case_id)

    return dict.fromkeys(EVENT_TYPES, on_event)
