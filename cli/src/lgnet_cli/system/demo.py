"""One case through the whole system, printed step by step as an operator would follow it.

A mother and her two children, Arabic speakers, will sleep outside tonight in Rome and owe two
months of rent: the hotline reports them, triage explains the priority, housing holds a bed and
the shelter accepts, payments decides and pays a grant with two signatures, and the family is
told each step in Arabic.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .api import Api
from .demo_messages import show_messages
from .demo_money import follow_grant
from .local_env import LocalSystem

ROMA = "058091"
Echo = Callable[[str], None]

REPORT: dict[str, Any] = {
    "municipality": ROMA,
    "location": "Stazione Termini, lato via Marsala",
    "household": {"adults": ["female"], "minors_ages": [4, 9]},
    "factors": ["single_parent_with_minors"],
    "needs": ["shelter_tonight", "economic_hardship"],
    "contact": {"phone": "+39 345 678 9012", "email": "amal.demo@example.org", "preferred_language": "ar"},
    "given_name": "Amal",
    "family_name": "Haddad",
    "birth_date": str(date(1991, 3, 14)),
    "consent": {"contact": True, "data_processing": True},
    "notes": "Evicted this morning; the children have not eaten since noon.",
}


@dataclass(frozen=True)
class DemoRun:
    case_id: str
    personal_values: tuple[str, ...]  # what must never show up in logs, events or raw documents


def run_demo(system: LocalSystem, echo: Echo) -> DemoRun:
    api = Api(system)
    started = datetime.now(UTC)
    operator = api.headers("hotline_operator", [ROMA], subject="operator-giulia")
    report = dict(REPORT, not_a_duplicate=True)  # each run of the demo is a new family
    answer = api.call("referral", "POST", "/cases", operator, json=report).json()
    case_id = answer["case_id"]
    echo(f"1. hotline reports a case in Roma            -> case {case_id}")
    echo(f"   triage: {answer['priority']} (score {answer['score']}), bed needed by {answer['sla_deadline']}")
    for reason in answer["reasons"]:
        echo(f"     - {reason}")

    def tonight() -> dict[str, Any] | None:
        case = api.call("referral", "GET", f"/cases/{case_id}", operator).json()
        detail = case.get("tonight_detail")
        return detail if detail and detail.get("shelter_id") else None

    offer = api.poll("a bed to be offered", tonight)
    echo(f"2. housing holds beds and offers them         -> {offer['shelter_id']} ({offer['status']})")
    partner = api.headers("shelter_partner", [ROMA], subject="shelter-desk", shelter_id=offer["shelter_id"])
    offers = api.call("housing", "GET", "/partner/offers", partner).json()
    mine = next(o for o in offers if o["placement_id"] == offer["placement_id"])
    echo(
        f"   the shelter sees only: {mine['adults']} adult(s), children aged {mine['minors_ages']}, "
        f"language {mine['language']}, beds {mine['beds']}"
    )
    api.call("housing", "POST", f"/partner/placements/{offer['placement_id']}/accept", partner)
    confirmed = api.poll(
        "the placement to be confirmed",
        lambda: (t := tonight()) and t["has_bed"] and t.get("shelter_name") and t,
    )
    echo(
        f"3. the shelter accepts                        -> bed confirmed at {confirmed['shelter_name']}, "
        f"{confirmed['shelter_address']}"
    )

    details = follow_grant(api, case_id, echo)
    show_messages(system, echo, started, phone="+393456789012", email=REPORT["contact"]["email"])

    case = api.call("referral", "GET", f"/cases/{case_id}", operator).json()
    echo(
        f"6. the case file, as the hotline sees it now  -> status {case['status']}, "
        f"tonight: {case['tonight']}, paid EUR {case['paid_cents'] / 100:.2f}"
    )
    for entry in case["timeline"]:
        echo(f"     {entry['at'][11:19]}  {entry['source']:<13} {entry['summary']}")
    personal = (
        REPORT["given_name"],
        REPORT["family_name"],
        REPORT["location"],
        REPORT["notes"],
        REPORT["contact"]["email"],
        "3456789012",
        details.get("fiscal_code", ""),
        details.get("iban", ""),
    )
    return DemoRun(str(case_id), tuple(v for v in personal if v))
