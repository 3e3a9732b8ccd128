"""Signed partner webhooks: a receiver that fails first, then succeeds; dead letter after N attempts."""

import asyncio
import json
import threading
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook
from werkzeug import Request, Response

from lgnet_testing.harness import publish_events

from .conftest import RunHousing, triaged

pytestmark = pytest.mark.engines


class FlakyReceiver:
    """Answers 503 to the first `failures` requests, then 200; keeps what it received."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            status = 503 if len(self.received) < self.failures else 200
            self.received.append(
                ({k.lower(): v for k, v in request.headers.items()}, request.get_data(), status)
            )
        return Response("", status=status)


async def _wait(predicate: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_offer_webhook_is_retried_until_delivered_and_its_signature_verifies(
    run_housing: RunHousing, httpserver: HTTPServer
) -> None:
    receiver = FlakyReceiver(failures=2)
    httpserver.expect_request("/hooks/housing", method="POST").respond_with_handler(receiver)
    async with run_housing() as h:
        shelter = await h.register(
            "casa-w",
            {"single": 1},
            delivery={"mode": "webhook", "webhook_url": httpserver.url_for("/hooks/housing")},
        )
        secret = shelter["webhook_secret"]
        assert secret.startswith("whsec_")
        listed = (await h.client.get("/shelters/casa-w", headers=h.coordinator())).json()
        assert listed["webhook_secret"] is None  # shown once, at registration

        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])
        offered = (await h.events.wait_for_type("placement.offered", case.case_id))[0]
        await _wait(lambda: any(status == 200 for _, _, status in receiver.received))

        attempts = [r for r in receiver.received if r[0]["webhook-id"] == f"msg_{offered.event_id}"]
        assert [status for _, _, status in attempts] == [503, 503, 200]
        headers, body, _ = attempts[-1]
        message = Webhook(secret).verify(body, headers)
        assert message["type"] == "placement.offered"
        assert message["data"]["placement_id"] == offered.payload.placement_id
        view = message["data"]["placement"]
        assert view["language"] == "ar"
        assert view["adults"] == 1
        assert "household" not in view
        assert "notes" not in json.dumps(message)
        # One id for every attempt of one message, so the partner can drop duplicates.
        assert len({h_["webhook-id"] for h_, _, _ in attempts}) == 1

        deliveries = (
            await h.client.get(
                "/shelters/casa-w/webhook-deliveries?status=delivered", headers=h.coordinator()
            )
        ).json()
        assert any(d["event_type"] == "placement.offered" and d["attempts"] == 3 for d in deliveries)


async def test_webhook_goes_to_the_dead_letters_after_the_last_attempt(
    run_housing: RunHousing, httpserver: HTTPServer
) -> None:
    receiver = FlakyReceiver(failures=1000)
    httpserver.expect_request("/hooks/down", method="POST").respond_with_handler(receiver)
    async with run_housing(webhook_max_attempts=3) as h:
        await h.register(
            "casa-d",
            {"single": 1},
            delivery={"mode": "webhook", "webhook_url": httpserver.url_for("/hooks/down")},
        )
        case = triaged()
        await publish_events(h.settings.kafka_bootstrap_servers, h.settings.topic_namespace, [case])
        await h.events.wait_for_type("placement.offered", case.case_id)

        async def dead() -> list[dict[str, Any]]:
            url = "/shelters/casa-d/webhook-deliveries?status=dead"
            return list((await h.client.get(url, headers=h.coordinator())).json())

        deadline = asyncio.get_running_loop().time() + 15
        while not (letters := await dead()):
            assert asyncio.get_running_loop().time() < deadline, "no dead letter"
            await asyncio.sleep(0.1)
        assert letters[0]["attempts"] == 3
        assert letters[0]["last_error"] == "HTTP 503"
        assert len(receiver.received) == 3
