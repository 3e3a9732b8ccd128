"""Shelters in MongoDB: the reservations live inside the shelter document, so a hold is ONE
conditional update that can never overbook, whatever runs concurrently."""

from collections.abc import Collection, Mapping
from datetime import datetime

from pymongo import ASCENDING, IndexModel

from lgnet_housing.application.errors import AlreadyExists, NotFound, StaleVersion
from lgnet_housing.application.ports import HoldResult, ShelterRecord
from lgnet_housing.domain.shelter import ChangeKind, HoldGuard, ReservationChange, ReservationStatus
from lgnet_housing.domain.values import BedCounts, BedType
from lgnet_runtime.outbox import AggregateCollection, WriteResult

from .codec import Document, beds_doc, shelter_doc, shelter_of, shelter_profile_doc

_HIDDEN = {"_outbox": 0, "_handled": 0}


def hold_condition(placement_id: str, guard: Mapping[BedType, HoldGuard]) -> Document:
    """The domain's hold guard as a filter: availability as read, reserved not above the limit,
    and no reservation of this placement yet (so a retry cannot hold twice)."""
    condition: Document = {"reservations.placement_id": {"$ne": placement_id}}
    for bed_type, g in guard.items():
        prefix = f"beds.{bed_type.value}"
        condition[f"{prefix}.capacity"] = g.capacity
        condition[f"{prefix}.out_of_service"] = g.out_of_service
        condition[f"{prefix}.extra_tonight"] = g.extra_tonight
        condition[f"{prefix}.reserved"] = {"$lte": g.max_reserved}
    return condition


class MongoShelterRepository:
    def __init__(self, aggregates: AggregateCollection) -> None:
        self._aggregates = aggregates
        self._collection = aggregates.collection

    async def ensure_indexes(self) -> None:
        await self._collection.create_indexes([IndexModel([("municipality", ASCENDING)])])

    async def add(self, record: ShelterRecord) -> None:
        result = await self._aggregates.insert(shelter_doc(record))
        if result is not WriteResult.APPLIED:
            raise AlreadyExists(record.shelter.id)

    async def get(self, shelter_id: str) -> ShelterRecord | None:
        doc = await self._collection.find_one({"_id": shelter_id}, _HIDDEN)
        return None if doc is None else shelter_of(doc)

    async def in_municipalities(self, municipalities: Collection[str]) -> list[ShelterRecord]:
        docs = await self._collection.find(
            {"municipality": {"$in": sorted(municipalities)}}, _HIDDEN
        ).to_list()
        return [shelter_of(doc) for doc in docs]

    async def replace(self, record: ShelterRecord) -> None:
        result = await self._aggregates.update(
            record.shelter.id, expected_version=record.revision, set_fields=shelter_profile_doc(record)
        )
        if result is WriteResult.NOT_FOUND:
            raise NotFound(record.shelter.id)
        if result is not WriteResult.APPLIED:
            raise StaleVersion(record.shelter.id)

    async def hold(
        self,
        shelter_id: str,
        placement_id: str,
        beds: BedCounts,
        held_until: datetime,
        guard: Mapping[BedType, HoldGuard],
        now: datetime,
    ) -> HoldResult:
        reservation = {
            "placement_id": placement_id,
            "beds": beds_doc(beds),
            "status": ReservationStatus.HELD.value,
            "held_until": held_until,
            "held_at": now,
        }
        result = await self._aggregates.update(
            shelter_id,
            expected_version=None,  # holds commute: the guard alone decides
            inc={f"beds.{t.value}.reserved": n for t, n in beds.nonzero().items()},
            push={"reservations": reservation},
            condition=hold_condition(placement_id, guard),
        )
        if result is WriteResult.APPLIED:
            return HoldResult.HELD
        doc = await self._collection.find_one({"_id": shelter_id}, {"reservations": 1})
        for held in (doc or {}).get("reservations", []):
            if held["placement_id"] == placement_id and held["beds"] == beds_doc(beds):
                return HoldResult.ALREADY_HELD
        return HoldResult.CONFLICT

    async def apply(self, shelter_id: str, change: ReservationChange) -> bool:
        pid = change.placement_id
        if change.kind is ChangeKind.RELEASED:
            result = await self._aggregates.update(
                shelter_id,
                expected_version=None,
                inc={f"beds.{t.value}.reserved": -n for t, n in change.beds.nonzero().items()},
                pull={"reservations": {"placement_id": pid}},
                condition={"reservations.placement_id": pid},
            )
        elif change.kind in (ChangeKind.CONFIRMED, ChangeKind.OCCUPIED):
            assert change.previous_status is not None
            assert change.status is not None
            result = await self._aggregates.update(
                shelter_id,
                expected_version=None,
                set_fields={"reservations.$.status": change.status.value, "reservations.$.held_until": None},
                # $elemMatch checks the status; the dotted twin gives the positional `$` its element
                # (our MongoDB-wire server binds `$` only from a dotted predicate).
                condition={
                    "reservations": {
                        "$elemMatch": {"placement_id": pid, "status": change.previous_status.value}
                    },
                    "reservations.placement_id": pid,
                },
            )
        else:
            return False
        return result is WriteResult.APPLIED
