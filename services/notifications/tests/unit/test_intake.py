"""Events to notifications: the rule table, consent, channel choice, and redeliveries."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseReported, CaseTriaged, Consent, Household
from lgnet_contracts.events.notifications import NotificationRequested as RequestedPayload
from lgnet_contracts.events.placements import PlacementConfirmed, PlacementOffered
from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.types import Channel as ContractChannel
from lgnet_contracts.types import Gender, Need, Priority
from lgnet_notifications.adapters.contact_vault import SealedContactVault
from lgnet_notifications.application.intake import (
    RecipientNotRegisteredError,
    RegisterRecipient,
    RequestNotifications,
)
from lgnet_notifications.application.variables import VariableSources
from lgnet_notifications.domain.channels import DEFAULT_FAILOVER_ORDER, Channel
from lgnet_notifications.domain.locale import Locale
from lgnet_notifications.domain.message import NotificationRequested
from lgnet_notifications.domain.rules import Priority as MessagePriority
from lgnet_notifications.entrypoints.kafka_handlers import build_handlers
from lgnet_notifications.rendering import load_rule_table
from lgnet_runtime.sealing import Sealer

CASE = "0f8fad5b-d9cb-469f-a165-70867728950e"
ROMA = "058091"
KEYS = f"k1:{Sealer.generate_key()}"
NOW = datetime(2025, 3, 12, 19, 0, tzinfo=UTC)


def reported(
    *,
    phone: str | None = "+393331234567",
    email: str | None = None,
    consent: bool = True,
    language: str = "ar",
) -> Envelope[CaseReported]:
    contact = ContactDetails(phone=phone, email=email, preferred_language=language)
    return new_event(
        CaseReported(
            reported_at=NOW,
            reported_by="op",
            household=Household(adults=[Gender.FEMALE]),
            needs=[Need.SHELTER_TONIGHT],
            consent=Consent(contact=consent, data_processing=True, recorded_at=NOW, recorded_by="op"),
            contact=Sealer.from_setting(KEYS).seal(contact, bound_to=CASE),
            preferred_language=language,
        ),
        producer="referral",
        municipality=ROMA,
        case_id=CASE,
    )


def triaged() -> Envelope[CaseTriaged]:
    return new_event(
        CaseTriaged(
            priority=Priority.P1,
            score=9,
            breakdown=[],
            needs=[Need.SHELTER_TONIGHT],
            sla_deadline=NOW + timedelta(hours=1),
            policy_version="v1",
            household_size=1,
            reported_at=NOW,
        ),
        producer="referral",
        municipality=ROMA,
        case_id=CASE,
    )


def confirmed() -> Envelope[PlacementConfirmed]:
    return new_event(
        PlacementConfirmed(
            placement_id="pl-1",
            shelter_id="sh-1",
            shelter_name="Casa",
            shelter_address="Via Roma 1",
            arrive_by=NOW + timedelta(hours=2),
        ),
        producer="housing",
        municipality=ROMA,
        case_id=CASE,
    )


class Intake:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.vault = SealedContactVault.from_settings(KEYS)
        self.woken = 0
        self.register = RegisterRecipient(world.recipients, self.vault)
        self.request = RequestNotifications(
            rules=load_rule_table(),
            recipients=world.recipients,
            notifications=world.notifications,
            vault=self.vault,
            sources=VariableSources(hotline_phones={ROMA: "+39 06 0606"}),
            channel_order=DEFAULT_FAILOVER_ORDER,
            clock=world.clock,
            on_created=self._woken,
        )

    def _woken(self) -> None:
        self.woken += 1

    @property
    def records(self) -> list[Any]:
        return list(self.world.notifications.records.values())


@pytest.fixture
def intake(world: Any) -> Intake:
    return Intake(world)


async def test_a_redelivered_event_creates_nothing_new(intake: Intake) -> None:
    await intake.register(reported())
    event = confirmed()
    await intake.request.on_event(event)
    await intake.request.on_event(event)

    [record] = intake.records
    assert record.key.event_id == str(event.event_id)
    assert record.key.recipient_id == CASE
    assert record.key.channel is Channel.SMS
    assert record.priority is MessagePriority.URGENT
    assert record.notification.locale is Locale.AR
    assert record.notification.fallback_channels == ()  # only a phone was given
    assert len(intake.world.notifications.of_type(NotificationRequested)) == 1
    assert intake.woken == 1


async def test_the_contact_stays_sealed_at_rest_and_the_number_is_only_hashed(intake: Intake) -> None:
    await intake.register(reported())
    await intake.register(reported())  # a second case.reported for the case changes nothing
    stored = intake.world.recipients.by_case[CASE]
    assert set(stored.sealed_contact) == {"kid", "nonce", "ciphertext"}
    lookup = intake.world.recipients.lookups[CASE]
    assert lookup is not None
    assert "3331234567" not in lookup
    assert lookup == intake.vault.phone_lookup("333 123 4567")


async def test_channels_follow_the_contact_data_in_the_configured_order(intake: Intake) -> None:
    await intake.register(reported(email="amina@example.org"))
    await intake.request.on_event(triaged())
    [record] = intake.records
    assert record.key.channel is Channel.SMS
    assert record.notification.fallback_channels == (Channel.EMAIL,)
    assert record.variables == {"reference": "RR-7728950E", "hotline_phone": "+39 06 0606"}


async def test_no_consent_no_message(intake: Intake) -> None:
    await intake.register(reported(consent=False))
    await intake.request.on_event(triaged())
    assert intake.records == []


async def test_events_outside_the_rule_table_are_ignored(intake: Intake) -> None:
    await intake.register(reported())
    offered = new_event(
        PlacementOffered(
            placement_id="pl-1",
            shelter_id="sh-1",
            shelter_municipality=ROMA,
            beds={},
            offer_expires_at=NOW,
        ),
        producer="housing",
        municipality=ROMA,
        case_id=CASE,
    )
    await intake.request.on_event(offered)
    assert intake.records == []


async def test_an_event_before_the_case_report_is_retried_later(intake: Intake) -> None:
    with pytest.raises(RecipientNotRegisteredError):
        await intake.request.on_event(confirmed())


async def test_another_service_may_ask_for_a_message_ours_are_ignored(intake: Intake) -> None:
    await intake.register(reported(email="amina@example.org"))
    payload = RequestedPayload(
        notification_id="n-1",
        template_id="grant_disbursed",
        locale="fr",
        channel=ContractChannel.EMAIL,
        variables={"reference": "RR-1", "amount": "45000", "expected_date": "2025-03-20"},
    )
    ours = new_event(payload, producer="notifications", municipality=ROMA, case_id=CASE)
    await intake.request.on_requested(ours)
    assert intake.records == []

    theirs = new_event(payload, producer="payments", municipality=ROMA, case_id=CASE)
    await intake.request.on_requested(theirs)
    [record] = intake.records
    assert record.key.channel is Channel.EMAIL
    assert record.notification.locale is Locale.FR
    assert record.variables["amount"] == 45_000


def test_handlers_cover_the_rule_table_and_the_case_report(intake: Intake) -> None:
    not_called: Any = object()  # erasure and audit are not exercised here
    handlers = build_handlers(intake.register, intake.request, not_called, not_called)
    assert set(handlers) == load_rule_table().event_types | {
        "case.reported",
        "notification.requested",
        "case.erased",
    }
    assert handlers["case.reported"] is intake.register


async def test_an_old_event_replayed_from_the_topic_asks_for_nothing(intake: Intake) -> None:
    await intake.register(reported())
    old = confirmed().model_copy(update={"occurred_at": intake.world.clock() - timedelta(days=3)})
    await intake.request.on_event(old)
    assert intake.records == []
