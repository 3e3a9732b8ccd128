"""Hundreds of cases at fewer beds, concurrently: nobody is overbooked, nobody is lost."""

import asyncio
import time
from collections import Counter

import pytest

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseTriaged
from lgnet_contracts.types import Gender
from lgnet_housing.domain.placement import PlacementStatus

from .conftest import RunHousing, triaged

pytestmark = [pytest.mark.engines, pytest.mark.slow]

CASES = 240
SHELTERS = {"casa-1": 7, "casa-2": 5, "casa-3": 4, "casa-4": 3}  # 19 single beds


async def test_concurrent_cases_never_overbook_and_are_all_offered_or_waitlisted(
    run_housing: RunHousing,
) -> None:
    async with run_housing() as h:
        for shelter_id, beds in SHELTERS.items():
            await h.register(shelter_id, {"single": beds})
        cases = [triaged(adults=(Gender.MALE if i % 2 else Gender.FEMALE,)) for i in range(CASES)]
        placer = h.service.placer

        async def one(case: Envelope[CaseTriaged]) -> PlacementStatus:
            placement_id = await placer.request(case)
            assert placement_id is not None
            return await placer.place(placement_id, cause=case)

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(c) for c in cases))
        elapsed = time.perf_counter() - started
        print(f"\n{CASES} concurrent cases at {sum(SHELTERS.values())} beds in {elapsed:.2f}s")

        counts = Counter(outcomes)
        assert set(counts) <= {PlacementStatus.OFFERED, PlacementStatus.WAITLISTED}
        assert counts[PlacementStatus.OFFERED] == sum(SHELTERS.values())
        assert counts[PlacementStatus.WAITLISTED] == CASES - sum(SHELTERS.values())

        held = 0
        for shelter_id, beds in SHELTERS.items():
            report = await h.reconciled(shelter_id)
            assert report["consistent"], report
            assert report["reserved_counters"]["single"] == beds  # full, never more
            held += report["reservations"]
        assert held == sum(SHELTERS.values())
        availability = (await h.client.get("/availability", headers=h.coordinator())).json()
        assert availability["total_available"]["single"] == 0

        # Every case is visible on Kafka as offered or waitlisted, exactly once.
        await h.events.wait_for(
            lambda events: (
                len([e for e in events if e.event_type in {"placement.offered", "placement.waitlisted"}])
                >= CASES
            ),
            timeout=60,
            what="every case offered or waitlisted",
        )
        decided = {
            e.case_id
            for e in h.events.events
            if e.event_type in {"placement.offered", "placement.waitlisted"}
        }
        assert decided == {c.case_id for c in cases}
        positions = sorted(e.payload.position for e in h.events.of_type("placement.waitlisted"))
        assert positions[0] == 1


async def test_cases_arriving_through_kafka_concurrently(run_housing: RunHousing) -> None:
    from lgnet_testing.harness import publish_events

    total = 200
    async with run_housing() as h:
        await h.register("casa-k1", {"single": 6})
        await h.register("casa-k2", {"single": 4})
        cases = [triaged() for _ in range(total)]
        started = time.perf_counter()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, cases)
        kinds = {"placement.offered", "placement.waitlisted"}
        await h.events.wait_for(
            lambda events: len({e.case_id for e in events if e.event_type in kinds}) >= total,
            timeout=120,
            what="every case offered or waitlisted",
        )
        print(f"\n{total} cases through Kafka at 10 beds decided in {time.perf_counter() - started:.2f}s")
        assert len(h.events.of_type("placement.offered")) == 10
        for shelter_id in ("casa-k1", "casa-k2"):
            report = await h.reconciled(shelter_id)
            assert report["consistent"]
            assert report["reservations"] == (6 if shelter_id == "casa-k1" else 4)
