"""The order in which waiting cases get beds: priority, then report time, then case id.

The case id tie-break makes the order total and stable, so every replica agrees on who is next.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidValue
from .placement import Placement, PlacementStatus
from .values import BedCounts, Priority


@dataclass(frozen=True, slots=True)
class WaitlistEntry:
    placement_id: str
    case_id: str
    priority: Priority
    reported_at: datetime
    municipality: str
    beds_needed: BedCounts

    @classmethod
    def of(cls, placement: Placement) -> "WaitlistEntry":
        if placement.status is not PlacementStatus.WAITLISTED:
            raise InvalidValue(f"placement {placement.id} is {placement.status}, not waitlisted")
        request = placement.request
        return cls(
            placement.id,
            request.case_id,
            request.priority,
            request.reported_at,
            request.municipality,
            placement.beds_needed,
        )

    @property
    def sort_key(self) -> tuple[int, datetime, str]:
        return (self.priority.rank, self.reported_at, self.case_id)


def ordered(entries: Iterable[WaitlistEntry]) -> list[WaitlistEntry]:
    return sorted(entries, key=lambda entry: entry.sort_key)


def position_of(entries: Iterable[WaitlistEntry], placement_id: str) -> int:
    """1-based place in line, as published on PlacementWaitlisted."""
    for position, entry in enumerate(ordered(entries), start=1):
        if entry.placement_id == placement_id:
            return position
    raise InvalidValue(f"placement {placement_id} is not on the waitlist")


def next_candidates(
    entries: Iterable[WaitlistEntry],
    freed: BedCounts,
    *,
    municipalities: Container[str] | None = None,
) -> list[WaitlistEntry]:
    """Entries, in waitlist order, that the freed beds could take together.

    Walks the line from the head and takes each entry whose beds still fit in what is left;
    an entry that does not fit is skipped rather than blocking the line (a family waiting for
    a family room must not keep a single bed empty). `municipalities` limits the walk to the
    cases that may use these beds (the shelter's municipality and those that list it as a
    neighbour). This is a pre-selection: each pick is then matched with the full hard rules.
    """
    remaining = freed
    picked: list[WaitlistEntry] = []
    for entry in ordered(entries):
        if municipalities is not None and entry.municipality not in municipalities:
            continue
        if remaining.covers(entry.beds_needed):
            picked.append(entry)
            remaining = remaining.minus(entry.beds_needed)
            if remaining.is_empty:
                break
    return picked
