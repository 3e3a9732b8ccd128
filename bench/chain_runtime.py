"""The chain built on `lgnet_runtime`: two `ServiceRuntime`s, each an ordinary service."""

import time
from typing import ClassVar

from chain_common import Engines, Recorder, closure_doc, notification_doc, notification_for, phase_of_closed
from prometheus_client import REGISTRY

from lgnet_contracts import Envelope
from lgnet_contracts.events.cases import CaseClosed
from lgnet_contracts.events.notifications import NotificationRequested
from lgnet_contracts.topics import CASES, NOTIFICATIONS
from lgnet_runtime.outbox import WriteResult
from lgnet_runtime.service import ServiceRuntime
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.harness import isolated_settings

DEPLOYED_RELAY = {
    name: RuntimeSettings.model_fields[name].default for name in ("relay_poll_seconds", "relay_sweep_seconds")
}


class ClosureSettings(RuntimeSettings):
    service_name: ClassVar[str] = "benchclosure"


class NotifySettings(RuntimeSettings):
    service_name: ClassVar[str] = "benchnotify"


class RuntimeChain:
    """Hop 1 (`benchclosure`) and, unless `hops=1`, hop 2 (`benchnotify`) in this process."""

    name = "runtime"

    def __init__(
        self, engines: Engines, namespace: str, unique: str, recorder: Recorder, *, hops: int = 2
    ) -> None:
        self._recorder = recorder
        # `isolated_settings` as in the tests (batch timeout 50 ms), but the relay's intervals as
        # deployed rather than the tests' short ones; one namespace shared by both hops so hop 1's
        # relay publishes where hop 2 reads.
        self.hop1 = ServiceRuntime(
            isolated_settings(
                ClosureSettings,
                engines.kafka,
                engines.mongo,
                unique,
                topic_namespace=namespace,
                **DEPLOYED_RELAY,
            )
        )
        self._closures = self.hop1.aggregates("closures")
        self.hop1.publishes([NOTIFICATIONS])
        self.hop1.subscribe([CASES], {"case.closed": self._on_closed})
        self.runtimes = [self.hop1]
        if hops == 2:
            hop2 = ServiceRuntime(
                isolated_settings(
                    NotifySettings,
                    engines.kafka,
                    engines.mongo,
                    unique,
                    topic_namespace=namespace,
                    **DEPLOYED_RELAY,
                )
            )
            self._notifications = hop2.aggregates("notifications")
            hop2.subscribe([NOTIFICATIONS], {"notification.requested": self._on_requested})
            self.runtimes.insert(0, hop2)  # started first, so it is in its group when events come

    @property
    def databases(self) -> list[str]:
        return [r.settings.database for r in self.runtimes]

    def published(self) -> float:
        """Events hop 1's relay has had acknowledged by Kafka."""
        value = REGISTRY.get_sample_value(
            "lgnet_outbox_published_total", {"service": ClosureSettings.service_name}
        )
        return value or 0.0

    async def _on_closed(self, event: Envelope[CaseClosed]) -> None:
        phase = phase_of_closed(event)
        self._recorder.consumed(phase, time.time())
        result = await self._closures.insert(
            closure_doc(event), events=[notification_for(event)], handled=str(event.event_id)
        )
        if result not in (WriteResult.APPLIED, WriteResult.ALREADY_HANDLED):
            raise RuntimeError(f"closure write: {result}")
        self._recorder.hop1(phase, event.occurred_at, result == WriteResult.APPLIED)

    async def _on_requested(self, event: Envelope[NotificationRequested]) -> None:
        result = await self._notifications.insert(notification_doc(event), handled=str(event.event_id))
        if result not in (WriteResult.APPLIED, WriteResult.ALREADY_HANDLED):
            raise RuntimeError(f"notification write: {result}")
        phase = event.payload.variables.get("phase", "?")
        self._recorder.hop2(phase, event.occurred_at, result == WriteResult.APPLIED)

    async def start(self) -> None:
        for runtime in self.runtimes:
            await runtime.start()

    async def stop(self) -> None:
        for runtime in reversed(self.runtimes):
            await runtime.stop()
