"""Poison in the bytes and the envelope: not JSON, not an object, wrong or missing envelope fields.

Also the one category that is not poison: a type nobody knows, skipped before parsing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .limits import ENVELOPE_REQUIRED, KNOWN_TYPES, SAFE_NESTING
from .model import Expect, Hostile, poisoned
from .samples import dumps, good_envelope, good_events, rejected_by_contract
from .values import NOT_A_CASE_ID, OUTSIDE_PROGRAMME, json_values, nested, scalars, set_at, wrong_values

random_bytes = st.binary(max_size=2048).map(poisoned("random_bytes"))

invalid_utf8 = st.builds(
    lambda prefix, bad, suffix: prefix.encode() + bad + suffix.encode(),
    st.sampled_from(['{"event_type": "case.triaged", "schema_version": 1, "producer": "', '{"', '"']),
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe2\x82"]),
    st.text(max_size=30).map(lambda s: s.replace('"', "")).map(lambda s: s + '"}'),
).map(poisoned("invalid_utf8"))

not_an_object = st.one_of(
    scalars,
    st.lists(json_values, max_size=5),
    st.just([{"event_type": "case.triaged", "schema_version": 1}]),
).map(lambda v: Hostile("json_not_object", dumps(v), Expect.POISON, "InvalidEvent"))


def missing_fields(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, gone: dumps({k: v for k, v in event.items() if k not in gone}),
        good_events(types),
        st.sets(st.sampled_from(ENVELOPE_REQUIRED), min_size=1),
    ).map(poisoned("envelope_missing_fields"))


def _wrong_for(field: str) -> st.SearchStrategy[Any]:
    specific: dict[str, list[Any]] = {
        "event_id": ["not-a-uuid", 12345, "", "00000000-0000-0000-0000"],
        "event_type": [None, 1, ["case.triaged"], {"x": 1}, True],
        "schema_version": ["1", 1.5, None, [1], {"v": 1}, "v1", float("nan")],
        "occurred_at": ["yesterday", "2026-13-40T99:00:00Z", "", [], {}, None, "2026-01-01T00:00:00"],
        "producer": [None, 1, [], {}, False],
        "municipality": [58091, "58091", "RM", None, [], "0580910"],
        "case_id": [1, [], {"$ne": None}, "not-a-uuid", True],
        "correlation_id": [None, 0, "x", [], {}],
        "causation_id": [1, "x", [], {}],
        "payload": [None, [], "payload", 1, True],
    }
    return st.one_of(st.sampled_from(specific[field]), wrong_values)


def envelope_wrong_types(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        field = draw(st.sampled_from([*ENVELOPE_REQUIRED, "causation_id"]))
        return dumps({**event, field: draw(_wrong_for(field))})

    return build().filter(rejected_by_contract).map(poisoned("envelope_wrong_type", None))


def unknown_versions(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, version: dumps({**event, "schema_version": version}),
        good_events(types),
        st.one_of(st.sampled_from([0, 2, -1, 99]), st.integers(min_value=2, max_value=2**62)),
    ).map(poisoned("unknown_version", "UnknownEventType"))


def deeply_nested(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        depth = draw(st.integers(min_value=32, max_value=SAFE_NESTING))
        value = nested(depth, as_dict=draw(st.booleans()))
        target = draw(st.sampled_from(["payload", "case_id", "extra", "whole"]))
        if target == "whole":
            return dumps(nested(depth))
        if target == "extra":
            return dumps(set_at(event, ("payload", "deep"), value))
        return dumps({**event, target: value})

    return build().map(poisoned("deeply_nested"))


def outside_programme(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, code: dumps({**event, "municipality": code}), good_events(types), OUTSIDE_PROGRAMME
    ).map(poisoned("municipality_outside_programme"))


def bad_case_ids(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, case_id: dumps({**event, "case_id": case_id}), good_events(types), NOT_A_CASE_ID
    ).map(poisoned("case_id_not_uuid"))


def type_confusion(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """The envelope names one handled type, the payload is another type's."""
    return (
        st.builds(
            lambda claimed, actual: dumps({**good_envelope(actual), "event_type": claimed}),
            st.sampled_from(list(types)),
            st.sampled_from(list(KNOWN_TYPES)),
        )
        .filter(rejected_by_contract)
        .map(poisoned("type_confusion"))
    )


def unknown_event_types() -> st.SearchStrategy[Hostile]:
    """Well-formed JSON with a type nobody knows: skipped, never dead-lettered (documented)."""
    return st.builds(
        lambda event, name, version: dumps({**event, "event_type": name, "schema_version": version}),
        good_events(["case.closed"]),
        st.one_of(
            st.sampled_from(["case.exploded", "", "\x00", "CASE.TRIAGED", "case.triaged ", "x" * 10_000]),
            st.text(max_size=50),
        ).filter(lambda name: name not in KNOWN_TYPES),
        st.integers(min_value=-(2**31), max_value=2**31),
    ).map(lambda raw: Hostile("unknown_event_type", raw, Expect.IGNORED))
