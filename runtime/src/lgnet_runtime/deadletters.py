"""Dead letters: a message the consumer gave up on, kept whole so it can be re-driven."""

import base64
import hashlib
import traceback
from datetime import UTC, datetime
from typing import Any

from lgnet_contracts.deadletter import DeadLetter
from lgnet_runtime.metrics import DEAD_LETTERS

REPLAY_HEADER = "lgnet-replayed-from"
# A dead letter must itself fit in a Kafka message (1 MiB by default) once base64-encoded:
# larger originals keep their head, their size and their digest.
MAX_KEPT_BYTES = 512 * 1024


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode()


def build_dead_letter(
    record: Any, *, group: str, handler: str, error: BaseException, attempts: int, first_failed_at: datetime
) -> DeadLetter:
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    value: bytes = record.value or b""
    return DeadLetter(
        source_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key_b64=_b64(record.key),
        value_b64=_b64(value[:MAX_KEPT_BYTES]) or "",
        value_size=len(value),
        value_sha256=hashlib.sha256(value).hexdigest(),
        value_truncated=len(value) > MAX_KEPT_BYTES,
        headers=[(k, _b64(v) or "") for k, v in (record.headers or ())],
        consumer_group=group,
        handler=handler,
        error_type=type(error).__name__,
        error=detail[:2000],
        attempts=attempts,
        first_failed_at=first_failed_at,
        dead_lettered_at=datetime.now(UTC),
    )


class DeadLetterPublisher:
    def __init__(self, broker: Any, service: str) -> None:
        self._broker = broker
        self._service = service

    async def publish(self, letter: DeadLetter, key: bytes | None, reason: str) -> None:
        """Awaits the broker's acknowledgement: the source offset is committed only after it."""
        await self._broker.publish(
            letter.model_dump_json().encode(),
            dead_letter_topic(letter.source_topic),
            key=key,
            headers={"lgnet-error-type": letter.error_type, "lgnet-consumer-group": letter.consumer_group},
        )
        DEAD_LETTERS.labels(self._service, letter.source_topic, reason).inc()


def original_message(letter: DeadLetter) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers exactly as they were first consumed."""
    key = base64.b64decode(letter.key_b64) if letter.key_b64 is not None else None
    headers = [(k, base64.b64decode(v)) for k, v in letter.headers]
    return key, base64.b64decode(letter.value_b64), headers
