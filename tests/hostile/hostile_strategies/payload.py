"""Poison in the payload: a known-good event whose payload breaks its contract."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from .limits import BOUNDED_TEXT, DEAD_LETTER_SAFE_BYTES, OUT_OF_RANGE, STRICT_NUMBER_FIELDS
from .model import Hostile, poisoned
from .samples import dumps, good_envelope, good_events, rejected_by_contract
from .values import datetime_paths, delete_at, json_values, paths, set_at, wrong_values


def payload_wrong_types(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        path = draw(st.sampled_from(paths(event["payload"])))
        return dumps(set_at(event, ("payload", *path), draw(wrong_values)))

    return build().filter(rejected_by_contract).map(poisoned("payload_wrong_type"))


def extra_fields(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        name = draw(st.sampled_from(["is_admin", "__proto__", "$where", "_id", "payload_v2", "x"]))
        where = draw(st.sampled_from(["envelope", "payload"]))
        if where == "envelope":
            return dumps({**event, name: draw(json_values)})
        return dumps(set_at(event, ("payload", name), draw(json_values)))

    return build().map(poisoned("extra_field"))


def out_of_range(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    choices = [(t, path, value) for t in types for path, value in OUT_OF_RANGE[t]]
    return (
        st.sampled_from(choices)
        .map(lambda c: dumps(set_at(good_envelope(c[0]), ("payload", *c[1]), c[2])))
        .map(poisoned("out_of_range"))
    )


def naive_datetimes(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        path = draw(st.sampled_from(datetime_paths(event)))
        naive = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
        return dumps(set_at(event, path, naive.isoformat()))

    return build().map(poisoned("naive_datetime"))


def huge_strings(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """Bounded text made huge (up to 600 KB, which a dead letter still holds)."""
    choices = [(t, path) for t in types for path in BOUNDED_TEXT[t]]

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event_type, path = draw(st.sampled_from(choices))
        char = draw(st.sampled_from(["x", "é", "字", "😈", "\\", "\u202e"]))
        size = draw(st.integers(min_value=1_000, max_value=DEAD_LETTER_SAFE_BYTES // 4))
        return dumps(set_at(good_envelope(event_type), ("payload", *path), char * size))

    return build().map(poisoned("huge_string"))


def strict_numbers_as_strings(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    choices = [(t, field) for t in types for field in STRICT_NUMBER_FIELDS.get(t, ())]
    if not choices:
        return st.nothing()

    def build(choice: tuple[str, str]) -> bytes:
        event = good_envelope(choice[0])
        event["payload"][choice[1]] = "45000"
        return dumps(event)

    return st.sampled_from(choices).map(build).map(poisoned("number_as_string"))


def mutated_good_events(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """A known-good event with exactly one field replaced, deleted or renamed."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(good_events(types))
        path = draw(st.sampled_from(paths(event)))
        action = draw(st.sampled_from(["replace", "delete", "rename"]))
        if action == "delete":
            return dumps(delete_at(event, path))
        if action == "rename" and isinstance(path[-1], str):
            parent = path[:-1]
            node: Any = event
            for key in parent:
                node = node[key]
            renamed = delete_at(event, path)
            return dumps(set_at(renamed, (*parent, path[-1].upper() + "_"), node[path[-1]]))
        return dumps(set_at(event, path, draw(wrong_values)))

    return build().filter(rejected_by_contract).map(poisoned("mutated_good_event", None))
