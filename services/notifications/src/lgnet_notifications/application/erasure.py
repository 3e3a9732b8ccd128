"""A case was erased (GDPR art. 17): forget how to reach the person, and send nothing more.

The sealed contact and the phone-number hash go; the notifications already sent stay as
they are (template, channel, status, times: no contact data in them), so the case's story
and the delivery figures survive. Idempotent through the event id kept with the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lgnet_contracts import Envelope
from lgnet_notifications.application.ports import RecipientRepository
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RecipientErasure:
    case_id: str
    municipality: str
    # False: a redelivery found it erased already.
    erased_now: bool


class EraseRecipient:
    def __init__(self, recipients: RecipientRepository) -> None:
        self._recipients = recipients

    async def __call__(self, event: Envelope[Any]) -> RecipientErasure | None:
        if event.case_id is None:
            return None
        erased = await self._recipients.erase(
            event.case_id, event.municipality, at=event.payload.erased_at, handled=str(event.event_id)
        )
        log.info("recipient.contact_erased" if erased else "recipient.already_erased", case_id=event.case_id)
        return RecipientErasure(event.case_id, event.municipality, erased)
