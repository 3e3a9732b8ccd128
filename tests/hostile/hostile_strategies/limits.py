"""The contract's bounds, per event type: where a hostile value must be refused."""

from __future__ import annotations

from typing import Any

from lgnet_contracts.registry import PAYLOADS

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
