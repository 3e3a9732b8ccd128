"""Case priorities, P1 (immediate) to P4, and their ordering."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        """1 is the most urgent; comparing ranks avoids comparing the enum's strings."""
        return int(self.value[1])

    def is_more_urgent_than(self, other: Priority) -> bool:
        return self.rank < other.rank

    def at_least(self, floor: Priority) -> Priority:
        """This priority, raised to ``floor`` if it is less urgent than the floor."""
        return floor if floor.is_more_urgent_than(self) else self


def most_urgent(first: Priority, *others: Priority) -> Priority:
    return min((first, *others), key=lambda priority: priority.rank)


# Ordered from most to least urgent, for configuration and display.
PRIORITIES: tuple[Priority, ...] = (Priority.P1, Priority.P2, Priority.P3, Priority.P4)
