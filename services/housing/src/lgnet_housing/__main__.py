"""`lgnet-housing`: run the housing service (HTTP API, Kafka consumer, outbox relay, sweeper, webhooks)."""

import uvicorn

from lgnet_housing.bootstrap import build
from lgnet_housing.settings import HousingSettings
from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing


def main() -> None:
    settings = HousingSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    service = build(settings)
    # uvicorn turns SIGTERM into the lifespan shutdown, which stops the runtime gracefully.
    uvicorn.run(service.app, host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
