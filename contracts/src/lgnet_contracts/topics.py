"""Topics and their keys, defined once. Services never spell a topic name themselves."""

from dataclasses import dataclass
from enum import StrEnum


class KeyBy(StrEnum):
    CASE = "case_id"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    key_by: KeyBy
    partitions: int
    retention_days: int
    compacted: bool = False
    description: str = ""

    @property
    def dead_letter(self) -> str:
        return f"{self.name}.dlq"


CASES = TopicSpec(
    "lgnet.referral.cases",
    KeyBy.CASE,
    6,
    30,
    description="Case reported, triaged, updated, closed, SLA breached, personal data erased",
)
PLACEMENTS = TopicSpec(
    "lgnet.housing.placements", KeyBy.CASE, 6, 30, description="Placement lifecycle with partner shelters"
)
GRANTS = TopicSpec(
    "lgnet.payments.grants", KeyBy.CASE, 6, 30, description="Grant requests, decisions and payments"
)
BUDGETS = TopicSpec(
    "lgnet.payments.budgets",
    KeyBy.MUNICIPALITY,
    3,
    365,
    description="Budget allocation and exhaustion per municipality",
)
NOTIFICATIONS = TopicSpec(
    "lgnet.notifications.messages",
    KeyBy.CASE,
    6,
    30,
    description="Messages to beneficiaries and their delivery",
)

ALL_TOPICS: tuple[TopicSpec, ...] = (CASES, PLACEMENTS, GRANTS, BUDGETS, NOTIFICATIONS)


def topic(name: str) -> TopicSpec:
    for spec in ALL_TOPICS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown topic {name!r}")
