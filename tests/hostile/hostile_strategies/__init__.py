"""Hostile Kafka messages for the services' consumers, as hypothesis strategies.

Every strategy yields `Hostile`: the exact bytes to publish and what the consumer must do with
them. `POISON` messages break the contract and must reach `<topic>.dlq` at once; `IGNORED`
messages carry an event type the consumer does not act on (documented: skipped before parsing);
`LEGAL` messages are valid events with awkward content that must be handled, never dead-lettered.

`samples` holds the known-good events, `limits` the contract's bounds, `values` the wrong
values and where to put them, `envelope` and `payload` the categories of poison, `mix` all of them.
"""

from .envelope import unknown_event_types
from .limits import KNOWN_TYPES, OUT_OF_RANGE
from .mix import hostile_batch, poison, poison_categories
from .model import Expect, Hostile
from .samples import MILANO, ROMA, dumps, good_envelope

__all__ = [
    "KNOWN_TYPES",
    "MILANO",
    "OUT_OF_RANGE",
    "ROMA",
    "Expect",
    "Hostile",
    "dumps",
    "good_envelope",
    "hostile_batch",
    "poison",
    "poison_categories",
    "unknown_event_types",
]
