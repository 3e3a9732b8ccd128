"""Each service in-process on the real engines, and a way to throw messages at its consumer.

Test modules cannot import this file (importlib mode); they get the harness through fixtures
and the strategies from `hostile_strategies`, which sits next to this file on `sys.path`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).parent))

from hostile_strategies import MILANO, ROMA, dumps, good_envelope

from lgnet_contracts.topics import ALL_TOPICS
from lgnet_runtime.deadletter_admin import StoredDeadLetter, read_dead_letters
from lgnet_runtime.metrics import DEAD_LETTERS, EVENTS_HANDLED
from lgnet_runtime.sealing import Sealer
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.auth import DevAuth
from lgnet_testing.auth import dev_auth as dev_auth
from lgnet_testing.harness import isolated_settings

SERVICES = ("referral", "housing", "payments", "notifications")
LOG_LEVEL = os.environ.get("HOSTILE_LOG_LEVEL", "WARNING")


@dataclass
class Sent:
    """One message as published: where it landed, and what it was."""

    topic: str  # namespaced
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    item: Any = None


@dataclass
class Sentinel:
    """A valid event published after the hostile ones, and how to see it was handled."""

    event: dict[str, Any]
    topic: str  # contract name
    handled: Callable[[Any], Awaitable[bool]]


@dataclass
class Profile:
    name: str
    build: Callable[[RuntimeSettings], Any]
    settings: Callable[[str, str, str, DevAuth], RuntimeSettings]
    sentinel: Callable[[], Sentinel]
    legal: Callable[[], list[tuple[str, dict[str, Any]]]]  # (reason, event) handled, never poison


@dataclass
class Running:
    profile: Profile
    settings: RuntimeSettings
    service: Any
    client: httpx.AsyncClient
    bootstrap: str
    topics: list[str] = field(default_factory=list)  # contract names the consumer reads

    @property
    def namespace(self) -> str:
        return self.settings.topic_namespace

    @property
    def consumer(self) -> Any:
        [consumer] = self.service.runtime.consumers
        return consumer

    @property
    def event_types(self) -> list[str]:
        return sorted(self.consumer.event_types)

    def subscribers_alive(self) -> bool:
        subscribers = list(self.service.runtime.broker.subscribers)
        return bool(subscribers) and all(
            s.running and s.tasks and not any(t.done() for t in s.tasks) for s in subscribers
        )

    def handled_count(self, event_type: str, outcome: str) -> float:
        return EVENTS_HANDLED.labels(self.profile.name, event_type, outcome)._value.get()

    def dead_letter_count(self, topic: str, reason: str) -> float:
        return DEAD_LETTERS.labels(self.profile.name, self.namespace + topic, reason)._value.get()

    async def publish(
        self, messages: Sequence[tuple[str, bytes | None, bytes, list[tuple[str, bytes]], Any]]
    ) -> list[Sent]:
        """(contract topic, key, value, headers, item) in order, all to partition 0 of their topic."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            max_request_size=1_048_576,
        )
        await producer.start()
        try:
            futures = [
                (
                    await producer.send(self.namespace + topic, value, key=key, headers=headers, partition=0),
                    topic,
                    key,
                    value,
                    headers,
                    item,
                )
                for topic, key, value, headers, item in messages
            ]
            sent = []
            for future, topic, key, value, headers, item in futures:
                meta = await future
                sent.append(
                    Sent(self.namespace + topic, meta.partition, meta.offset, key, value, headers, item)
                )
            return sent
        finally:
            await producer.stop()

    async def end_markers(self) -> dict[str, str]:
        """One event of a type nobody knows at the end of each topic: seen as `ignored` once
        the consumer has gone past everything published before it on that partition."""
        markers = {topic: f"hostile.end.{uuid.uuid4().hex}" for topic in self.topics}
        await self.publish(
            [
                (topic, None, dumps({**good_envelope("case.closed"), "event_type": name}), [], None)
                for topic, name in markers.items()
            ]
        )
        return markers

    async def wait_past(self, markers: dict[str, str], sentinel: Sentinel, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            seen = {t: self.handled_count(name, "ignored") >= 1 for t, name in markers.items()}
            if all(seen.values()) and await sentinel.handled(self):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{self.profile.name}: the consumer did not get past the hostile batch in {timeout}s "
                    f"(end of topic reached: {seen}, sentinel handled: {await sentinel.handled(self)}, "
                    f"consumer alive: {self.subscribers_alive()})"
                )
            await asyncio.sleep(0.1)

    async def dead_letters(self) -> list[StoredDeadLetter]:
        topics = [self.namespace + spec.dead_letter for spec in ALL_TOPICS if spec.name in self.topics]
        return await read_dead_letters(self.bootstrap, topics)


# -- the four services ----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


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


def _with(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    payload = {**event["payload"], **changes.pop("payload", {})}
    return {**event, **changes, "payload": payload}


def _legal_common(event_type: str) -> list[tuple[str, dict[str, Any]]]:
    """Valid for any consumer of `event_type`: odd but legal envelope content."""
    e = good_envelope
    return [
        ("case id of no known case", e(event_type)),
        ("no case id at all", e(event_type, case_id="")),
        ("producer is odd unicode", e(event_type, producer="\u202eevil\u0000 😈 ' OR 1=1 --")),
        ("occurred far in the past", e(event_type, occurred_at=datetime(1971, 1, 1, tzinfo=UTC))),
        ("occurred in the future", e(event_type, occurred_at=_now() + timedelta(days=3650))),
        ("another programme municipality", e(event_type, municipality=MILANO)),
        ("non-UTC offset", {**e(event_type), "occurred_at": "2026-01-01T12:00:00+05:30"}),
    ]


def _no_case(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "case_id": None} if event["case_id"] == "" else event


def _referral_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    out = [*_legal_common("placement.confirmed"), *_legal_common("grant.approved")]
    out += [
        ("largest amount the contract allows", _with(e("grant.approved"), payload={"amount_cents": 10**11})),
        ("empty reasons", _with(e("grant.pending_review"), payload={"reasons": []})),
        ("notification for unknown case", e("notification.failed")),
        ("waitlisted far down", _with(e("placement.waitlisted"), payload={"position": 10**6})),
        ("many bed kinds", _with(e("placement.offered"), payload={"beds": {"single": 40, "cot": 40}})),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def _housing_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    big = {
        "adults": ["female", "male", "other"] * 6,
        "minors_ages": list(range(18)),
        "unaccompanied_minor": False,
    }
    out = [*_legal_common("case.closed"), *_legal_common("case.triaged")]
    out += [
        ("triage without housing needs", _with(e("case.triaged"), payload={"housing": None})),
        ("triage without a bed need", _with(e("case.triaged"), payload={"needs": ["food"]})),
        (
            "household of 36 with no shelter in reach",
            _with(
                e("case.triaged", municipality=MILANO),
                payload={
                    "household_size": 36,
                    "housing": {"household": big, "accessible_bed": True, "language": "zz"},
                },
            ),
        ),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def _payments_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    hardship = {"needs": ["economic_hardship"]}
    out = [*_legal_common("case.triaged")]
    out += [
        ("hardship for a case with no id", _with(e("case.triaged", case_id=""), payload=hardship)),
        (
            "hardship for another municipality",
            _with(e("case.triaged", municipality=MILANO), payload=hardship),
        ),
        ("largest household", _with(e("case.triaged"), payload={**hardship, "household_size": 40})),
        ("no needs at all", _with(e("case.triaged"), payload={"needs": []})),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


def _notifications_legal() -> list[tuple[str, dict[str, Any]]]:
    e = good_envelope
    stale = _now() - timedelta(days=30)
    out = [
        (
            "reported without consent or contact",
            _with(
                e("case.reported"),
                payload={
                    "consent": {
                        "contact": False,
                        "data_processing": False,
                        "recorded_at": "2026-01-01T00:00:00Z",
                        "recorded_by": "x",
                    }
                },
            ),
        ),
        ("reported with no case id", e("case.reported", case_id="")),
        ("reported by odd producer", e("case.reported", producer="\u202e😈")),
        ("triaged with no case id", e("case.triaged", case_id="")),
        ("stale closing of unknown case", e("case.closed", occurred_at=stale)),
        ("stale approval of unknown case", e("grant.approved", occurred_at=stale)),
        ("own request echoed back", e("notification.requested", producer="notifications")),
        ("request with no case id", e("notification.requested", case_id="")),
    ]
    return [(why, _no_case(ev)) for why, ev in out]


PROFILES: dict[str, Profile] = {
    "referral": Profile("referral", _build_referral, _referral_settings, _referral_sentinel, _referral_legal),
    "housing": Profile("housing", _build_housing, _housing_settings, _housing_sentinel, _housing_legal),
    "payments": Profile("payments", _build_payments, _payments_settings, _payments_sentinel, _payments_legal),
    "notifications": Profile(
        "notifications",
        _build_notifications,
        _notifications_settings,
        _notifications_sentinel,
        _notifications_legal,
    ),
}


@pytest.fixture
def run_service(kafka_bootstrap: str, mongo_uri: str, dev_auth: DevAuth) -> Callable[[str], Any]:
    """`async with run_service("housing") as running:` the service, built and started, then dropped."""

    @asynccontextmanager
    async def running(name: str) -> AsyncIterator[Running]:
        profile = PROFILES[name]
        unique = uuid.uuid4().hex[:12]
        settings = profile.settings(kafka_bootstrap, mongo_uri, unique, dev_auth)
        service = profile.build(settings)
        topics = sorted(t.removeprefix(settings.topic_namespace) for t in _subscribed(service))
        try:
            async with (
                LifespanManager(service.app, startup_timeout=60, shutdown_timeout=30),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(service.app), base_url="http://svc"
                ) as client,
            ):
                yield Running(profile, settings, service, client, kafka_bootstrap, topics)
        finally:
            mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
            try:
                await mongo.drop_database(settings.database)
            finally:
                await mongo.close()

    return running


def _subscribed(service: Any) -> set[str]:
    names: set[str] = set()
    for subscriber in service.runtime.broker.subscribers:
        names.update(subscriber.topic_names)
    return names
