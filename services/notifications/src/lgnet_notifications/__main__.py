"""`lgnet-notifications`: run the service (HTTP API, Kafka consumers, dispatcher, outbox relay)."""

import uvicorn

from lgnet_notifications.bootstrap import build
from lgnet_notifications.settings import NotificationsSettings
from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing


def main() -> None:
    settings = NotificationsSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    # uvicorn turns SIGTERM into the lifespan shutdown: dispatcher first, then the runtime.
    uvicorn.run(build(settings).app, host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
