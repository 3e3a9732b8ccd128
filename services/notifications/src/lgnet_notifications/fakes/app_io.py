"""A fake App IO speaking the part of the IO API our AppIoChannel uses.

GET  /api/v1/profiles/{fiscal_code} and POST /api/v1/profiles {"fiscal_code"}: 404 unless known
POST /api/v1/messages               {"fiscal_code", "content": {"subject", "markdown"}}
PUT  /_control/profiles/{fiscal_code} {"sender_allowed": bool}; POST /_control/fail {"count"}
GET  /_control/messages; POST /_control/reset
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import Body, FastAPI, Header
from fastapi.responses import JSONResponse


@dataclass
class RecordedIoMessage:
    id: str
    fiscal_code: str
    subject: str
    markdown: str
    idempotency_key: str | None


@dataclass
class FakeAppIo:
    api_key: str = ""
    profiles: dict[str, bool] = field(default_factory=dict)  # fiscal code -> sender_allowed
    messages: list[RecordedIoMessage] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    _by_key: dict[str, RecordedIoMessage] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def fail(self, count: int, status: int = 503) -> None:
        self.fail_next, self.fail_status = count, status

    def reset(self) -> None:
        self.messages.clear()
        self.requests.clear()
        self._by_key.clear()
        self.fail_next = 0

    def _injected(self) -> JSONResponse | None:
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"title": "injected failure"}, status_code=self.fail_status)
        return None

    def _profile(self, fiscal_code: str) -> JSONResponse:
        self.requests.append({"profile": fiscal_code})
        injected = self._injected()
        if injected is not None:
            return injected
        allowed = self.profiles.get(fiscal_code.upper())
        if allowed is None:
            return JSONResponse({"title": "Profile not found"}, status_code=404)
        return JSONResponse({"sender_allowed": allowed, "preferred_languages": []})

    async def _message(self, body: dict[str, Any], idempotency_key: str | None) -> JSONResponse:
        async with self._lock:
            self.requests.append({"message": body.get("fiscal_code"), "idempotency_key": idempotency_key})
            injected = self._injected()
            if injected is not None:
                return injected
            if idempotency_key and idempotency_key in self._by_key:
                return JSONResponse({"id": self._by_key[idempotency_key].id}, status_code=201)
            content = body.get("content") or {}
            subject, markdown = str(content.get("subject", "")), str(content.get("markdown", ""))
            if not 10 <= len(subject) <= 120 or not 80 <= len(markdown) <= 10_000:
                return JSONResponse({"title": "subject 10-120, markdown 80-10000"}, status_code=400)
            message = RecordedIoMessage(
                f"io-{uuid.uuid4().hex[:16]}",
                str(body.get("fiscal_code")),
                subject,
                markdown,
                idempotency_key,
            )
            self.messages.append(message)
            if idempotency_key:
                self._by_key[idempotency_key] = message
            return JSONResponse({"id": message.id}, status_code=201)

    def app(self) -> FastAPI:
        app = FastAPI(title="Fake App IO")

        def authorised(key: str | None) -> bool:
            return not self.api_key or key == self.api_key

        @app.get("/api/v1/profiles/{fiscal_code}")
        async def profile(
            fiscal_code: str, ocp_apim_subscription_key: str | None = Header(None)
        ) -> JSONResponse:
            if not authorised(ocp_apim_subscription_key):
                return JSONResponse({"title": "Unauthorized"}, status_code=401)
            return self._profile(fiscal_code)

        @app.post("/api/v1/profiles")
        async def profile_by_post(
            body: dict[str, Any] = Body(...), ocp_apim_subscription_key: str | None = Header(None)
        ) -> JSONResponse:
            if not authorised(ocp_apim_subscription_key):
                return JSONResponse({"title": "Unauthorized"}, status_code=401)
            return self._profile(str(body.get("fiscal_code", "")))

        @app.post("/api/v1/messages")
        async def message(
            body: dict[str, Any] = Body(...),
            ocp_apim_subscription_key: str | None = Header(None),
            idempotency_key: str | None = Header(None),
        ) -> JSONResponse:
            if not authorised(ocp_apim_subscription_key):
                return JSONResponse({"title": "Unauthorized"}, status_code=401)
            return await self._message(body, idempotency_key)

        @app.put("/_control/profiles/{fiscal_code}")
        async def set_profile(fiscal_code: str, body: dict[str, Any] = Body(...)) -> dict[str, bool]:
            self.profiles[fiscal_code.upper()] = bool(body.get("sender_allowed", True))
            return {"sender_allowed": self.profiles[fiscal_code.upper()]}

        @app.post("/_control/fail")
        async def fail(body: dict[str, Any] = Body(...)) -> dict[str, int]:
            self.fail(int(body.get("count", 1)), int(body.get("status", 503)))
            return {"fail_next": self.fail_next}

        @app.get("/_control/messages")
        async def messages() -> list[dict[str, Any]]:
            return [asdict(m) for m in self.messages]

        @app.post("/_control/reset")
        async def reset() -> dict[str, bool]:
            self.reset()
            return {"reset": True}

        return app
