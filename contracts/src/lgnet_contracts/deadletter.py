"""The record kept for a message that a consumer could not handle."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lgnet_contracts.types import UtcDatetime


class DeadLetter(BaseModel):
    """Original bytes and headers (base64) with what went wrong, so the message can be re-driven."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    source_topic: str
    partition: Annotated[int, Field(ge=0)]
    offset: Annotated[int, Field(ge=0)]
    key_b64: str | None
    value_b64: str
    # Larger originals keep their first bytes only; size and digest identify the whole.
    value_size: Annotated[int, Field(ge=0)] = 0
    value_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    value_truncated: bool = False
    headers: list[tuple[str, str]]
    consumer_group: str
    handler: str
    error_type: str
    error: Annotated[str, Field(max_length=2000)]
    attempts: Annotated[int, Field(ge=1)]
    first_failed_at: UtcDatetime
    dead_lettered_at: UtcDatetime
