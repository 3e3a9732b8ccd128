"""Building blocks: wrong JSON values, and paths into an event to put them at."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from lgnet_contracts.municipalities import municipalities

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# Values that are the wrong type (or form) for almost any field; the contract is the oracle.
wrong_values = st.one_of(
    st.sampled_from(
        [
            None,
            [],
            {},
            [1, 2],
            {"$ne": None},
            {"$where": "sleep(1000)"},
            True,
            3.5,
            -1,
            "",
            "\x00",
            "null",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "${jndi:ldap://x/a}",
            float("nan"),
        ]
    ),
    json_values,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(paths(value, (*prefix, index)))
    return found


def set_at(data: dict[str, Any], path: Sequence[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def delete_at(data: dict[str, Any], path: Sequence[Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def nested(depth: int, leaf: Any = 1, *, as_dict: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_dict else [value]
    return value


def datetime_paths(event: dict[str, Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for path in paths(event):
        node: Any = event
        for key in path:
            node = node[key]
        if isinstance(node, str) and len(node) >= 20 and node[4] == "-" and node.endswith("Z"):
            out.append(path)
    return out


OUTSIDE_PROGRAMME = st.from_regex(r"\A\d{6}\Z").filter(lambda code: code not in municipalities())
NOT_A_CASE_ID = st.one_of(
    st.sampled_from(
        [
            "not-a-uuid",
            str(uuid.uuid4()).upper(),
            uuid.uuid4().hex,
            "{" + str(uuid.uuid4()) + "}",
            "../../../etc/passwd",
            "00000000-0000-0000-0000-00000000000g",
            " " + str(uuid.uuid4()),
            str(uuid.uuid4()) + "\n",
        ]
    ),
    st.text(max_size=60).filter(lambda s: not s or s != s.lower() or len(s) != 36),
)
