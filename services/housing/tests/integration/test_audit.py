"""Every partner decision on a placement is in the audit trail, for the case's municipality's auditor."""

import pytest

from lgnet_runtime.auth import Role
from lgnet_testing.harness import publish_events

from .conftest import LATINA, ROMA, RunHousing, triaged

pytestmark = pytest.mark.engines


async def test_partner_decisions_are_audited_and_only_auditors_read_them(run_housing: RunHousing) -> None:
    async with run_housing() as h:
        await h.register("casa-au", {"single": 1})
        await h.register("casa-av", {"single": 1})
        declined_case, accepted_case = triaged(), triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [declined_case])
        first_shelter = await h.offered_to(str(declined_case.case_id))
        requested = await h.events.wait_for_type("placement.requested", declined_case.case_id)
        declined_id = requested[0].payload.placement_id
        declined = await h.client.post(
            f"/partner/placements/{declined_id}/decline",
            json={"reason": "household_not_suitable", "note": "Signora Haddad needs a ground floor room"},
            headers=h.partner(first_shelter),
        )
        assert declined.status_code == 200, declined.text

        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [accepted_case])
        shelter = await h.offered_to(str(accepted_case.case_id))
        placement_id = (await h.events.wait_for_type("placement.requested", accepted_case.case_id))[
            0
        ].payload.placement_id
        partner = h.auth.headers(
            Role.SHELTER_PARTNER, (ROMA,), shelter_id=shelter, subject=f"partner.{shelter}"
        )
        for step in ("accept", "check-in", "check-out"):
            answer = await h.client.post(f"/partner/placements/{placement_id}/{step}", headers=partner)
            assert answer.status_code == 200, answer.text

        auditor = h.auth.headers(Role.AUDITOR, (ROMA,))
        trail = await h.client.get("/audit", headers=auditor)
        assert trail.status_code == 200, trail.text
        entries = trail.json()["items"]
        mine = [(e["action"], e["resource_id"]) for e in entries if e["case_id"] == accepted_case.case_id]
        assert mine == [
            ("placement.checked_out", placement_id),
            ("placement.checked_in", placement_id),
            ("placement.accepted", placement_id),
        ]
        accepted = next(e for e in entries if e["action"] == "placement.accepted")
        assert accepted["actor"] == {"subject": f"partner.{shelter}", "roles": ["shelter_partner"]}
        assert accepted["details"]["shelter_id"] == shelter
        assert accepted["municipality"] == ROMA
        refusal = next(e for e in entries if e["action"] == "placement.declined")
        assert refusal["details"]["reason"] == "household_not_suitable"
        assert refusal["case_id"] == declined_case.case_id

        only = (await h.client.get("/audit", params={"action": "placement.declined"}, headers=auditor)).json()
        assert only["total"] == 1

        for headers in (h.partner(shelter), h.coordinator(), h.auth.headers(Role.CASE_MANAGER, (ROMA,))):
            assert (await h.client.get("/audit", headers=headers)).status_code == 403
        latina = h.auth.headers(Role.AUDITOR, (LATINA,))
        assert (await h.client.get("/audit", headers=latina)).json()["total"] == 0
        assert (
            await h.client.get("/audit", params={"municipality": ROMA}, headers=latina)
        ).status_code == 403

        stored = repr(await h.service.runtime.db["audit"].find({}).to_list())
        for secret in ("Haddad", "ground floor"):
            assert secret not in stored, secret
