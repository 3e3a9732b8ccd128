"""What case workers may read: a case's notifications and their status, no contact data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lgnet_notifications.application.ports import NotificationRepository, RecipientRepository
from lgnet_notifications.application.records import NotificationRecord


@dataclass(frozen=True, slots=True)
class CaseNotifications:
    case_id: str
    municipality: str
    notifications: Sequence[NotificationRecord]
    contact_erased_at: datetime | None = None


class ListCaseNotifications:
    def __init__(self, recipients: RecipientRepository, notifications: NotificationRepository) -> None:
        self._recipients = recipients
        self._notifications = notifications

    async def __call__(self, case_id: str) -> CaseNotifications | None:
        """None when this service never heard of the case."""
        recipient = await self._recipients.get(case_id)
        if recipient is None:
            return None
        records = await self._notifications.for_case(case_id)
        return CaseNotifications(case_id, recipient.municipality, records, recipient.erased_at)

    async def municipality_of(self, case_id: str) -> str | None:
        recipient = await self._recipients.get(case_id)
        return recipient.municipality if recipient is not None else None
