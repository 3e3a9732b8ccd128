"""Hostile Kafka messages for the services' consumers, as hypothesis strategies.

Every strategy yields `Hostile`: the exact bytes to publish and what the consumer must do with
them. `POISON` messages break the contract and must reach `<topic>.dlq` at once; `IGNORED`
messages carry an event type the consumer does not act on (documented: skipped before parsing);
`LEGAL` messages are valid events with awkward content that must be handled, never dead-lettered.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st

from lgnet_contracts import InvalidEvent, decode
from lgnet_contracts.municipalities import municipalities
from lgnet_contracts.registry import PAYLOADS

ROMA = "058091"
MILANO = "015146"

# Above this, the dead letter (value in base64 plus its metadata) no longer fits the producer's
# 1 MiB request limit: see `test_findings.py`. Poison below it must be dead-lettered.
DEAD_LETTER_SAFE_BYTES = 600_000
# json.loads recurses once per level; deeper documents raise RecursionError (see findings).
SAFE_NESTING = 400
ENVELOPE_REQUIRED = (
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "producer",
    "municipality",
    "case_id",
    "correlation_id",
    "payload",
)
KNOWN_TYPES: tuple[str, ...] = tuple(p.event_type for p in PAYLOADS)


class Expect(StrEnum):
    POISON = "poison"
    IGNORED = "ignored"
    LEGAL = "legal"


@dataclass(frozen=True)
class Hostile:
    kind: str
    value: bytes
    expect: Expect = Expect.POISON
    error_type: str | None = None  # the dead letter's error_type, when it is certain

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep 900 KB out of the log
        shown = self.value[:120]
        return f"Hostile({self.kind!r}, {len(self.value)} bytes, {self.expect}, {shown!r})"


# -- known-good events ----------------------------------------------------------------------------


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def sample_payload(event_type: str, now: datetime) -> dict[str, Any]:
    """A payload of `event_type` that satisfies its contract."""
    t = _iso(now)
    later = _iso(now + timedelta(hours=2))
    household = {"adults": ["female"], "minors_ages": [3], "unaccompanied_minor": False}
    reasons = [{"code": "eligible", "text": "ISEE under the threshold"}]
    samples: dict[str, dict[str, Any]] = {
        "case.reported": {
            "reported_at": t,
            "reported_by": "operator-1",
            "household": household,
            "needs": ["shelter_tonight"],
            "consent": {"contact": True, "data_processing": True, "recorded_at": t, "recorded_by": "op-1"},
            "contact": None,
            "preferred_language": "it",
        },
        "case.triaged": {
            "priority": "P1",
            "score": 9,
            "breakdown": [{"factor": "protected", "points": 3, "reason": "protected"}],
            "needs": ["shelter_tonight"],
            "sla_deadline": later,
            "policy_version": "2025.1",
            "housing": {"household": household, "accessible_bed": False, "language": "it"},
            "household_size": 2,
            "reported_at": t,
        },
        "case.updated": {
            "changed": ["needs"],
            "updated_by": "operator-1",
            "needs": ["food"],
            "household": household,
        },
        "case.closed": {"outcome": "no_longer_needed", "closed_by": "operator-1", "closed_at": t},
        "case.sla_breached": {"priority": "P1", "deadline": t, "detected_at": t, "unmet_needs": ["food"]},
        "case.erased": {"erased_at": t, "erased_by": "operator-1", "reason": "data_subject_request"},
        "placement.requested": {"placement_id": "pl-1", "priority": "P1", "beds_needed": {"single": 1}},
        "placement.offered": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "shelter_municipality": ROMA,
            "beds": {"single": 1},
            "offer_expires_at": later,
        },
        "placement.accepted": {"placement_id": "pl-1", "shelter_id": "sh-1", "accepted_by": "partner-1"},
        "placement.declined": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "declined_by": "partner-1",
            "reason": "full tonight",
        },
        "placement.expired": {"placement_id": "pl-1", "shelter_id": "sh-1", "expired_at": t},
        "placement.confirmed": {
            "placement_id": "pl-1",
            "shelter_id": "sh-1",
            "shelter_name": "Casa San Paolo",
            "shelter_address": "Via Ostiense 12, Roma",
            "shelter_phone": None,
            "arrive_by": later,
        },
        "placement.checked_in": {"placement_id": "pl-1", "shelter_id": "sh-1", "at": t},
        "placement.checked_out": {"placement_id": "pl-1", "shelter_id": "sh-1", "at": t},
        "placement.waitlisted": {
            "placement_id": "pl-1",
            "priority": "P2",
            "position": 1,
            "reason": "no bed in the area",
        },
        "grant.requested": {"grant_id": "gr-1", "source": "triage", "household_size": 3},
        "grant.pending_review": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "prepared_by": "officer-1",
            "reasons": reasons,
        },
        "grant.approved": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "approved_by": "approver-1",
            "automatic": False,
            "reasons": reasons,
        },
        "grant.rejected": {"grant_id": "gr-1", "decided_by": "approver-1", "reasons": reasons},
        "grant.disbursed": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "batch_id": "b-1",
            "value_date": "2026-01-15",
        },
        "grant.returned": {
            "grant_id": "gr-1",
            "amount_cents": 45_000,
            "batch_id": "b-1",
            "reason_code": "AC04",
            "reason": "account closed",
        },
        "budget.allocated": {
            "allocation_cents": 1_000_000,
            "previous_cents": 0,
            "changed_by": "coordinator-1",
            "reason": "initial allocation",
            "at": t,
        },
        "budget.exhausted": {"allocation_cents": 1_000_000, "available_cents": 0, "at": t},
        "notification.requested": {
            "notification_id": "n-1",
            "template_id": "case.received",
            "locale": "it",
            "channel": None,
            "variables": {"first_name": "A"},
        },
        "notification.sent": {
            "notification_id": "n-1",
            "channel": "sms",
            "provider": "gateway",
            "provider_message_id": "m-1",
            "attempt": 1,
        },
        "notification.delivered": {"notification_id": "n-1", "channel": "sms", "delivered_at": t},
        "notification.failed": {
            "notification_id": "n-1",
            "channel": "sms",
            "reason": "unreachable",
            "attempts": 1,
            "final": True,
        },
    }
    return copy.deepcopy(samples[event_type])


def good_envelope(
    event_type: str,
    *,
    case_id: str | None = None,
    municipality: str = ROMA,
    producer: str = "hostile-test",
    occurred_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A contract-valid event of `event_type` as the JSON object it travels as."""
    now = occurred_at or datetime.now(UTC)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": 1,
        "occurred_at": _iso(now),
        "producer": producer,
        "municipality": municipality,
        "case_id": case_id if case_id is not None else str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "payload": payload if payload is not None else sample_payload(event_type, now),
    }


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


def rejected_by_contract(raw: bytes) -> bool:
    try:
        decode(raw)
    except InvalidEvent:
        return True
    return False


# -- building blocks --------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
json_values = st.recursive(
    _scalars,
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


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _set(data: dict[str, Any], path: Sequence[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _delete(data: dict[str, Any], path: Sequence[Any]) -> dict[str, Any]:
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


def _datetime_paths(event: dict[str, Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for path in _paths(event):
        node: Any = event
        for key in path:
            node = node[key]
        if isinstance(node, str) and len(node) >= 20 and node[4] == "-" and node.endswith("Z"):
            out.append(path)
    return out


# Values that break a bound of the contract, per event type (path inside the payload).
OUT_OF_RANGE: dict[str, list[tuple[tuple[Any, ...], Any]]] = {
    "case.reported": [
        (("household", "minors_ages"), [18]),
        (("needs",), []),
        (("preferred_language",), "ITA"),
    ],
    "case.triaged": [
        (("household_size",), 0),
        (("household_size",), 41),
        (("priority",), "P0"),
        (("policy_version",), "x" * 33),
        (("breakdown", 0, "factor"), ""),
        (("housing", "household", "minors_ages"), [-1]),
    ],
    "case.updated": [(("changed",), []), (("household", "adults"), ["female"] * 21)],
    "case.closed": [(("outcome",), "vanished"), (("closed_by",), "")],
    "case.sla_breached": [(("unmet_needs",), []), (("priority",), "P9")],
    "case.erased": [(("reason",), "because"), (("erased_by",), "")],
    "placement.requested": [(("beds_needed",), {"single": 0}), (("beds_needed",), {"sofa": 1})],
    "placement.offered": [(("shelter_municipality",), "999999"), (("beds",), {"single": 41})],
    "placement.accepted": [(("accepted_by",), "x" * 129), (("shelter_id",), "bad id")],
    "placement.declined": [(("reason",), ""), (("reason",), "x" * 501)],
    "placement.expired": [(("shelter_id",), ""), (("placement_id",), "x" * 65)],
    "placement.confirmed": [(("shelter_name",), ""), (("shelter_phone",), "1" * 33)],
    "placement.checked_in": [(("shelter_id",), "x" * 65)],
    "placement.checked_out": [(("shelter_id",), "../../etc/passwd")],
    "placement.waitlisted": [(("position",), 0), (("position",), -5)],
    "grant.requested": [(("household_size",), 0), (("requested_cents",), -1), (("source",), "hacker")],
    "grant.pending_review": [(("amount_cents",), -1)],
    "grant.approved": [(("amount_cents",), -100), (("reasons", 0, "code"), "")],
    "grant.rejected": [(("reasons",), [])],
    "grant.disbursed": [(("value_date",), "2026-02-30"), (("amount_cents",), -1)],
    "grant.returned": [(("reason_code",), "x" * 17)],
    "budget.allocated": [(("allocation_cents",), -1)],
    "budget.exhausted": [(("available_cents",), -1)],
    "notification.requested": [
        (("template_id",), "../../etc/passwd"),
        (("locale",), "xx-YY"),
        (("variables",), {"BAD KEY": "v"}),
        (("variables",), {"k": "x" * 301}),
    ],
    "notification.sent": [(("attempt",), 0), (("segments",), -1)],
    "notification.delivered": [(("channel",), "pigeon")],
    "notification.failed": [(("attempts",), 0)],
}
# Amounts are strict integers: a number in a string is refused (unlike other integer fields).
STRICT_NUMBER_FIELDS: dict[str, tuple[str, ...]] = {
    "grant.requested": ("requested_cents",),
    "grant.pending_review": ("amount_cents",),
    "grant.approved": ("amount_cents",),
    "grant.disbursed": ("amount_cents",),
    "grant.returned": ("amount_cents",),
    "budget.allocated": ("allocation_cents", "previous_cents"),
    "budget.exhausted": ("allocation_cents", "available_cents"),
}
# Bounded text fields per type: a huge string there must be refused.
BOUNDED_TEXT: dict[str, tuple[tuple[Any, ...], ...]] = {
    "case.reported": (("reported_by",),),
    "case.triaged": (("policy_version",), ("breakdown", 0, "reason")),
    "case.updated": (("updated_by",),),
    "case.closed": (("closed_by",),),
    "case.sla_breached": (("priority",),),
    "case.erased": (("erased_by",),),
    "placement.requested": (("placement_id",),),
    "placement.offered": (("shelter_id",),),
    "placement.accepted": (("accepted_by",),),
    "placement.declined": (("reason",),),
    "placement.expired": (("shelter_id",),),
    "placement.confirmed": (("shelter_address",), ("shelter_name",)),
    "placement.checked_in": (("shelter_id",),),
    "placement.checked_out": (("shelter_id",),),
    "placement.waitlisted": (("reason",),),
    "grant.requested": (("grant_id",),),
    "grant.pending_review": (("prepared_by",),),
    "grant.approved": (("approved_by",),),
    "grant.rejected": (("decided_by",),),
    "grant.disbursed": (("batch_id",),),
    "grant.returned": (("reason",),),
    "budget.allocated": (("reason",),),
    "budget.exhausted": (("at",),),
    "notification.requested": (("template_id",),),
    "notification.sent": (("provider_message_id",),),
    "notification.delivered": (("notification_id",),),
    "notification.failed": (("reason",),),
}
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


# -- the hostile categories -------------------------------------------------------------------------


def _poison(kind: str, error_type: str | None = "InvalidEvent") -> Callable[[bytes], Hostile]:
    return lambda raw: Hostile(kind, raw, Expect.POISON, error_type)


def _event(types: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(list(types)).map(lambda t: good_envelope(t))


random_bytes = st.binary(max_size=2048).map(_poison("random_bytes"))

invalid_utf8 = st.builds(
    lambda prefix, bad, suffix: prefix.encode() + bad + suffix.encode(),
    st.sampled_from(['{"event_type": "case.triaged", "schema_version": 1, "producer": "', '{"', '"']),
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe2\x82"]),
    st.text(max_size=30).map(lambda s: s.replace('"', "")).map(lambda s: s + '"}'),
).map(_poison("invalid_utf8"))

not_an_object = st.one_of(
    _scalars,
    st.lists(json_values, max_size=5),
    st.just([{"event_type": "case.triaged", "schema_version": 1}]),
).map(lambda v: Hostile("json_not_object", dumps(v), Expect.POISON, "InvalidEvent"))


def missing_fields(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, gone: dumps({k: v for k, v in event.items() if k not in gone}),
        _event(types),
        st.sets(st.sampled_from(ENVELOPE_REQUIRED), min_size=1),
    ).map(_poison("envelope_missing_fields"))


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
        event = draw(_event(types))
        field = draw(st.sampled_from([*ENVELOPE_REQUIRED, "causation_id"]))
        return dumps({**event, field: draw(_wrong_for(field))})

    return build().filter(rejected_by_contract).map(_poison("envelope_wrong_type", None))


def unknown_versions(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, version: dumps({**event, "schema_version": version}),
        _event(types),
        st.one_of(st.sampled_from([0, 2, -1, 99]), st.integers(min_value=2, max_value=2**62)),
    ).map(_poison("unknown_version", "UnknownEventType"))


def payload_wrong_types(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(_event(types))
        path = draw(st.sampled_from(_paths(event["payload"])))
        return dumps(_set(event, ("payload", *path), draw(wrong_values)))

    return build().filter(rejected_by_contract).map(_poison("payload_wrong_type"))


def extra_fields(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(_event(types))
        name = draw(st.sampled_from(["is_admin", "__proto__", "$where", "_id", "payload_v2", "x"]))
        where = draw(st.sampled_from(["envelope", "payload"]))
        if where == "envelope":
            return dumps({**event, name: draw(json_values)})
        return dumps(_set(event, ("payload", name), draw(json_values)))

    return build().map(_poison("extra_field"))


def out_of_range(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    choices = [(t, path, value) for t in types for path, value in OUT_OF_RANGE[t]]
    return (
        st.sampled_from(choices)
        .map(lambda c: dumps(_set(good_envelope(c[0]), ("payload", *c[1]), c[2])))
        .map(_poison("out_of_range"))
    )


def naive_datetimes(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(_event(types))
        path = draw(st.sampled_from(_datetime_paths(event)))
        naive = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
        return dumps(_set(event, path, naive.isoformat()))

    return build().map(_poison("naive_datetime"))


def huge_strings(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """Bounded text made huge (up to 600 KB, which a dead letter still holds)."""
    choices = [(t, path) for t in types for path in BOUNDED_TEXT[t]]

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event_type, path = draw(st.sampled_from(choices))
        char = draw(st.sampled_from(["x", "é", "字", "😈", "\\", "\u202e"]))
        size = draw(st.integers(min_value=1_000, max_value=DEAD_LETTER_SAFE_BYTES // 4))
        return dumps(_set(good_envelope(event_type), ("payload", *path), char * size))

    return build().map(_poison("huge_string"))


def deeply_nested(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(_event(types))
        depth = draw(st.integers(min_value=32, max_value=SAFE_NESTING))
        value = nested(depth, as_dict=draw(st.booleans()))
        target = draw(st.sampled_from(["payload", "case_id", "extra", "whole"]))
        if target == "whole":
            return dumps(nested(depth))
        if target == "extra":
            return dumps(_set(event, ("payload", "deep"), value))
        return dumps({**event, target: value})

    return build().map(_poison("deeply_nested"))


def strict_numbers_as_strings(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    choices = [(t, field) for t in types for field in STRICT_NUMBER_FIELDS.get(t, ())]
    if not choices:
        return st.nothing()

    def build(choice: tuple[str, str]) -> bytes:
        event = good_envelope(choice[0])
        event["payload"][choice[1]] = "45000"
        return dumps(event)

    return st.sampled_from(choices).map(build).map(_poison("number_as_string"))


def outside_programme(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, code: dumps({**event, "municipality": code}), _event(types), OUTSIDE_PROGRAMME
    ).map(_poison("municipality_outside_programme"))


def bad_case_ids(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    return st.builds(
        lambda event, case_id: dumps({**event, "case_id": case_id}), _event(types), NOT_A_CASE_ID
    ).map(_poison("case_id_not_uuid"))


def type_confusion(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """The envelope names one handled type, the payload is another type's."""
    return (
        st.builds(
            lambda claimed, actual: dumps({**good_envelope(actual), "event_type": claimed}),
            st.sampled_from(list(types)),
            st.sampled_from(list(KNOWN_TYPES)),
        )
        .filter(rejected_by_contract)
        .map(_poison("type_confusion"))
    )


def mutated_good_events(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """A known-good event with exactly one field replaced, deleted or renamed."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        event = draw(_event(types))
        path = draw(st.sampled_from(_paths(event)))
        action = draw(st.sampled_from(["replace", "delete", "rename"]))
        if action == "delete":
            return dumps(_delete(event, path))
        if action == "rename" and isinstance(path[-1], str):
            parent = path[:-1]
            node: Any = event
            for key in parent:
                node = node[key]
            renamed = _delete(event, path)
            return dumps(_set(renamed, (*parent, path[-1].upper() + "_"), node[path[-1]]))
        return dumps(_set(event, path, draw(wrong_values)))

    return build().filter(rejected_by_contract).map(_poison("mutated_good_event", None))


def unknown_event_types() -> st.SearchStrategy[Hostile]:
    """Well-formed JSON with a type nobody knows: skipped, never dead-lettered (documented)."""
    return st.builds(
        lambda event, name, version: dumps({**event, "event_type": name, "schema_version": version}),
        _event(["case.closed"]),
        st.one_of(
            st.sampled_from(["case.exploded", "", "\x00", "CASE.TRIAGED", "case.triaged ", "x" * 10_000]),
            st.text(max_size=50),
        ).filter(lambda name: name not in KNOWN_TYPES),
        st.integers(min_value=-(2**31), max_value=2**31),
    ).map(lambda raw: Hostile("unknown_event_type", raw, Expect.IGNORED))


def poison(types: Sequence[str]) -> st.SearchStrategy[Hostile]:
    """Every category of poison for a consumer that handles `types`."""
    return st.one_of(
        random_bytes,
        invalid_utf8,
        not_an_object,
        missing_fields(types),
        envelope_wrong_types(types),
        unknown_versions(types),
        payload_wrong_types(types),
        extra_fields(types),
        out_of_range(types),
        naive_datetimes(types),
        huge_strings(types),
        deeply_nested(types),
        strict_numbers_as_strings(types),
        outside_programme(types),
        bad_case_ids(types),
        type_confusion(types),
        mutated_good_events(types),
    )


def hostile_batch(types: Sequence[str], size: int) -> st.SearchStrategy[list[Hostile]]:
    """A batch that holds every poison category at least once, then random draws of any."""
    fixed = [
        random_bytes,
        invalid_utf8,
        not_an_object,
        missing_fields(types),
        envelope_wrong_types(types),
        unknown_versions(types),
        payload_wrong_types(types),
        extra_fields(types),
        out_of_range(types),
        naive_datetimes(types),
        huge_strings(types),
        deeply_nested(types),
        outside_programme(types),
        bad_case_ids(types),
        type_confusion(types),
        mutated_good_events(types),
        unknown_event_types(),
    ]
    if any(t in STRICT_NUMBER_FIELDS for t in types):
        fixed.append(strict_numbers_as_strings(types))
    extra = max(0, size - len(fixed))
    rest = st.lists(st.one_of(poison(types), unknown_event_types()), min_size=extra, max_size=extra)
    return st.tuples(*fixed, rest).map(lambda drawn: [*drawn[:-1], *drawn[-1]])
