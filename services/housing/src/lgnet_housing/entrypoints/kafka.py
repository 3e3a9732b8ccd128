"""Kafka handlers: thin, each hands the event to a use case (which does the one write)."""

from typing import Any

from lgnet_contracts import Envelope
from lgnet_housing.application.lifecycle import Lifecycle
from lgnet_housing.application.placing import Placer
from lgnet_runtime.consumer import Handler


def case_handlers(placer: Placer, lifecycle: Lifecycle) -> dict[str, Handler]:
    async def on_case_triaged(event: Envelope[Any]) -> None:
        placement_id = await placer.request(event)
        if placement_id is not None:
            # Also on a redelivery: matching only acts on a placement still looking for a bed.
            await placer.place(placement_id, cause=event)

    async def on_case_closed(event: Envelope[Any]) -> None:
        await lifecycle.cancel_case(event)

    return {"case.triaged": on_case_triaged, "case.closed": on_case_closed}
