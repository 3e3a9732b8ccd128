"""Notifications in MongoDB: one document each, written with its events through the outbox.

`_id` is the NotificationKey string, so the trigger event's redelivery collides with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from lgnet_notifications.adapters.contract_events import to_envelopes
from lgnet_notifications.application.records import NotificationRecord
from lgnet_notifications.application.variables import coerce
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.message import (
    FailureReason,
    Notification,
    NotificationEvent,
    NotificationKey,
    NotificationStatus,
)
from lgnet_notifications.domain.rules import Priority
from lgnet_runtime.outbox import AggregateCollection, WriteResult

Document = dict[str, Any]
_PRIORITY_RANK = {Priority.URGENT: 0, Priority.TRANSACTIONAL: 1}
_NO_OUTBOX = {"_outbox": 0}

INDEXES = (
    IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
    IndexModel([("case_id", ASCENDING)]),
    IndexModel([("notification_id", ASCENDING)]),
    IndexModel([("provider_message_id", ASCENDING)]),
    IndexModel([("failover_pending", ASCENDING)]),
)


def _stored_value(value: object) -> object:
    # BSON has datetimes but no plain dates.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def to_document(record: NotificationRecord) -> Document:
    n = record.notification
    return {
        "_id": record.id,
        "notification_id": record.notification_id,
        "case_id": record.case_id,
        "municipality": record.municipality,
        "correlation_id": record.correlation_id,
        "event_id": n.key.event_id,
        "recipient_id": n.key.recipient_id,
        "channel": str(n.key.channel),
        "event_type": n.event_type,
        "template_id": n.template_id,
        "locale": str(n.locale),
        "priority": str(record.priority),
        "priority_rank": _PRIORITY_RANK[record.priority],
        **_state(record),
        "variables": {name: _stored_value(value) for name, value in record.variables.items()},
    }


def _state(record: NotificationRecord) -> Document:
    """The fields a transition may change."""
    n = record.notification
    return {
        "status": str(n.status),
        "requested_at": n.requested_at,
        "updated_at": n.updated_at,
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at,
        "provider_message_id": n.provider_message_id,
        "failure": str(n.failure) if n.failure else None,
        "failure_detail": n.failure_detail,
        "fallback_channels": [str(c) for c in n.fallback_channels],
        "provider": record.provider,
        "segments": record.segments,
        "claim_until": record.claim_until,
        "failover_pending": record.failover_pending,
        "dead": record.dead,
    }


def from_document(doc: Mapping[str, Any]) -> NotificationRecord:
    notification = Notification(
        key=NotificationKey(doc["event_id"], doc["recipient_id"], Channel(doc["channel"])),
        event_type=doc["event_type"],
        template_id=doc["template_id"],
        locale=Locale(doc["locale"]),
        status=NotificationStatus(doc["status"]),
        requested_at=doc["requested_at"],
        updated_at=doc["updated_at"],
        attempts=doc["attempts"],
        next_attempt_at=doc.get("next_attempt_at"),
        provider_message_id=doc.get("provider_message_id"),
        failure=FailureReason(doc["failure"]) if doc.get("failure") else None,
        failure_detail=doc.get("failure_detail"),
        fallback_channels=tuple(Channel(c) for c in doc.get("fallback_channels", [])),
    )
    return NotificationRecord(
        notification=notification,
        case_id=doc["case_id"],
        municipality=doc["municipality"],
        correlation_id=doc["correlation_id"],
        priority=Priority(doc["priority"]),
        variables={name: coerce(name, value) for name, value in doc.get("variables", {}).items()},
        version=doc["_v"],
        provider=doc.get("provider"),
        segments=doc.get("segments", 0),
        claim_until=doc.get("claim_until"),
        failover_pending=doc.get("failover_pending", False),
        dead=doc.get("dead", False),
    )


class MongoNotificationRepository:
    def __init__(self, aggregates: AggregateCollection) -> None:
        self._aggregates = aggregates
        self._collection = aggregates.collection

    async def ensure_indexes(self) -> None:
        await self._aggregates.ensure_indexes(INDEXES)

    async def add(
        self, record: NotificationRecord, events: Sequence[NotificationEvent], *, handled: str
    ) -> bool:
        result = await self._aggregates.insert(
            to_document(record), events=to_envelopes(record, events), handled=handled
        )
        return result is WriteResult.APPLIED

    async def save(
        self, record: NotificationRecord, events: Sequence[NotificationEvent]
    ) -> NotificationRecord | None:
        result = await self._aggregates.update(
            record.id,
            expected_version=record.version,
            set_fields=_state(record),
            events=to_envelopes(record, events),
        )
        return replace(record, version=record.version + 1) if result is WriteResult.APPLIED else None

    async def get(self, notification_key: str) -> NotificationRecord | None:
        doc = await self._aggregates.load(notification_key)
        return from_document(doc) if doc is not None else None

    async def by_reference(
        self, *, provider_message_id: str | None, notification_id: str | None
    ) -> NotificationRecord | None:
        for field, value in (
            ("provider_message_id", provider_message_id),
            ("notification_id", notification_id),
        ):
            if value:
                doc = await self._collection.find_one({field: value}, _NO_OUTBOX)
                if doc is not None:
                    return from_document(doc)
        return None

    async def due(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        cursor = (
            self._collection.find(
                {"status": str(NotificationStatus.REQUESTED), "next_attempt_at": {"$lte": now}}, _NO_OUTBOX
            )
            .sort([("priority_rank", ASCENDING), ("next_attempt_at", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc) for doc in await cursor.to_list()]

    async def stale_attempts(self, now: datetime, limit: int) -> Sequence[NotificationRecord]:
        cursor = self._collection.find(
            {"status": str(NotificationStatus.SENDING), "claim_until": {"$lt": now}}, _NO_OUTBOX
        ).limit(limit)
        return [from_document(doc) for doc in await cursor.to_list()]

    async def pending_failovers(self, limit: int) -> Sequence[NotificationRecord]:
        cursor = self._collection.find({"failover_pending": True}, _NO_OUTBOX).limit(limit)
        return [from_document(doc) for doc in await cursor.to_list()]

    async def clear_failover(self, notification_key: str) -> None:
        await self._aggregates.update(
            notification_key, expected_version=None, set_fields={"failover_pending": False}
        )

    async def for_case(self, case_id: str) -> Sequence[NotificationRecord]:
        cursor = self._collection.find({"case_id": case_id}, _NO_OUTBOX).sort("requested_at", ASCENDING)
        return [from_document(doc) for doc in await cursor.to_list()]
