"""The whole placement lifecycle on the real engines, driven by Kafka and the partner API."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from lgnet_testing.harness import publish_events

from .conftest import ROMA, RunHousing, closed, triaged

pytestmark = pytest.mark.engines


async def test_triaged_case_offered_accepted_confirmed_checked_in_and_out(run_housing: RunHousing) -> None:
    async with run_housing() as h:
        await h.register("casa-a", {"single": 2})
        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])

        requested = await h.events.wait_for_type("placement.requested", case.case_id)
        assert requested[0].correlation_id == case.correlation_id
        assert await h.offered_to(str(case.case_id)) == "casa-a"
        placement_id = requested[0].payload.placement_id

        offers = (await h.client.get("/partner/offers", headers=h.partner("casa-a"))).json()
        assert [o["placement_id"] for o in offers] == [placement_id]
        assert set(offers[0]) == {
            "placement_id", "status", "beds", "offer_expires_at", "first_name", "adults",
            "minors_ages", "expected_arrival", "language", "accessibility_need",
        }  # fmt: skip
        assert offers[0]["language"] == "ar"

        accepted = await h.client.post(
            f"/partner/placements/{placement_id}/accept", headers=h.partner("casa-a")
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "confirmed"
        confirmed = (await h.events.wait_for_type("placement.confirmed", case.case_id))[0].payload
        assert (confirmed.shelter_name, confirmed.shelter_phone) == ("Casa casa-a", "+39061234567")
        assert confirmed.shelter_address.startswith("Via Prenestina")
        await h.events.wait_for_type("placement.accepted", case.case_id)

        for step, event_type in (
            ("check-in", "placement.checked_in"),
            ("check-out", "placement.checked_out"),
        ):
            response = await h.client.post(
                f"/partner/placements/{placement_id}/{step}", headers=h.partner("casa-a")
            )
            assert response.status_code == 200, response.text
            await h.events.wait_for_type(event_type, case.case_id)

        report = await h.reconciled("casa-a")
        assert report["consistent"]
        assert report["reservations"] == 0
        availability = (
            await h.client.get(f"/availability?municipality={ROMA}", headers=h.coordinator())
        ).json()
        assert availability["total_available"]["single"] == 2


async def test_decline_rematches_to_another_shelter(run_housing: RunHousing) -> None:
    async with run_housing() as h:
        await h.register("casa-a", {"single": 1})
        await h.register("casa-b", {"single": 3})
        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])
        first = await h.offered_to(str(case.case_id))
        placement_id = h.events.of_type("placement.offered", case.case_id)[0].payload.placement_id

        response = await h.client.post(
            f"/partner/placements/{placement_id}/decline",
            json={"reason": "household_not_suitable", "note": "no room on the ground floor"},
            headers=h.partner(first),
        )
        assert response.status_code == 200, response.text
        declined = (await h.events.wait_for_type("placement.declined", case.case_id))[0].payload
        assert declined.reason == "household_not_suitable"  # the note stays in housing
        second = await h.offered_to(str(case.case_id), count=2)
        assert {first, second} == {"casa-a", "casa-b"}
        for shelter in ("casa-a", "casa-b"):
            assert (await h.reconciled(shelter))["consistent"]


async def test_expired_offer_releases_the_beds_and_rematches(run_housing: RunHousing) -> None:
    async with run_housing(offer_ttl_override_seconds=1.0) as h:
        await h.register("casa-a", {"single": 1})
        await h.register("casa-b", {"single": 1})
        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])
        first = await h.offered_to(str(case.case_id))
        expired = (await h.events.wait_for_type("placement.expired", case.case_id, timeout=15))[0].payload
        assert expired.shelter_id == first
        second = await h.offered_to(str(case.case_id), count=2)
        assert second != first
        # The partner answering too late is refused, and its bed is free again.
        placement_id = expired.placement_id
        late = await h.client.post(f"/partner/placements/{placement_id}/accept", headers=h.partner(first))
        assert late.status_code == 404
        assert (await h.reconciled(first))["reservations"] == 0


async def test_waitlist_head_is_matched_when_capacity_is_added_or_a_bed_frees_up(
    run_housing: RunHousing,
) -> None:
    async with run_housing() as h:
        await h.register("casa-a", {"single": 1})
        # Distinct report times: the line is priority, then report time (to the millisecond stored).
        reported = datetime.now(UTC) - timedelta(minutes=10)
        first, second, third = (triaged(reported_at=reported + timedelta(minutes=i)) for i in range(3))
        ns, bootstrap = h.settings.topic_namespace, h.settings.kafka_bootstrap_servers
        await publish_events(bootstrap, ns, [first])
        await h.offered_to(str(first.case_id))
        for case, position in ((second, 1), (third, 2)):
            await publish_events(bootstrap, ns, [case])
            waitlisted = await h.events.wait_for_type("placement.waitlisted", case.case_id)
            assert waitlisted[0].payload.position == position

        # New capacity: the head of the line is matched at once.
        shelter = (await h.client.get("/shelters/casa-a", headers=h.coordinator())).json()
        update = {k: shelter[k] for k in ("name", "address", "phone", "guest_kinds", "languages")}
        response = await h.client.put(
            "/shelters/casa-a", json={**update, "beds": {"single": 2}}, headers=h.coordinator()
        )
        assert response.status_code == 200, response.text
        await h.offered_to(str(second.case_id))
        assert not h.events.of_type("placement.offered", third.case_id)

        # A check-out frees a bed: the next in line gets it.
        pid = h.events.of_type("placement.offered", first.case_id)[0].payload.placement_id
        partner = h.partner("casa-a")
        for step in ("accept", "check-in", "check-out"):
            assert (
                await h.client.post(f"/partner/placements/{pid}/{step}", headers=partner)
            ).status_code == 200
        await h.offered_to(str(third.case_id))
        assert (await h.reconciled("casa-a"))["consistent"]


async def test_closed_case_cancels_the_placement_and_frees_the_beds(run_housing: RunHousing) -> None:
    async with run_housing() as h:
        await h.register("casa-a", {"single": 1})
        case, waiting = triaged(), triaged()
        ns, bootstrap = h.settings.topic_namespace, h.settings.kafka_bootstrap_servers
        await publish_events(bootstrap, ns, [case])
        await h.offered_to(str(case.case_id))
        await publish_events(bootstrap, ns, [waiting])
        await h.events.wait_for_type("placement.waitlisted", waiting.case_id)
        await publish_events(bootstrap, ns, [closed(case)])
        # The bed goes back and the waiting case gets it.
        await h.offered_to(str(waiting.case_id))
        await asyncio.sleep(0.2)
        offers = (await h.client.get("/partner/offers", headers=h.partner("casa-a"))).json()
        assert [o["placement_id"] for o in offers] == [
            h.events.of_type("placement.offered", waiting.case_id)[0].payload.placement_id
        ]
