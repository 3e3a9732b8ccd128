"""Other services' events fill the case's story in order: where the family is tonight, what was paid."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.envelope import EventPayload
from lgnet_contracts.events import grants, notifications, placements
from lgnet_contracts.types import BedType, Channel, Priority
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.auth import Role
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import eventually, publish_events

from .conftest import ROMA, report_body, running

pytestmark = pytest.mark.engines


def event(payload: EventPayload, case_id: str, at: datetime, producer: str) -> Envelope[Any]:
    return new_event(payload, producer=producer, municipality=ROMA, case_id=case_id, occurred_at=at)


def story(case_id: str, t0: datetime) -> list[Envelope[Any]]:
    m = timedelta(minutes=1)
    pl, gr = "pl-1", "gr-1"
    return [
        event(
            placements.PlacementRequested(
                placement_id=pl, priority=Priority.P1, beds_needed={BedType.FAMILY_ROOM: 1, BedType.COT: 1}
            ),
            case_id,
            t0 + m,
            "housing",
        ),
        event(
            grants.GrantRequested(grant_id=gr, source=grants.GrantSource.TRIAGE, household_size=3),
            case_id,
            t0 + 2 * m,
            "payments",
        ),
        event(
            placements.PlacementOffered(
                placement_id=pl,
                shelter_id="sh-7",
                shelter_municipality=ROMA,
                beds={BedType.FAMILY_ROOM: 1},
                offer_expires_at=t0 + 60 * m,
            ),
            case_id,
            t0 + 3 * m,
            "housing",
        ),
        event(
            placements.PlacementConfirmed(
                placement_id=pl,
                shelter_id="sh-7",
                shelter_name="Casa Santa Chiara",
                shelter_address="Via dei Volsci 12, Roma",
                arrive_by=t0 + 120 * m,
            ),
            case_id,
            t0 + 4 * m,
            "housing",
        ),
        event(
            notifications.NotificationSent(
                notification_id="nt-1",
                channel=Channel.SMS,
                provider="smsgw",
                provider_message_id="m-1",
                attempt=1,
            ),
            case_id,
            t0 + 5 * m,
            "notifications",
        ),
        event(
            grants.GrantApproved(
                grant_id=gr, amount_cents=45_000, approved_by="pay-1", automatic=False, reasons=[]
            ),
            case_id,
            t0 + 6 * m,
            "payments",
        ),
        event(
            placements.PlacementCheckedIn(placement_id=pl, shelter_id="sh-7", at=t0 + 90 * m),
            case_id,
            t0 + 90 * m,
            "housing",
        ),
        event(
            grants.GrantDisbursed(
                grant_id=gr, amount_cents=45_000, batch_id="b-1", value_date=date(2026, 1, 2)
            ),
            case_id,
            t0 + 100 * m,
            "payments",
        ),
    ]


async def test_the_timeline_tells_where_the_family_is_and_what_was_paid(
    settings: ReferralSettings, dev_auth: DevAuth
) -> None:
    manager = dev_auth.headers(Role.CASE_MANAGER)
    async with running(settings) as (_, client):
        created = await client.post("/cases", json=report_body(), headers=manager)
        case_id = created.json()["case_id"]
        t0 = datetime.now(UTC)
        chapters = story(case_id, t0)
        # Delivered out of order and the confirmation twice: the story must still read right, once.
        await publish_events(
            settings.kafka_bootstrap_servers,
            settings.topic_namespace,
            [*chapters[4:], *chapters[:4], chapters[3]],
        )

        async def complete() -> dict[str, Any] | None:
            shown = (await client.get(f"/cases/{case_id}", headers=manager)).json()
            foreign = [e for e in shown["timeline"] if e["source"] != "referral"]
            return shown if len(foreign) >= len(chapters) else None

        shown = await eventually(complete, what="the whole story on the timeline")

    foreign = [e for e in shown["timeline"] if e["source"] != "referral"]
    assert [e["event_type"] for e in foreign] == [c.event_type for c in chapters]
    times = [e["at"] for e in shown["timeline"]]
    assert times == sorted(times)
    tonight = shown["tonight_detail"]
    assert (tonight["status"], tonight["shelter_name"], tonight["has_bed"]) == (
        "checked_in",
        "Casa Santa Chiara",
        True,
    )
    assert tonight["shelter_address"] == "Via dei Volsci 12, Roma"
    assert shown["paid_cents"] == 45_000
    assert shown["grants"][0]["status"] == "disbursed"
    assert set(shown["needs_met"]) == {"shelter_tonight", "economic_hardship"}
    assert shown["open_needs"] == []
    assert shown["status"] == "in_progress"
    assert shown["sla_state"] == "met"
    assert any("EUR 450.00" in e["summary"] for e in foreign)


async def test_events_of_unknown_cases_are_skipped_and_the_rest_recorded(
    settings: ReferralSettings, dev_auth: DevAuth
) -> None:
    manager = dev_auth.headers(Role.CASE_MANAGER)
    async with running(settings) as (_, client):
        case_id = (await client.post("/cases", json=report_body(), headers=manager)).json()["case_id"]
        t0 = datetime.now(UTC)
        stranger = story(str(uuid.uuid4()), t0)[0]
        ours = story(case_id, t0)[0]
        await publish_events(settings.kafka_bootstrap_servers, settings.topic_namespace, [stranger, ours])

        async def recorded() -> bool:
            shown = (await client.get(f"/cases/{case_id}", headers=manager)).json()
            return any(e["event_type"] == "placement.requested" for e in shown["timeline"])

        await eventually(recorded, what="our case's event despite a stranger's before it")
