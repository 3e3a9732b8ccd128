"""Moments in the payments domain are timezone-aware: a naive time would be read in whichever zone
a server happens to run in, and a grant's window or a value date would move with it."""

from __future__ import annotations

from datetime import datetime


def is_aware(at: datetime) -> bool:
    return at.tzinfo is not None and at.utcoffset() is not None
