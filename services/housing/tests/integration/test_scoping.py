"""Who may do what: partners see only their own shelter, coordinators only their municipalities."""

import pytest

from lgnet_runtime.auth import Role
from lgnet_testing.harness import publish_events

from .conftest import LATINA, RunHousing, triaged

pytestmark = pytest.mark.engines


async def test_partner_and_coordinator_scopes(run_housing: RunHousing) -> None:
    async with run_housing() as h:
        await h.register("casa-a", {"single": 1})
        await h.register("casa-b", {"single": 0})
        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])
        pid = (await h.events.wait_for_type("placement.offered", case.case_id))[0].payload.placement_id
        accept = f"/partner/placements/{pid}/accept"

        # Another shelter's placement does not exist for this partner.
        assert (await h.client.post(accept, headers=h.partner("casa-b"))).status_code == 404
        assert (await h.client.get("/partner/offers", headers=h.partner("casa-b"))).json() == []
        assert (
            await h.client.post("/partner/placements/nope/accept", headers=h.partner("casa-a"))
        ).status_code == 404
        # Wrong role, no token, a forged token.
        assert (await h.client.post(accept, headers=h.coordinator())).status_code == 403
        assert (await h.client.get("/shelters", headers=h.partner("casa-a"))).status_code == 403
        assert (await h.client.post(accept)).status_code == 401
        assert (await h.client.get("/availability")).status_code == 401
        forged = {"Authorization": "Bearer not.a.token"}
        assert (await h.client.get("/partner/offers", headers=forged)).status_code == 401

        # A coordinator of another municipality: the shelter is absent, the municipality forbidden.
        latina = h.auth.headers(Role.CASE_MANAGER, (LATINA,))
        assert (await h.client.get("/shelters/casa-a", headers=latina)).status_code == 404
        assert (await h.client.get("/shelters/casa-a/reconciliation", headers=latina)).status_code == 404
        assert (await h.client.get("/availability?municipality=058091", headers=latina)).status_code == 403
        assert (await h.client.get("/shelters", headers=latina)).json() == []

        # The right partner may.
        response = await h.client.post(accept, headers=h.partner("casa-a"))
        assert response.status_code == 200
        assert response.json()["status"] == "confirmed"
        # Beds already promised cannot be taken out of service.
        taken = await h.client.put(
            "/partner/availability", json={"out_of_service": {"single": 1}}, headers=h.partner("casa-a")
        )
        assert taken.status_code == 409
        extra = await h.client.put(
            "/partner/availability", json={"extra_tonight": {"single": 2}}, headers=h.partner("casa-a")
        )
        assert extra.status_code == 200
        assert extra.json()["beds"]["single"]["extra_tonight"] == 2
