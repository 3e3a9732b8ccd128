"""Events in, notifications out: register the person, then one notification per rule and event.

A notification's id is its NotificationKey (trigger event, recipient, first channel), so a
redelivered event collides with what it created the first time and creates nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseReported
from lgnet_contracts.events.notifications import NotificationRequested
from lgnet_notifications.application.ports import (
    Clock,
    ContactVault,
    NotificationRepository,
    RecipientRepository,
)
from lgnet_notifications.application.records import NotificationRecord, Recipient
from lgnet_notifications.application.variables import VariableSources, coerce_all, event_values, select
from lgnet_notifications.domain.channels import Channel, ChannelChoice, NoChannelReason, choose_channels
from lgnet_notifications.domain.locale import fallback_chain
from lgnet_notifications.domain.message import Notification, NotificationKey
from lgnet_notifications.domain.rules import Priority, RuleTable
from lgnet_runtime.logging import get_logger

log = get_logger(__name__)

SERVICE = "notifications"


class RecipientNotRegisteredError(LookupError):
    """An event about a case whose `case.reported` has not been handled yet (other topics are
    not ordered with the cases topic): raising lets the consumer retry it a little later."""


class RegisterRecipient:
    def __init__(self, recipients: RecipientRepository, vault: ContactVault) -> None:
        self._recipients = recipients
        self._vault = vault

    async def __call__(self, event: Envelope[CaseReported]) -> None:
        if event.case_id is None:
            return
        payload = event.payload
        recipient = Recipient(
            case_id=event.case_id,
            municipality=event.municipality,
            consent=payload.consent.contact,
            language=payload.preferred_language,
            sealed_contact=payload.contact.model_dump() if payload.contact is not None else None,
        )
        # Opened once here: a seal we cannot open should fail loudly now, not at 2 a.m. at send time.
        contact = self._vault.open(recipient)
        lookup = self._vault.phone_lookup(contact.data.phone_e164) if contact.data.phone_e164 else None
        created = await self._recipients.add(recipient, phone_lookup=lookup, handled=str(event.event_id))
        log.info("recipient.registered" if created else "recipient.already_registered", case_id=event.case_id)


class RequestNotifications:
    def __init__(
        self,
        *,
        rules: RuleTable,
        recipients: RecipientRepository,
        notifications: NotificationRepository,
        vault: ContactVault,
        sources: VariableSources,
        channel_order: Sequence[Channel],
        clock: Clock,
        max_event_age: timedelta = timedelta(hours=48),
        on_created: Callable[[], None] = lambda: None,
    ) -> None:
        self._rules = rules
        self._recipients = recipients
        self._notifications = notifications
        self._vault = vault
        self._sources = sources
        self._order = tuple(channel_order)
        self._clock = clock
        self._max_age = max_event_age
        self._on_created = on_created

    @property
    def event_types(self) -> frozenset[str]:
        return self._rules.event_types

    async def on_event(self, event: Envelope[Any]) -> None:
        """An event of the rule table: each rule's message to the person the case is about."""
        rules = self._rules.for_event(event.event_type)
        if not rules or event.case_id is None or self._stale(event):
            return
        recipient = await self._recipient(event.case_id)
        values = event_values(event, self._sources)
        for rule in rules:
            choice = self._choose(recipient, requires_consent=rule.requires_consent)
            # Two rules on one event would share a key: the template tells them apart.
            trigger = str(event.event_id) if len(rules) == 1 else f"{event.event_id}.{rule.template_id}"
            await self._create(
                event,
                recipient,
                choice,
                trigger=trigger,
                template_id=rule.template_id,
                priority=rule.priority,
                variables=select(values, rule.variables),
            )

    async def on_requested(self, event: Envelope[NotificationRequested]) -> None:
        """Another service asks for a message; ours (echoed back by the topic) are ignored."""
        if event.producer == SERVICE or event.case_id is None or self._stale(event):
            return
        payload = event.payload
        recipient = await self._recipient(event.case_id)
        choice = self._choose(recipient, requires_consent=True)
        if payload.channel is not None:
            forced = Channel(payload.channel.value)
            only = tuple(c for c in choice.channels if c is forced)
            choice = ChannelChoice(
                only, reason=None if only else choice.reason or NoChannelReason.NO_CONTACT_DATA
            )
        await self._create(
            event,
            recipient,
            choice,
            trigger=str(event.event_id),
            template_id=payload.template_id,
            priority=Priority.TRANSACTIONAL,
            variables=coerce_all(payload.variables),
            locale=payload.locale,
        )

    def _stale(self, event: Envelope[Any]) -> bool:
        if self._clock() - event.occurred_at <= self._max_age:
            return False
        log.info(
            "notification.not_requested",
            case_id=event.case_id,
            trigger_event_id=str(event.event_id),
            why="stale",
        )
        return True

    async def _recipient(self, case_id: str) -> Recipient:
        recipient = await self._recipients.get(case_id)
        if recipient is None:
            raise RecipientNotRegisteredError(f"case {case_id} has not been reported to this service")
        return recipient

    def _choose(self, recipient: Recipient, *, requires_consent: bool) -> ChannelChoice:
        contact = self._vault.open(recipient)
        return choose_channels(
            consent=recipient.consent,
            contact=contact.data,
            opt_outs=recipient.opt_outs,
            failover_order=self._order,
            requires_consent=requires_consent,
        )

    async def _create(
        self,
        event: Envelope[Any],
        recipient: Recipient,
        choice: ChannelChoice,
        *,
        trigger: str,
        template_id: str,
        priority: Priority,
        variables: dict[str, object],
        locale: str | None = None,
    ) -> None:
        if not choice.any:
            log.info(
                "notification.not_requested",
                case_id=recipient.case_id,
                trigger_event_id=trigger,
                template_id=template_id,
                why=str(choice.reason),
            )
            return
        notification, events = Notification.request(
            key=NotificationKey(trigger, recipient.case_id, choice.channels[0]),
            event_type=event.event_type,
            template_id=template_id,
            locale=fallback_chain(locale or recipient.language)[0],
            now=self._clock(),
            fallback_channels=choice.channels[1:],
        )
        record = NotificationRecord(
            notification=notification,
            case_id=recipient.case_id,
            municipality=recipient.municipality,
            correlation_id=str(event.correlation_id),
            priority=priority,
            variables=variables,
        )
        created = await self._notifications.add(record, events, handled=str(event.event_id))
        log.info(
            "notification.requested" if created else "notification.already_requested",
            case_id=recipient.case_id,
            notification_id=record.notification_id,
            channel=str(record.key.channel),
            template_id=template_id,
        )
        if created:
            self._on_created()
