"""``lgnet-payments``: run the payments service (HTTP API, triage consumer, outbox relay)."""

import sys

import uvicorn

from lgnet_payments.application.errors import ConfigurationError
from lgnet_payments.bootstrap import build
from lgnet_payments.settings import PaymentsSettings
from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing


def main() -> None:
    settings = PaymentsSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    try:
        service = build(settings)
    except ConfigurationError as error:
        # Refuse to start rather than pay with rules or accounts nobody approved.
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from None
    # uvicorn's SIGTERM handling runs the lifespan shutdown, which stops the runtime gracefully.
    uvicorn.run(service.app, host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
