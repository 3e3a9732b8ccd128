"""The one place where the notifications service is wired together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from lgnet_contracts.topics import CASES, GRANTS, NOTIFICATIONS, PLACEMENTS
from lgnet_notifications.adapters.app_io import AppIoChannel
from lgnet_notifications.adapters.contact_vault import SealedContactVault
from lgnet_notifications.adapters.email_smtp import SmtpEmailChannel
from lgnet_notifications.adapters.mongo_notifications import MongoNotificationRepository
from lgnet_notifications.adapters.mongo_recipients import MongoRecipientRepository
from lgnet_notifications.adapters.sms_gateway import SmsGatewayChannel
from lgnet_notifications.application.delivery import OptOut, RecordDelivery
from lgnet_notifications.application.dispatcher import DispatchConfig, Dispatcher
from lgnet_notifications.application.erasure import EraseRecipient
from lgnet_notifications.application.intake import RegisterRecipient, RequestNotifications
from lgnet_notifications.application.ports import Channel
from lgnet_notifications.application.queries import ListCaseNotifications
from lgnet_notifications.application.variables import VariableSources
from lgnet_notifications.domain.backoff import RetryPolicy
from lgnet_notifications.domain.rate_limit import RateLimiter
from lgnet_notifications.entrypoints.http_api import api_router, callbacks_router
from lgnet_notifications.entrypoints.kafka_handlers import build_handlers
from lgnet_notifications.rendering import Renderer, TemplateCatalogue, load_rule_table
from lgnet_notifications.settings import (
    APP_IO_PROVIDER,
    SMS_GATEWAY_PROVIDER,
    SMTP_PROVIDER,
    NotificationsSettings,
)
from lgnet_runtime.audit import AuditLog, audit_router
from lgnet_runtime.auth import authenticated
from lgnet_runtime.http import create_http_app
from lgnet_runtime.service import ServiceRuntime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class NotificationsService:
    app: FastAPI
    runtime: ServiceRuntime
    dispatcher: Dispatcher
    notifications: MongoNotificationRepository
    recipients: MongoRecipientRepository


def build_channels(settings: NotificationsSettings, http: httpx.AsyncClient) -> list[Channel]:
    """The configured channels; a provider without an address is left out."""
    channels: list[Channel] = []
    if settings.smtp_host:
        channels.append(
            SmtpEmailChannel(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_sender,
                message_id_domain=settings.message_id_domain,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                start_tls=settings.smtp_start_tls,
                timeout_seconds=settings.send_timeout_seconds,
                provider=SMTP_PROVIDER,
            )
        )
    if settings.sms_gateway_url:
        channels.append(
            SmsGatewayChannel(
                http,
                base_url=settings.sms_gateway_url,
                api_key=settings.sms_gateway_api_key.get_secret_value(),
                sender=settings.sms_sender,
                status_callback_url=settings.public_base_url.rstrip("/") + "/callbacks/sms/delivery",
                provider=SMS_GATEWAY_PROVIDER,
            )
        )
    if settings.app_io_url:
        channels.append(
            AppIoChannel(
                http,
                base_url=settings.app_io_url,
                api_key=settings.app_io_api_key.get_secret_value(),
                provider=APP_IO_PROVIDER,
            )
        )
    return channels


def build(
    settings: NotificationsSettings, *, channels: Sequence[Channel] | None = None
) -> NotificationsService:
    runtime = ServiceRuntime(settings)
    notifications = MongoNotificationRepository(runtime.aggregates("notifications"))
    recipients = MongoRecipientRepository(runtime.aggregates("recipients"))
    vault = SealedContactVault.from_settings(
        settings.sealing_keys.get_secret_value(), settings.phone_lookup_key.get_secret_value()
    )
    http = httpx.AsyncClient(timeout=settings.send_timeout_seconds)
    active = list(channels) if channels is not None else build_channels(settings, http)
    configured = {channel.kind for channel in active}
    order = [kind for kind in settings.channel_order if kind in configured]

    renderer = Renderer(
        TemplateCatalogue.load(),
        max_sms_segments=settings.max_sms_segments,
        default_timezone=settings.timezone,
    )
    dispatcher = Dispatcher(
        notifications=notifications,
        recipients=recipients,
        vault=vault,
        channels=active,
        renderer=renderer,
        limiter=RateLimiter(settings.rate_limits),
        config=DispatchConfig(
            policy=RetryPolicy(
                base=timedelta(seconds=settings.retry_backoff_base_seconds),
                cap=timedelta(
                    seconds=max(settings.retry_backoff_cap_seconds, settings.retry_backoff_base_seconds)
                ),
                max_attempts=settings.max_attempts,
            ),
            lease=timedelta(seconds=settings.send_lease_seconds),
            send_timeout_seconds=settings.send_timeout_seconds,
            batch_size=settings.dispatch_batch_size,
            concurrency=settings.dispatch_concurrency,
            poll_seconds=settings.dispatch_poll_seconds,
            timezone=settings.timezone,
        ),
        clock=utc_now,
    )
    register = RegisterRecipient(recipients, vault)
    request = RequestNotifications(
        rules=load_rule_table(),
        recipients=recipients,
        notifications=notifications,
        vault=vault,
        sources=VariableSources(
            hotline_phones=settings.hotline_phones,
            default_hotline_phone=settings.default_hotline_phone or None,
            grant_review_days=settings.grant_review_days,
            timezone=settings.timezone,
        ),
        channel_order=order,
        clock=utc_now,
        max_event_age=timedelta(hours=settings.max_event_age_hours),
        on_created=dispatcher.wake,
    )
    runtime.publishes([NOTIFICATIONS])
    audit = AuditLog(runtime.db["audit"], service=settings.service_name)
    runtime.subscribe(
        [CASES, PLACEMENTS, GRANTS, NOTIFICATIONS],
        build_handlers(register, request, EraseRecipient(recipients), audit),
    )

    opt_out = OptOut(recipients, vault, settings.stop_keywords)
    verifier = settings.token_verifier()
    routers = [
        api_router(verifier, opt_out, ListCaseNotifications(recipients, notifications), audit),
        audit_router(audit, authenticated(verifier)),
        callbacks_router(
            RecordDelivery(notifications, utc_now, on_failover=dispatcher.wake),
            opt_out,
            settings.sms_callback_token.get_secret_value(),
        ),
    ]

    async def start_dispatching() -> None:
        await notifications.ensure_indexes()
        await recipients.ensure_indexes()
        await audit.ensure_indexes()
        await dispatcher.start()

    async def stop_dispatching() -> None:
        # Before the runtime stops: the last attempts still need the database and the outbox.
        await dispatcher.stop()
        await http.aclose()

    app = create_http_app(
        runtime,
        title="LGNet3 notifications",
        description="Messages to people in their language, once, over the channel they agreed to.",
        routers=routers,
        on_started=[start_dispatching],
        on_stopping=[stop_dispatching],
    )
    return NotificationsService(app, runtime, dispatcher, notifications, recipients)
