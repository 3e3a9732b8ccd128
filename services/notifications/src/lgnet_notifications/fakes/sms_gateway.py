"""A fake SMS gateway speaking the HTTP API our SmsGatewayChannel uses.

POST /v1/messages            take a message (Idempotency-Key honoured for the process' life)
POST /_control/fail          {"count": N, "status": 503}: the next N sends fail
POST /_control/deliver/{id}  {"status": "delivered"|"failed"}: send the delivery report
POST /_control/inbound       {"from": "+39...", "text": "STOP"}: forward a reply to the service
GET  /_control/messages      accepted messages, once each; GET /_control/requests: every request
POST /_control/reset
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import Body, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse

from lgnet_notifications.domain.sms_segments import count_segments


@dataclass
class RecordedSms:
    message_id: str
    to: str
    text: str
    sender: str
    client_ref: str | None
    idempotency_key: str | None
    status_callback: str | None
    segments: int
    received_at: str


@dataclass
class FakeSmsGateway:
    api_key: str = ""
    callback_token: str = ""
    inbound_url: str | None = None
    # Tests pass a client bound to the service app in-process; otherwise a plain one is made.
    callback_client: httpx.AsyncClient | None = None
    messages: list[RecordedSms] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    _by_key: dict[str, RecordedSms] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def fail(self, count: int, status: int = 503) -> None:
        self.fail_next, self.fail_status = count, status

    def reset(self) -> None:
        self.messages.clear()
        self.requests.clear()
        self.callbacks.clear()
        self._by_key.clear()
        self.fail_next = 0

    def to(self, phone: str) -> list[RecordedSms]:
        return [m for m in self.messages if m.to == phone]

    async def accept(self, body: dict[str, Any], idempotency_key: str | None) -> tuple[int, dict[str, Any]]:
        async with self._lock:
            self.requests.append({"body": body, "idempotency_key": idempotency_key})
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, {"error": "injected failure"}
            if idempotency_key and idempotency_key in self._by_key:
                known = self._by_key[idempotency_key]
                return 200, {"message_id": known.message_id, "segments": known.segments, "replayed": True}
            to, text = body.get("to"), body.get("text")
            if not isinstance(to, str) or not to.startswith("+") or not isinstance(text, str) or not text:
                return 422, {"error": "to (E.164) and text are required"}
            sms = RecordedSms(
                message_id=f"sms-{uuid.uuid4().hex[:16]}",
                to=to,
                text=text,
                sender=str(body.get("sender", "")),
                client_ref=body.get("client_ref"),
                idempotency_key=idempotency_key,
                status_callback=body.get("status_callback"),
                segments=count_segments(text).segments,
                received_at=datetime.now(UTC).isoformat(),
            )
            self.messages.append(sms)
            if idempotency_key:
                self._by_key[idempotency_key] = sms
            return 201, {"message_id": sms.message_id, "segments": sms.segments, "replayed": False}

    async def _post(self, url: str, payload: dict[str, Any]) -> int:
        headers = {"X-Callback-Token": self.callback_token} if self.callback_token else {}
        if self.callback_client is not None:
            response = await self.callback_client.post(url, json=payload, headers=headers)
        else:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(url, json=payload, headers=headers)
        self.callbacks.append({"url": url, "payload": payload, "status": response.status_code})
        return response.status_code

    async def deliver(self, message_id: str, status: str = "delivered", error: str | None = None) -> int:
        """Send the delivery report of one message to its status_callback; returns the HTTP status."""
        sms = next((m for m in self.messages if m.message_id == message_id), None)
        if sms is None or not sms.status_callback:
            raise LookupError(f"no message {message_id} with a status callback")
        payload = {
            "message_id": sms.message_id,
            "client_ref": sms.client_ref,
            "status": status,
            "at": datetime.now(UTC).isoformat(),
            "error": error,
        }
        return await self._post(sms.status_callback, payload)

    async def reply(self, from_phone: str, text: str) -> int:
        """A person answered one of our SMS: forward it to the inbound webhook."""
        if not self.inbound_url:
            raise LookupError("no inbound URL configured")
        payload = {"from": from_phone, "text": text, "received_at": datetime.now(UTC).isoformat()}
        return await self._post(self.inbound_url, payload)

    def app(self) -> FastAPI:
        app = FastAPI(title="Fake SMS gateway")

        @app.post("/v1/messages")
        async def send(
            body: dict[str, Any] = Body(...),
            authorization: str | None = Header(None),
            idempotency_key: str | None = Header(None),
        ) -> JSONResponse:
            if self.api_key and authorization != f"Bearer {self.api_key}":
                return JSONResponse({"error": "bad API key"}, status_code=401)
            status, answer = await self.accept(body, idempotency_key)
            return JSONResponse(answer, status_code=status)

        @app.post("/_control/fail")
        async def fail(body: dict[str, Any] = Body(...)) -> dict[str, int]:
            self.fail(int(body.get("count", 1)), int(body.get("status", 503)))
            return {"fail_next": self.fail_next}

        @app.post("/_control/deliver/{message_id}")
        async def deliver(message_id: str, body: dict[str, Any] | None = Body(None)) -> dict[str, int]:
            try:
                status = await self.deliver(message_id, str((body or {}).get("status", "delivered")))
            except LookupError as exc:
                raise HTTPException(404, str(exc)) from None
            return {"callback_status": status}

        @app.post("/_control/inbound")
        async def inbound(body: dict[str, Any] = Body(...)) -> dict[str, int]:
            try:
                return {"callback_status": await self.reply(str(body["from"]), str(body["text"]))}
            except (KeyError, LookupError) as exc:
                raise HTTPException(422, str(exc)) from None

        @app.get("/_control/messages")
        async def messages() -> list[dict[str, Any]]:
            return [asdict(m) for m in self.messages]

        @app.get("/_control/requests")
        async def requests() -> list[dict[str, Any]]:
            return self.requests

        @app.post("/_control/reset")
        async def reset() -> dict[str, bool]:
            self.reset()
            return {"reset": True}

        return app
