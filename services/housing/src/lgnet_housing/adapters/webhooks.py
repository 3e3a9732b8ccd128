"""Partner webhooks: a persistent delivery queue in MongoDB, signed per Standard Webhooks.

Messages are written inside the placement document with the state change that caused them
(`webhook_outbox`); the dispatcher moves them into `webhook_deliveries` (idempotent by message
id), then sends each with `webhook-id`, `webhook-timestamp` and `webhook-signature`, retrying
with exponential backoff and full jitter, and dead-letters it after the last attempt.
"""

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError
from standardwebhooks import Webhook

from lgnet_housing.application.ports import Clock, ShelterRepository
from lgnet_housing.domain.shelter import DeliveryMode
from lgnet_runtime.logging import get_logger

Document = dict[str, Any]
log = get_logger(__name__)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the last attempt: a person must look at it
    SKIPPED = "skipped"  # the shelter takes no webhooks (api-only) or is gone


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 900.0
    timeout_seconds: float = 5.0
    lease_seconds: float = 60.0

    def delay(self, attempt: int) -> float:
        """Full jitter: many failing partners never retry in step."""
        return random.uniform(
            0, min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        )


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
    }


class WebhookQueue:
    """Takes messages over from placement documents and keeps their delivery state."""

    def __init__(self, placements: AsyncCollection[Document], deliveries: AsyncCollection[Document]) -> None:
        self.placements = placements
        self.deliveries = deliveries

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_indexes(
            [
                IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
                IndexModel([("shelter_id", ASCENDING), ("status", ASCENDING)]),
            ]
        )

    async def take_over(self, limit: int = 200) -> int:
        moved = 0
        docs = (
            await self.placements.find({"webhook_outbox_pending": True}, {"webhook_outbox": 1})
            .limit(limit)
            .to_list()
        )
        for doc in docs:
            entries = doc.get("webhook_outbox", [])
            for entry in entries:
                delivery = {
                    "_id": entry["id"],
                    "shelter_id": entry["shelter_id"],
                    "event_type": entry["event_type"],
                    "body": entry["body"],
                    "created_at": entry["created_at"],
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": entry["created_at"],
                    "lease_until": None,
                    "last_error": None,
                }
                with contextlib.suppress(DuplicateKeyError):  # taken over before a crash: already queued
                    await self.deliveries.insert_one(delivery)
                    moved += 1
            ids = [entry["id"] for entry in entries]
            await self.placements.update_one(
                {"_id": doc["_id"]}, {"$pull": {"webhook_outbox": {"id": {"$in": ids}}}}
            )
            # Only when nothing new arrived meanwhile does the document stop being a candidate.
            await self.placements.update_one(
                {"_id": doc["_id"], "webhook_outbox": {"$size": 0}},
                {"$set": {"webhook_outbox_pending": False}},
            )
        return moved

    async def claim_due(self, now: datetime, lease: timedelta, limit: int = 50) -> list[Document]:
        due = {
            "status": DeliveryStatus.PENDING.value,
            "next_attempt_at": {"$lte": now},
            "lease_until": {"$not": {"$gt": now}},
        }
        claimed: list[Document] = []
        for doc in await self.deliveries.find(due).sort("next_attempt_at", ASCENDING).limit(limit).to_list():
            result = await self.deliveries.update_one(
                {"_id": doc["_id"], **due}, {"$set": {"lease_until": now + lease}}
            )
            if result.matched_count:
                claimed.append(doc)
        return claimed

    async def finish(
        self, message_id: str, status: DeliveryStatus, now: datetime, error: str | None = None
    ) -> None:
        await self.deliveries.update_one(
            {"_id": message_id},
            {
                "$set": {
                    "status": status.value,
                    "finished_at": now,
                    "lease_until": None,
                    "last_error": error,
                },
                "$inc": {"attempts": 1 if status is not DeliveryStatus.SKIPPED else 0},
            },
        )

    async def retry_later(self, message_id: str, at: datetime, error: str) -> None:
        await self.deliveries.update_one(
            {"_id": message_id},
            {
                "$set": {"next_attempt_at": at, "lease_until": None, "last_error": error},
                "$inc": {"attempts": 1},
            },
        )

    async def of_shelter(self, shelter_id: str, status: DeliveryStatus | None = None) -> list[Document]:
        query: Document = {"shelter_id": shelter_id}
        if status is not None:
            query["status"] = status.value
        return await self.deliveries.find(query, {"body": 0}).sort("created_at", ASCENDING).to_list()


class WebhookDispatcher:
    """The background task that sends what is due."""

    def __init__(
        self,
        queue: WebhookQueue,
        shelters: ShelterRepository,
        policy: WebhookPolicy,
        clock: Clock,
        *,
        poll_seconds: float = 1.0,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self._queue = queue
        self._shelters = shelters
        self._policy = policy
        self._clock = clock
        self._poll = poll_seconds
        self._client_factory = client_factory or (lambda: httpx.AsyncClient(timeout=policy.timeout_seconds))
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="housing-webhooks")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        async with self._client_factory() as client:
            while not self._stopping.is_set():
                try:
                    await self.run_once(client)
                except Exception as exc:  # the database away: try again next poll, never die
                    log.warning("webhooks.pass_failed", error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._stopping.wait()

    async def run_once(self, client: httpx.AsyncClient) -> int:
        await self._queue.take_over()
        due = await self._queue.claim_due(self._clock(), timedelta(seconds=self._policy.lease_seconds))
        await asyncio.gather(*(self._deliver(client, d) for d in due))
        return len(due)

    async def _deliver(self, client: httpx.AsyncClient, delivery: Document) -> None:
        message_id: str = delivery["_id"]
        record = await self._shelters.get(delivery["shelter_id"])
        now = self._clock()
        delivery_mode = record.shelter.delivery if record is not None else None
        if (
            delivery_mode is None
            or delivery_mode.mode is not DeliveryMode.WEBHOOK
            or not record
            or not record.webhook_secret
        ):
            await self._queue.finish(message_id, DeliveryStatus.SKIPPED, now)
            return
        url = delivery_mode.webhook_url
        assert url is not None
        headers = signed_headers(record.webhook_secret, message_id, delivery["body"], now)
        error: str | None = None
        try:
            response = await client.post(url, content=delivery["body"].encode(), headers=headers)
            if 200 <= response.status_code < 300:
                await self._queue.finish(message_id, DeliveryStatus.DELIVERED, self._clock())
                log.info("webhook.delivered", message_id=message_id, event_type=delivery["event_type"])
                return
            error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        attempt = delivery.get("attempts", 0) + 1
        if attempt >= self._policy.max_attempts:
            await self._queue.finish(message_id, DeliveryStatus.DEAD, self._clock(), error)
            log.warning("webhook.dead_lettered", message_id=message_id, attempts=attempt, error=error)
            return
        delay = self._policy.delay(attempt)
        await self._queue.retry_later(message_id, self._clock() + timedelta(seconds=delay), error)
        log.info(
            "webhook.retry", message_id=message_id, attempt=attempt, retry_in_s=round(delay, 2), error=error
        )
