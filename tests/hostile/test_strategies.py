"""The hostile strategies themselves, against the contract codec (no engines, fast).

Every poison message must be refused by `decode` with `InvalidEvent` (the one exception the
consumer turns into a dead letter at once), every unknown type must be readable enough to be
skipped, and every known-good sample must be valid, so a mutation of it is the only fault.
"""

from typing import Any

import pytest
from hostile_strategies import (
    KNOWN_TYPES,
    OUT_OF_RANGE,
    Expect,
    Hostile,
    dumps,
    good_envelope,
    poison,
    unknown_event_types,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lgnet_contracts import InvalidEvent, UnknownEventType, decode
from lgnet_contracts.registry import PAYLOADS, peek_type

FAST = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("event_type", [p.event_type for p in PAYLOADS])
def test_every_contract_type_has_a_valid_sample_and_bounds(event_type: str) -> None:
    event = decode(dumps(good_envelope(event_type)))
    assert event.event_type == event_type
    assert OUT_OF_RANGE[event_type], "each type needs at least one out-of-range mutation"


@FAST
@given(poison(KNOWN_TYPES))
def test_every_poison_message_is_refused_by_the_contract(message: Hostile) -> None:
    assert message.expect is Expect.POISON
    with pytest.raises(InvalidEvent) as refused:
        decode(message.value)
    if message.error_type is not None:
        assert type(refused.value).__name__ == message.error_type


@FAST
@given(unknown_event_types())
def test_unknown_types_are_readable_enough_to_be_skipped(message: Hostile) -> None:
    event_type, _ = peek_type(message.value)
    assert event_type not in KNOWN_TYPES
    with pytest.raises(UnknownEventType):
        decode(message.value)


@FAST
@given(st.sampled_from(KNOWN_TYPES), st.data())
def test_one_out_of_range_value_is_enough_to_refuse_an_event(event_type: str, data: Any) -> None:
    path, value = data.draw(st.sampled_from(OUT_OF_RANGE[event_type]))
    event = good_envelope(event_type)
    node = event["payload"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InvalidEvent):
        decode(dumps(event))
