"""Email over SMTP (aiosmtplib): one multipart/alternative message, plain text and HTML.

The Message-ID is derived from the notification's idempotency key, so a resend after a crash
carries the same Message-ID and the receiving mail system can recognise the copy.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from lgnet_notifications.application.ports import (
    OutgoingMessage,
    ProviderFault,
    ProviderRejected,
    SendReceipt,
)
from lgnet_notifications.domain.channels import Channel as ChannelKind
from lgnet_notifications.rendering import EmailContent


class SmtpEmailChannel:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        message_id_domain: str,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        timeout_seconds: float = 15.0,
        provider: str = "smtp",
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._domain = message_id_domain
        self._username = username
        self._password = password
        self._start_tls = start_tls
        self._timeout = timeout_seconds
        self._provider = provider

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.EMAIL

    @property
    def provider(self) -> str:
        return self._provider

    def message_id(self, notification_id: str) -> str:
        return f"<{notification_id}@{self._domain}>"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        content = message.content.content
        if not isinstance(content, EmailContent):
            raise TypeError("the email channel sends email content only")
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = content.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = self.message_id(message.notification_id)
        # Tells out-of-office robots not to answer an address nobody reads.
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(content.text, charset="utf-8")
        email.add_alternative(content.html, subtype="html", charset="utf-8")
        # After the body: setting content drops every Content-* header set before it.
        email["Content-Language"] = str(message.content.locale)
        return email

    async def send(self, message: OutgoingMessage) -> SendReceipt:
        email = self.build(message)
        try:
            await aiosmtplib.send(
                email,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._start_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({error.code for error in exc.recipients})
            if all(code >= 500 for code in codes):
                raise ProviderRejected(f"SMTP refused the recipient ({codes})") from None
            raise ProviderFault(f"SMTP deferred the recipient ({codes})") from None
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is a permanent refusal; 4xx means try later.
            if exc.code >= 500:
                raise ProviderRejected(f"SMTP refused the message ({exc.code})") from None
            raise ProviderFault(f"SMTP deferred the message ({exc.code})") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ProviderFault(f"SMTP unavailable ({type(exc).__name__})") from None
        return SendReceipt(provider_message_id=self.message_id(message.notification_id))
