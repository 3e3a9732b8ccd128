"""structlog set-up: JSON lines for machines, console rendering in a terminal.

No personal data is ever logged; as a last line of defence a processor drops values under
keys that name personal fields, should a careless call pass one.
"""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from pydantic_core import to_json

PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "surname",
        "phone",
        "email",
        "fiscal_code",
        "iban",
        "notes",
        "contact",
        "address",
        "birth_date",
        "date_of_birth",
        "password",
        "token",
        "authorization",
    }
)


def _drop_personal(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in PERSONAL_KEYS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


def _dumps(event_dict: Any, **_: Any) -> str:
    # A line per handled event: the Rust encoder is about three times faster than json.dumps.
    return to_json(event_dict, fallback=str).decode()


def configure_logging(service: str, *, fmt: str = "auto", level: str = "INFO") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_dumps) if use_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_personal,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries log through the standard library; keep them quiet unless something is wrong.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
