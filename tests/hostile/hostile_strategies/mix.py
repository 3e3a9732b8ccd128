"""Every poison category together: one strategy of any, the list of all, a batch that holds each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import strategies as st

from .envelope import (
    bad_case_ids,
    deeply_nested,
    envelope_wrong_types,
    invalid_utf8,
    missing_fields,
    not_an_object,
    outside_programme,
    random_bytes,
    type_confusion,
    unknown_event_types,
    unknown_versions,
)
from .limits import STRICT_NUMBER_FIELDS
from .model import Hostile
from .payload import (
    extra_fields,
    huge_strings,
    mutated_good_events,
    naive_datetimes,
    out_of_range,
    payload_wrong_types,
    strict_numbers_as_strings,
)

# The categories that depend on the handled types, in the order hypothesis seeds are salted by.
_FOR_TYPES: tuple[Callable[[Sequence[str]], st.SearchStrategy[Hostile]], ...] = (
    missing_fields,
    envelope_wrong_types,
    unknown_versions,
    payload_wrong_types,
    extra_fields,
    out_of_range,
    naive_datetimes,
    huge_strings,
    deeply_nested,
    strict_numbers_as_strings,
    outside_programme,
    bad_case_ids,
    type_confusion,
    mutated_good_events,
)


def poison_categories(types: Sequence[str]) -> list[st.SearchStrategy[Hostile]]:
    """One strategy per category of poison for a consumer that handles `types` (some may be empty)."""
    return [random_bytes, invalid_utf8, not_an_object, *(make(types) for make in _FOR_TYPES)]


def poison(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """Every category of poison for a consumer that handles `types`."""
    return st.one_of(*poison_categories(types))


def hostile_batch(types: Sequence[str], size: int) -> st.SearchStrategy[list[Hostile]]:
    """A batch that holds every poison category at least once, then random draws of any."""
    fixed = [
        random_bytes,
        invalid_utf8,
        not_an_object,
        *(make(types) for make in _FOR_TYPES if make is not strict_numbers_as_strings),
        unknown_event_types(),
    ]
    if any(t in STRICT_NUMBER_FIELDS for t in types):
        fixed.append(strict_numbers_as_strings(types))
    extra = max(0, size - len(fixed))
    rest = st.lists(st.one_of(poison(types), unknown_event_types()), min_size=extra, max_size=extra)
    return st.tuples(*fixed, rest).map(lambda drawn: [*drawn[:-1], *drawn[-1]])
