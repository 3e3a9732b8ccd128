"""The channel adapters against the fake providers, in-process (ASGI transport, no network)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from lgnet_contracts.sealed import ContactDetails
from lgnet_notifications.adapters.app_io import AppIoChannel
from lgnet_notifications.adapters.contact_vault import SealedContactVault
from lgnet_notifications.adapters.email_smtp import SmtpEmailChannel
from lgnet_notifications.adapters.sms_gateway import SmsGatewayChannel
from lgnet_notifications.application.ports import OutgoingMessage, ProviderFault, ProviderRejected
from lgnet_notifications.application.records import Recipient
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.fakes import FakeAppIo, FakeSmsGateway
from lgnet_notifications.rendering import Renderer
from lgnet_runtime.sealing import Sealer

RENDERER = Renderer()
VARIABLES = {"reference": "RR-1", "hotline_phone": "+39 06 0606"}
CF = "RSSMRA85T10A562S"
CASE = "0f8fad5b-d9cb-469f-a165-70867728950e"


def outgoing(channel: Channel, to: str, locale: str = "en", key: str = "evt-1:case-1:x") -> OutgoingMessage:
    rendered = RENDERER.render("case_received", channel, locale, VARIABLES)
    return OutgoingMessage("3b7c9d2e-0000-5000-8000-000000000001", key, to, rendered)


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeSmsGateway, SmsGatewayChannel]]:
    fake = FakeSmsGateway(api_key="secret")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(fake.app()), base_url="http://gw") as client:
        yield (
            fake,
            SmsGatewayChannel(
                client,
                base_url="http://gw",
                api_key="secret",  # pragma: allowlist secret
                sender="LGNet3",
                status_callback_url="http://svc/cb",
            ),
        )


async def test_sms_is_posted_with_the_idempotency_key(
    gateway: tuple[FakeSmsGateway, SmsGatewayChannel],
) -> None:
    fake, channel = gateway
    receipt = await channel.send(outgoing(Channel.SMS, "+393331234567"))
    again = await channel.send(outgoing(Channel.SMS, "+393331234567"))
    assert receipt == again  # the gateway answered the repeat with the message it already had
    [sms] = fake.messages
    assert sms.idempotency_key == "evt-1:case-1:x"
    assert sms.status_callback == "http://svc/cb"
    assert sms.client_ref == "3b7c9d2e-0000-5000-8000-000000000001"
    assert receipt.segments == 1


async def test_arabic_sms_is_counted_in_ucs2_segments(
    gateway: tuple[FakeSmsGateway, SmsGatewayChannel],
) -> None:
    fake, channel = gateway
    message = outgoing(Channel.SMS, "+393331234567", locale="ar")
    receipt = await channel.send(message)
    assert receipt.segments == message.content.content.segments.segments > 1  # type: ignore[union-attr]
    assert fake.requests[0]["body"]["encoding"] == "ucs2"


@pytest.mark.parametrize(
    ("status", "error"), [(503, ProviderFault), (429, ProviderFault), (401, ProviderFault)]
)
async def test_sms_gateway_faults_are_retryable(
    gateway: tuple[FakeSmsGateway, SmsGatewayChannel], status: int, error: type[Exception]
) -> None:
    fake, channel = gateway
    fake.fail(1, status)
    with pytest.raises(error, match=str(status)):
        await channel.send(outgoing(Channel.SMS, "+393331234567"))
    assert (await channel.send(outgoing(Channel.SMS, "+393331234567"))).provider_message_id


async def test_sms_gateway_refusal_is_final(gateway: tuple[FakeSmsGateway, SmsGatewayChannel]) -> None:
    _, channel = gateway
    with pytest.raises(ProviderRejected, match="422"):
        await channel.send(outgoing(Channel.SMS, "3331234567"))  # not E.164


async def test_unreachable_gateway_is_a_fault() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        channel = SmsGatewayChannel(
            client, base_url="http://gw", api_key="", sender="LGNet3", status_callback_url=None
        )
        with pytest.raises(ProviderFault, match="ConnectError"):
            await channel.send(outgoing(Channel.SMS, "+393331234567"))


@pytest.fixture
async def app_io() -> AsyncIterator[tuple[FakeAppIo, AppIoChannel]]:
    fake = FakeAppIo(api_key="io-key")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(fake.app()), base_url="http://io") as client:
        yield fake, AppIoChannel(client, base_url="http://io", api_key="io-key")  # pragma: allowlist secret


async def test_app_io_sends_when_the_profile_allows_it(app_io: tuple[FakeAppIo, AppIoChannel]) -> None:
    fake, channel = app_io
    fake.profiles[CF] = True
    receipt = await channel.send(outgoing(Channel.APP_IO, CF))
    assert receipt == await channel.send(outgoing(Channel.APP_IO, CF))
    [message] = fake.messages
    assert message.fiscal_code == CF
    assert 10 <= len(message.subject) <= 120
    assert len(message.markdown) >= 80


@pytest.mark.parametrize("allowed", [False, None])
async def test_app_io_skips_when_not_allowed_or_no_profile(
    app_io: tuple[FakeAppIo, AppIoChannel], allowed: bool | None
) -> None:
    fake, channel = app_io
    if allowed is not None:
        fake.profiles[CF] = allowed
    with pytest.raises(ProviderRejected):
        await channel.send(outgoing(Channel.APP_IO, CF))
    assert fake.messages == []


async def test_app_io_fault_is_retryable(app_io: tuple[FakeAppIo, AppIoChannel]) -> None:
    fake, channel = app_io
    fake.profiles[CF] = True
    fake.fail(1)
    with pytest.raises(ProviderFault, match="503"):
        await channel.send(outgoing(Channel.APP_IO, CF))


def test_email_is_multipart_with_a_message_id_from_the_key() -> None:
    channel = SmtpEmailChannel(
        host="127.0.0.1",
        port=1025,
        sender="LGNet3 <noreply@lgnet.invalid>",
        message_id_domain="n.lgnet.invalid",
    )
    email = channel.build(outgoing(Channel.EMAIL, "amina@example.org", locale="ar"))
    assert email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
    assert email["Message-ID"] == "<3b7c9d2e-0000-5000-8000-000000000001@n.lgnet.invalid>"
    assert email["Content-Language"] == "ar"
    assert email["Auto-Submitted"] == "auto-generated"
    html = email.get_body(("html",))
    assert html is not None
    assert 'dir="rtl"' in html.get_content()


def test_vault_opens_only_what_was_sealed_for_the_case() -> None:
    keys = f"k1:{Sealer.generate_key()}"
    vault = SealedContactVault.from_settings(keys)
    sealed = Sealer.from_setting(keys).seal(
        ContactDetails(first_name="Amina", phone="+39 333 123 4567", fiscal_code=CF), bound_to=CASE
    )
    recipient = Recipient(CASE, "058091", True, "ar", sealed.model_dump())
    contact = vault.open(recipient)
    assert contact.data.phone_e164 == "+393331234567"
    assert contact.data.fiscal_code == CF
    assert contact.first_name == "Amina"
    other_case = Recipient("1f8fad5b-d9cb-469f-a165-70867728950e", "058091", True, "ar", sealed.model_dump())
    with pytest.raises(ValueError, match="cannot be opened"):
        vault.open(other_case)
    assert vault.phone_lookup("+39 333 123 4567") == vault.phone_lookup("3331234567")
    assert vault.phone_lookup("not a number") is None
