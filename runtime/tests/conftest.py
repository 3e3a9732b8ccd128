import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.cases import CaseClosed, CaseOutcome
from lgnet_runtime.service import ServiceRuntime
from lgnet_runtime.settings import RuntimeSettings
from lgnet_testing.harness import isolated_settings


class ProbeSettings(RuntimeSettings):
    service_name = "probe"


def closed_event(case_id: str | None = None) -> Envelope[CaseClosed]:
    return new_event(
        CaseClosed(outcome=CaseOutcome.PLACED, closed_by="op-1", closed_at=datetime.now(UTC)),
        producer="probe",
        municipality="058091",
        case_id=case_id or str(uuid.uuid4()),
    )


@pytest.fixture
def settings(kafka_bootstrap: str, mongo_uri: str, unique_name: str) -> ProbeSettings:
    return isolated_settings(ProbeSettings, kafka_bootstrap, mongo_uri, unique_name)


@pytest_asyncio.fixture(loop_scope="session")
async def runtime(settings: ProbeSettings) -> AsyncIterator[ServiceRuntime]:
    rt = ServiceRuntime(settings)
    yield rt
    await rt.stop()
    await drop_database(settings)


async def drop_database(settings: RuntimeSettings) -> None:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(settings.mongodb_uri.get_secret_value())
    try:
        await client.drop_database(settings.database)
    finally:
        await client.close()


Doc = dict[str, Any]
