"""App IO, the Italian public-services app: check the profile, then send by fiscal code.

The profile says whether the person accepts messages from this service (`sender_allowed`);
when not, or when there is no profile, nothing is sent and the next channel takes over.
IO takes the same `Idempotency-Key` header as our SMS gateway here.
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
from lgnet_notifications.rendering import AppIoContent

_RETRYABLE = frozenset({408, 409, 425, 429})


def _raise_for(status: int, what: str) -> None:
    if status >= 500 or status in _RETRYABLE:
        raise ProviderFault(f"App IO {what} answered {status}")
    if status in (401, 403):
        raise ProviderFault(f"App IO refused our subscription key on {what} ({status})")
    if status >= 400:
        raise ProviderRejected(f"App IO {what} refused ({status})")


class AppIoChannel:
    def __init__(
        self, client: httpx.AsyncClient, *, base_url: str, api_key: str, provider: str = "app_io"
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/") + "/api/v1"
        self._headers = {"Ocp-Apim-Subscription-Key": api_key} if api_key else {}
        self._provider = provider

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.APP_IO

    @property
    def provider(self) -> str:
        return self._provider

    async def send(self, message: OutgoingMessage) -> SendReceipt:
        content = message.content.content
        if not isinstance(content, AppIoContent):
            raise TypeError("the App IO channel sends App IO content only")
        try:
            # POST, not GET with the code in the path: a fiscal code must not land in access logs.
            profile = await self._client.post(
                f"{self._base}/profiles", json={"fiscal_code": message.to}, headers=self._headers
            )
            if profile.status_code == 404:
                raise ProviderRejected("no App IO profile")
            _raise_for(profile.status_code, "profile")
            if profile.json().get("sender_allowed") is not True:
                raise ProviderRejected("App IO profile does not accept messages from this service")
            sent = await self._client.post(
                f"{self._base}/messages",
                json={
                    "fiscal_code": message.to,
                    "content": {"subject": content.subject, "markdown": content.markdown},
                },
                headers={**self._headers, "Idempotency-Key": message.idempotency_key},
            )
        except httpx.HTTPError as exc:
            raise ProviderFault(f"App IO unreachable ({type(exc).__name__})") from None
        except ValueError:
            raise ProviderFault("App IO profile answer is not JSON") from None
        _raise_for(sent.status_code, "message")
        try:
            return SendReceipt(provider_message_id=str(sent.json()["id"]))
        except (ValueError, KeyError, TypeError):
            raise ProviderFault("App IO answer without a message id") from None
