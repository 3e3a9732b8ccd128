"""The SLA watchdog on the real engines: one breach per deadline, with two instances and across a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from lgnet_contracts.topics import CASES
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import probe

from .conftest import MovableClock, report_body, running

pytestmark = pytest.mark.engines

H = timedelta(hours=1)
SHELTER_ONLY = {  # P2 in Roma: shelter tonight (9) + legal (1)
    "household": {"adults": ["male"]},
    "factors": [],
    "needs": ["shelter_tonight", "legal"],
    "contact": {"phone": "+39 347 555 0199"},
    "given_name": "Omar",
    "birth_date": "1979-06-01",
}


async def test_one_breach_per_deadline_with_two_instances_and_a_restart(
    settings: ReferralSettings, dev_auth: DevAuth, clock: MovableClock
) -> None:
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR)
    async with probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events:
        async with running(settings, clock) as (_, client), running(settings, clock) as (_, other):
            p1 = (await client.post("/cases", json=report_body(), headers=operator)).json()
            p2 = (await other.post("/cases", json=report_body(**SHELTER_ONLY), headers=operator)).json()
            assert (p1["priority"], p2["priority"]) == ("P1", "P2")

            clock.advance(5 * H)  # past P1's 4 hours, within P2's 24
            await events.wait_for_type("case.sla_breached", p1["case_id"])
            await asyncio.sleep(1.0)  # ~10 more sweeps by each instance
            assert len(events.of_type("case.sla_breached", p1["case_id"])) == 1
            assert events.of_type("case.sla_breached", p2["case_id"]) == []
            shown = (await client.get(f"/cases/{p1['case_id']}", headers=operator)).json()
            assert (shown["status"], len(shown["sla_breaches"]), shown["sla_state"]) == (
                "escalated",
                1,
                "breached",
            )
            late = (await other.get("/cases", params={"sla_state": "breached"}, headers=operator)).json()
            assert [c["case_id"] for c in late["items"]] == [p1["case_id"]]

        # P2's deadline passes while the service is down: found after the restart, P1 not repeated.
        clock.advance(20 * H)
        async with running(settings, clock):
            await events.wait_for_type("case.sla_breached", p2["case_id"])
            await asyncio.sleep(1.0)

    assert len(events.of_type("case.sla_breached", p1["case_id"])) == 1
    assert len(events.of_type("case.sla_breached", p2["case_id"])) == 1
    breach = events.of_type("case.sla_breached", p2["case_id"])[0].payload
    assert (str(breach.priority), [str(n) for n in breach.unmet_needs]) == (
        "P2",
        ["shelter_tonight", "legal"],
    )


async def test_concurrent_sweeps_publish_one_breach(
    settings: ReferralSettings, dev_auth: DevAuth, clock: MovableClock
) -> None:
    # The background sweeps stay asleep: this test sweeps by hand, many at once.
    quiet = settings.model_copy(update={"sla_watchdog_interval_seconds": 3600.0})
    operator = dev_auth.headers(Role.HOTLINE_OPERATOR)
    async with (
        probe(settings.kafka_bootstrap_servers, settings.topic_namespace, [CASES]) as events,
        running(quiet, clock) as (first, client),
        running(quiet, clock) as (second, _),
    ):
        case_id = (await client.post("/cases", json=report_body(), headers=operator)).json()["case_id"]
        clock.advance(5 * H)
        reports = await asyncio.gather(*(w.sweep() for w in (first.watchdog, second.watchdog) * 6))
        assert sum(len(r.breached) for r in reports) == 1
        await events.wait_for_type("case.sla_breached", case_id)
        await asyncio.sleep(0.5)
        assert len(events.of_type("case.sla_breached", case_id)) == 1
        # Breached for this deadline: nothing left to check until the deadline changes.
        again = await asyncio.gather(first.watchdog.sweep(), second.watchdog.sweep())
        assert [r.checked for r in again] == [0, 0]
