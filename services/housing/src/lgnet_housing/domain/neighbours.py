"""Which programme municipalities may take each other's cases, nearest first.

Read from services/housing/config/neighbours.toml (parsed by the application).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import InvalidValue
from .values import istat_code


@dataclass(frozen=True, slots=True)
class NeighbourMap:
    neighbours: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for home, others in self.neighbours.items():
            istat_code(home)
            for other in others:
                istat_code(other)
            if home in others:
                raise InvalidValue(f"{home} lists itself as a neighbour")
            if len(set(others)) != len(others):
                raise InvalidValue(f"{home} lists a neighbour twice")
        object.__setattr__(self, "neighbours", MappingProxyType(dict(self.neighbours)))

    def of(self, municipality: str) -> tuple[str, ...]:
        return self.neighbours.get(municipality, ())

    def area_rank(self, home: str, other: str) -> int | None:
        """0 for the same municipality, n for the n-th neighbour, None when out of area."""
        if other == home:
            return 0
        listed = self.of(home)
        return listed.index(other) + 1 if other in listed else None

    @classmethod
    def from_config(cls, data: Mapping[str, object]) -> "NeighbourMap":
        """From the parsed TOML: a [neighbours] table of ISTAT code -> list of ISTAT codes."""
        table = data.get("neighbours", {})
        if not isinstance(table, Mapping):
            raise InvalidValue("[neighbours] must be a table")
        parsed: dict[str, tuple[str, ...]] = {}
        for home, others in table.items():
            if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
                raise InvalidValue(f"neighbours of {home} must be a list of ISTAT codes")
            parsed[str(home)] = tuple(others)
        return cls(parsed)
