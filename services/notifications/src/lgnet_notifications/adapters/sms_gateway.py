"""SMS through an HTTP gateway: POST JSON, with our idempotency key in `Idempotency-Key`.

The gateway keeps the key for a day and answers a repeated one with the message it already
accepted, which is what makes a resend after a crash harmless. Delivery reports come back
to `status_callback`; the gateway also forwards replies (STOP) to our inbound webhook.
"""

from __future__ import annotations

import httpx

from lgnet_notifications.application.ports import (
    OutgoingMessage,
    ProviderFault,
    ProviderRejected,
    SendReceipt,
)
from lgnet_notifications.domain.channels import Channel as ChannelKind
from lgnet_notifications.rendering import SmsContent

# Worth retrying: timeouts, "same key still in progress", throttling, and the gateway's own faults.
_RETRYABLE = frozenset({408, 409, 425, 429})


class SmsGatewayChannel:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        sender: str,
        status_callback_url: str | None,
        provider: str = "sms_gateway",
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/v1/messages"
        self._api_key = api_key
        self._sender = sender
        self._callback = status_callback_url
        self._provider = provider

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.SMS

    @property
    def provider(self) -> str:
        return self._provider

    async def send(self, message: OutgoingMessage) -> SendReceipt:
        content = message.content.content
        if not isinstance(content, SmsContent):
            raise TypeError("the SMS channel sends SMS content only")
        body = {
            "to": message.to,
            "text": content.text,
            "sender": self._sender,
            "encoding": str(content.segments.encoding),
            "client_ref": message.notification_id,
            "status_callback": self._callback,
        }
        headers = {"Idempotency-Key": message.idempotency_key}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            response = await self._client.post(self._url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderFault(f"SMS gateway unreachable ({type(exc).__name__})") from None
        status = response.status_code
        if status >= 500 or status in _RETRYABLE:
            raise ProviderFault(f"SMS gateway answered {status}")
        if status in (401, 403):
            # Our credentials, not the person's number: retry, then fail over, loudly in the logs.
            raise ProviderFault(f"SMS gateway refused our credentials ({status})")
        if status >= 400:
            raise ProviderRejected(f"SMS gateway refused the message ({status})")
        try:
            answer = response.json()
            message_id = str(answer["message_id"])
        except (ValueError, KeyError, TypeError):
            raise ProviderFault("SMS gateway answer without a message id") from None
        segments = answer.get("segments")
        return SendReceipt(
            provider_message_id=message_id,
            segments=segments if isinstance(segments, int) else content.segments.segments,
        )
