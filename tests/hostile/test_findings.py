"""Hostile inputs that once got past a consumer: each test states the promise and guards its fix.

F1 a non-UTF-8 header, F2 a message too large for its own dead letter, F3 a huge integer, F4
JSON nested too deep, F5 wrong-typed or unbounded fields, F6 a household no service could
accept. Engine tests run on the payments service (the smallest consumer) and on housing; the
fixes sit in the shared runtime and contracts, so every service has them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from typing import Any

import pytest
from hostile_strategies import dumps, good_envelope

from lgnet_contracts import InvalidEvent, decode

CASES = "lgnet.referral.cases"


def _keeps(letter: Any, value: bytes) -> bool:
    """The letter holds the original: whole, or (too large) its head, size and digest."""
    kept = base64.b64decode(letter.value_b64)
    if letter.value_truncated:
        return value.startswith(kept) and letter.value_sha256 == hashlib.sha256(value).hexdigest()
    return kept == value


async def _throw(
    run_service: Any,
    service: str,
    value: bytes,
    headers: list[tuple[str, bytes]] | None = None,
    *,
    wait: float = 6.0,
) -> tuple[bool, bool, int]:
    """Publish one message then a sentinel; (message dead-lettered, sentinel handled, letters)."""
    async with run_service(service) as running:
        sentinel = running.profile.sentinel()
        await sentinel.handled(running)
        [sent] = await running.publish([(CASES, None, value, headers or [], None)])
        await running.publish([(CASES, sentinel.event["case_id"].encode(), dumps(sentinel.event), [], None)])
        deadline = asyncio.get_running_loop().time() + wait
        handled = False
        while asyncio.get_running_loop().time() < deadline and not handled:
            handled = await sentinel.handled(running)
            await asyncio.sleep(0.2)
        letters = await running.dead_letters()
        dead_lettered = any(s.letter.offset == sent.offset and _keeps(s.letter, value) for s in letters)
        assert running.subscribers_alive()
        return dead_lettered, handled, len(letters)


@pytest.mark.engines
async def test_a_message_with_a_binary_header_is_dead_lettered_not_lost(run_service: Any) -> None:
    dead, handled, _ = await _throw(run_service, "payments", b"poison", [("x-hostile", b"\xff\xfe")])
    assert dead, "the hostile message is not in the dead-letter topic"
    assert handled, "the consumer did not go on to the next message"


@pytest.mark.engines
async def test_a_900_kb_message_is_dead_lettered(run_service: Any) -> None:
    dead, handled, _ = await _throw(run_service, "payments", b'"' + b"x" * 900_000 + b'"')
    assert dead, "the hostile message is not in the dead-letter topic"
    assert handled, "the consumer did not go on to the next message"


@pytest.mark.engines
async def test_an_integer_of_5000_digits_is_dead_lettered(run_service: Any) -> None:
    value = b'{"event_type": "case.triaged", "schema_version": 1, "n": ' + b"9" * 5000 + b"}"
    dead, handled, _ = await _throw(run_service, "payments", value)
    assert dead, "the hostile message is not in the dead-letter topic"
    assert handled, "the consumer did not go on to the next message"


@pytest.mark.engines
async def test_json_nested_100_000_deep_is_dead_lettered(run_service: Any) -> None:
    dead, handled, _ = await _throw(run_service, "payments", b"[" * 100_000 + b"]" * 100_000)
    assert dead, "the hostile message is not in the dead-letter topic"
    assert handled, "the consumer did not go on to the next message"


@pytest.mark.engines
async def test_an_impossible_household_is_refused_at_once_not_retried(run_service: Any) -> None:
    event = good_envelope("case.triaged")
    event["payload"]["housing"]["household"] = {
        "adults": ["female"],
        "minors_ages": [15],
        "unaccompanied_minor": True,
    }
    with pytest.raises(InvalidEvent, match="unaccompanied minor"):
        decode(dumps(event))
    dead, handled, _ = await _throw(run_service, "housing", dumps(event), wait=8.0)
    assert dead, "refused by the contract: dead-lettered as invalid, with no retries"
    assert handled


def _lenient(change: Any) -> bytes:
    event = good_envelope("case.triaged")
    change(event)
    return dumps(event)


LENIENT = {
    "integer as string": _lenient(lambda e: e["payload"].__setitem__("household_size", "3")),
    "integer as float": _lenient(lambda e: e["payload"].__setitem__("household_size", 3.0)),
    "schema_version true": _lenient(lambda e: e.__setitem__("schema_version", True)),
    "datetime as unix seconds": _lenient(lambda e: e.__setitem__("occurred_at", 0)),
    "event_id without dashes": _lenient(lambda e: e.__setitem__("event_id", uuid.uuid4().hex)),
    "score of 4000 digits": _lenient(lambda e: e["payload"].__setitem__("score", 10**4000)),
    "producer of 500 KB": _lenient(lambda e: e.__setitem__("producer", "x" * 500_000)),
}


@pytest.mark.parametrize("case", list(LENIENT))
def test_wrong_typed_or_unbounded_fields_are_refused(case: str) -> None:
    with pytest.raises(InvalidEvent):
        decode(LENIENT[case])
