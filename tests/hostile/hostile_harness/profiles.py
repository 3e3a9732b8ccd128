"""The four services: settings, how to build each, and the sentinel that shows its consumer went on."""

from __future__ import annotations

import os
from typing import Any

from hostile_strategies import ROMA, good_envelope

from lgnet_runtime.sealing import Sealer
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.auth import DevAuth
from lgnet_testing.harness import isolated_settings

from .legal import housing_legal, notifications_legal, payments_legal, referral_legal
from .running import Profile, Running, Sentinel

LOG_LEVEL = os.environ.get("HOSTILE_LOG_LEVEL", "WARNING")


def _referral_settings(kafka: str, mongo: str, unique: str, auth: DevAuth) -> RuntimeSettings:
    from lgnet_referral.settings import ReferralSettings

    return isolated_settings(
        ReferralSettings,
        kafka,
        mongo,
        unique,
        **auth.settings,
        sealing_keys="k1:" + Sealer.generate_key(),
        identity_pepper="hostile-pepper-" + unique,
        sla_watchdog_interval_seconds=5.0,
        log_level=LOG_LEVEL,
    )


def _housing_settings(kafka: str, mongo: str, unique: str, auth: DevAuth) -> RuntimeSettings:
    from lgnet_housing.settings import HousingSettings

    return isolated_settings(
        HousingSettings, kafka, mongo, unique, **auth.settings, webhook_poll_seconds=0.5, log_level=LOG_LEVEL
    )


def _payments_settings(kafka: str, mongo: str, unique: str, auth: DevAuth) -> RuntimeSettings:
    from lgnet_payments.settings import PaymentsSettings

    return isolated_settings(
        PaymentsSettings,
        kafka,
        mongo,
        unique,
        **auth.settings,
        sealing_keys="k1:" + Sealer.generate_key(),
        household_pepper="hostile-pepper-" + unique,
        allow_placeholder_debtor_accounts=True,
        log_level=LOG_LEVEL,
    )


def _notifications_settings(kafka: str, mongo: str, unique: str, auth: DevAuth) -> RuntimeSettings:
    from lgnet_notifications.settings import NotificationsSettings

    return isolated_settings(
        NotificationsSettings,
        kafka,
        mongo,
        unique,
        **auth.settings,
        sealing_keys="k1:" + Sealer.generate_key(),
        sms_callback_token="hostile-callback",
        public_base_url="http://notifications.test",
        hotline_phones={ROMA: "+39 06 0606"},
        dispatch_poll_seconds=0.5,
        log_level=LOG_LEVEL,
    )


def _build_referral(settings: RuntimeSettings) -> Any:
    from lgnet_referral.bootstrap import build

    return build(settings)  # type: ignore[arg-type]


def _build_housing(settings: RuntimeSettings) -> Any:
    from lgnet_housing.bootstrap import build

    return build(settings)  # type: ignore[arg-type]


def _build_payments(settings: RuntimeSettings) -> Any:
    from lgnet_payments.bootstrap import build

    return build(settings)  # type: ignore[arg-type]


def _build_notifications(settings: RuntimeSettings) -> Any:
    from lgnet_notifications.bootstrap import build

    return build(settings, channels=[])  # type: ignore[arg-type]  # no one is messaged


def _metric_sentinel(event_type: str, topic: str) -> Sentinel:
    """Handled, as the runtime counts it (for events whose effect is a log line only)."""
    event = good_envelope(event_type)
    baseline: dict[str, float] = {}

    async def handled(running: Running) -> bool:
        before = baseline.setdefault("n", running.handled_count(event_type, "handled"))
        return running.handled_count(event_type, "handled") > before

    sentinel = Sentinel(event, topic, handled)
    return sentinel


def _referral_sentinel() -> Sentinel:
    return _metric_sentinel("placement.checked_out", "lgnet.housing.placements")


def _housing_sentinel() -> Sentinel:
    event = good_envelope("case.triaged")

    async def handled(running: Running) -> bool:
        return bool(await running.service.placements.of_case(event["case_id"]))

    return Sentinel(event, "lgnet.referral.cases", handled)


def _payments_sentinel() -> Sentinel:
    event = good_envelope("case.triaged")
    event["payload"]["needs"] = ["economic_hardship"]

    async def handled(running: Running) -> bool:
        return await running.service.grants.open_request_for_case(event["case_id"]) is not None

    return Sentinel(event, "lgnet.referral.cases", handled)


def _notifications_sentinel() -> Sentinel:
    event = good_envelope("case.reported")

    async def handled(running: Running) -> bool:
        return await running.service.recipients.get(event["case_id"]) is not None

    return Sentinel(event, "lgnet.referral.cases", handled)


PROFILES: dict[str, Profile] = {
    "referral": Profile("referral", _build_referral, _referral_settings, _referral_sentinel, referral_legal),
    "housing": Profile("housing", _build_housing, _housing_settings, _housing_sentinel, housing_legal),
    "payments": Profile("payments", _build_payments, _payments_settings, _payments_sentinel, payments_legal),
    "notifications": Profile(
        "notifications",
        _build_notifications,
        _notifications_settings,
        _notifications_sentinel,
        notifications_legal,
    ),
}
