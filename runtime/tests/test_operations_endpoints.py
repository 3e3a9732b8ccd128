"""/healthz, /readyz and /metrics: readiness turns 503 when an engine cannot be reached."""

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel, Field

from lgnet_contracts.topics import CASES
from lgnet_runtime.http import create_http_app
from lgnet_runtime.service import ServiceRuntime

from .conftest import ProbeSettings

pytestmark = pytest.mark.engines


async def test_ready_healthy_and_metrics_on_real_engines(runtime: ServiceRuntime) -> None:
    runtime.publishes([CASES])
    app = create_http_app(runtime, title="probe")
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
    ):
        assert (await client.get("/healthz")).json()["status"] == "ok"
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"mongodb": "ok", "kafka": "ok"}
        metrics = (await client.get("/metrics")).text
        assert "lgnet_events_handled_total" in metrics
        assert "lgnet_outbox_backlog" in metrics


async def test_readiness_is_503_when_the_database_is_unreachable(settings: ProbeSettings) -> None:
    unreachable = settings.model_copy(
        update={
            "mongodb_uri": settings.mongodb_uri.__class__(
                "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300"
            )
        }
    )
    runtime = ServiceRuntime(unreachable)
    await runtime.start()
    try:
        checks = await runtime.readiness()
    finally:
        await runtime.stop()
    assert checks["kafka"] == "ok"
    assert checks["mongodb"].startswith("unreachable")


async def test_a_rejected_value_is_never_echoed_back(runtime: ServiceRuntime) -> None:
    router = APIRouter()

    class Contact(BaseModel):
        phone: str = Field(pattern=r"^\+[1-9]\d{1,14}$")
        age: int

    @router.post("/contacts")
    async def add_contact(contact: Contact) -> dict[str, str]:
        return {"phone": contact.phone}

    app = create_http_app(runtime, title="probe", routers=[router])
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
    ):
        answer = await client.post("/contacts", json={"phone": "call Maria 3331234567", "age": "old"})
    assert answer.status_code == 422
    assert "3331234567" not in answer.text
    assert "old" not in answer.text
    assert {e["field"] for e in answer.json()["detail"]} == {"phone", "age"}
