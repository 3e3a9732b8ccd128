"""The service in-process on the real engines, with a local SMTP server and the fake SMS gateway."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseReported, CaseTriaged, Consent, Household
from lgnet_contracts.events.grants import GrantApproved
from lgnet_contracts.events.placements import PlacementConfirmed
from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.types import Gender, Need, Priority
from lgnet_notifications.bootstrap import NotificationsService, build
from lgnet_notifications.fakes import FakeSmsGateway, serve_in_background
from lgnet_notifications.settings import NotificationsSettings
from lgnet_runtime.sealing import Sealer
from lgnet_testing.auth import dev_auth  # noqa: F401  (session fixture)
from lgnet_testing.harness import isolated_settings

ROMA = "058091"
MILANO = "015146"
HOTLINE = "+39 06 0606"
CALLBACK_TOKEN = "callback-secret"
SEALING_KEYS = f"k1:{Sealer.generate_key()}"
SERVICE_URL = "http://notifications.test"


class Inbox:
    """aiosmtpd handler: keeps every message it is given (from the server's own thread)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpSink:
    inbox: Inbox
    port: int


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink(inbox, port)
    finally:
        controller.stop()


@dataclass
class Harness:
    settings: NotificationsSettings
    service: NotificationsService
    client: httpx.AsyncClient
    gateway: FakeSmsGateway
    inbox: Inbox
    sealer: Sealer


HarnessFactory = Callable[..., Any]


@pytest_asyncio.fixture
async def start_service(
    kafka_bootstrap: str,
    mongo_uri: str,
    unique_name: str,
    dev_auth: Any,  # noqa: F811  (the fixture imported above)
    smtp: SmtpSink,
) -> AsyncIterator[HarnessFactory]:
    """Call it (with settings overrides) to run the service; stopped when the test ends."""
    stack: list[Any] = []

    async def start(**overrides: Any) -> Harness:
        gateway = FakeSmsGateway(
            callback_token=CALLBACK_TOKEN, inbound_url=f"{SERVICE_URL}/callbacks/sms/inbound"
        )
        served = serve_in_background(gateway.app())
        sms_url = await served.__aenter__()
        stack.append(served)
        values: dict[str, Any] = {
            **dev_auth.settings,
            "sealing_keys": SEALING_KEYS,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "sms_gateway_url": sms_url,
            "sms_callback_token": CALLBACK_TOKEN,
            "public_base_url": SERVICE_URL,
            "hotline_phones": {ROMA: HOTLINE},
            "retry_backoff_base_seconds": 0.05,
            "retry_backoff_cap_seconds": 0.2,
            "max_attempts": 3,
            "dispatch_poll_seconds": 0.1,
            "send_timeout_seconds": 5.0,
        }
        values.update(overrides)
        settings = isolated_settings(NotificationsSettings, kafka_bootstrap, mongo_uri, unique_name, **values)
        service = build(settings)
        lifespan = LifespanManager(service.app, startup_timeout=60, shutdown_timeout=30)
        await lifespan.__aenter__()
        stack.append(lifespan)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(service.app), base_url=SERVICE_URL)
        stack.append(client)
        # The gateway's callbacks reach the in-process app the way the gateway would over HTTP.
        gateway.callback_client = client
        return Harness(settings, service, client, gateway, smtp.inbox, Sealer.from_setting(SEALING_KEYS))

    yield start
    for resource in reversed(stack):
        await resource.__aexit__(None, None, None)


# -- contract events, as the other services publish them ---------------------------------------


def new_case_id() -> str:
    return str(uuid.uuid4())


def case_reported(
    sealer: Sealer,
    case_id: str,
    *,
    phone: str | None = None,
    email_address: str | None = None,
    language: str = "it",
    consent: bool = True,
    municipality: str = ROMA,
) -> Envelope[CaseReported]:
    now = datetime.now(UTC)
    contact = ContactDetails(
        first_name="Amina", phone=phone, email=email_address, preferred_language=language
    )
    return new_event(
        CaseReported(
            reported_at=now,
            reported_by="operator-7",
            household=Household(adults=[Gender.FEMALE], minors_ages=[4]),
            needs=[Need.SHELTER_TONIGHT],
            consent=Consent(contact=consent, data_processing=True, recorded_at=now, recorded_by="operator-7"),
            contact=sealer.seal(contact, bound_to=case_id),
            preferred_language=language,
        ),
        producer="referral",
        municipality=municipality,
        case_id=case_id,
    )


def case_triaged(case_id: str, municipality: str = ROMA) -> Envelope[CaseTriaged]:
    now = datetime.now(UTC)
    return new_event(
        CaseTriaged(
            priority=Priority.P1,
            score=9,
            breakdown=[],
            needs=[Need.SHELTER_TONIGHT],
            sla_deadline=now + timedelta(hours=2),
            policy_version="2025.1",
            household_size=2,
            reported_at=now,
        ),
        producer="referral",
        municipality=municipality,
        case_id=case_id,
    )


def placement_confirmed(case_id: str, *, shelter_phone: str | None = None) -> Envelope[PlacementConfirmed]:
    return new_event(
        PlacementConfirmed(
            placement_id=f"pl-{case_id[:8]}",
            shelter_id="sh-roma-1",
            shelter_name="Casa Accoglienza San Paolo",
            shelter_address="Via Ostiense 12, Roma",
            shelter_phone=shelter_phone,
            arrive_by=datetime(2025, 3, 12, 20, 30, tzinfo=UTC),
        ),
        producer="housing",
        municipality=ROMA,
        case_id=case_id,
    )


def grant_approved(case_id: str, amount_cents: int = 45_000) -> Envelope[GrantApproved]:
    return new_event(
        GrantApproved(
            grant_id=f"gr-{case_id[:8]}",
            amount_cents=amount_cents,
            approved_by="approver-2",
            automatic=False,
            reasons=[],
        ),
        producer="payments",
        municipality=ROMA,
        case_id=case_id,
    )


async def eventually(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Kit:
    """Test modules cannot import conftest (importlib mode): they get its helpers through `kit`."""

    ROMA = ROMA
    MILANO = MILANO
    HOTLINE = HOTLINE
    new_case_id = staticmethod(new_case_id)
    case_reported = staticmethod(case_reported)
    case_triaged = staticmethod(case_triaged)
    placement_confirmed = staticmethod(placement_confirmed)
    grant_approved = staticmethod(grant_approved)
    eventually = staticmethod(eventually)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
