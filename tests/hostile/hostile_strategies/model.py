"""What a hostile message is: the bytes to publish and what the consumer must do with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Expect(StrEnum):
    POISON = "poison"
    IGNORED = "ignored"
    LEGAL = "legal"


@dataclass(frozen=True)
class Hostile:
    kind: str
    value: bytes
    expect: Expect = Expect.POISON
    error_type: str | None = None  # the dead letter's error_type, when it is certain

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep 900 KB out of the log
        shown = self.value[:120]
        return f"Hostile({self.kind!r}, {len(self.value)} bytes, {self.expect}, {shown!r})"


def poisoned(kind: str, error_type: str | None = "InvalidEvent") -> Callable[[bytes], Hostile]:
    return lambda raw: Hostile(kind, raw, Expect.POISON, error_type)
