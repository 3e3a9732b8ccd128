"""``lgnet-referral``: run the referral service (HTTP API, consumers, outbox relay, SLA watchdog)."""

import sys

import uvicorn

from lgnet_referral.application.errors import ConfigurationError
from lgnet_referral.bootstrap import build
from lgnet_referral.settings import ReferralSettings
from lgnet_runtime.logging import configure_logging
from lgnet_runtime.telemetry import configure_tracing


def main() -> None:
    settings = ReferralSettings()
    configure_logging(settings.service_name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    try:
        service = build(settings)
    except ConfigurationError as error:
        # Refuse to start rather than triage with a policy nobody approved.
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from None
    # uvicorn's SIGTERM handling runs the lifespan shutdown, which stops the runtime gracefully.
    uvicorn.run(service.app, host=settings.http_host, port=settings.http_port, log_config=None)


if __name__ == "__main__":
    main()
