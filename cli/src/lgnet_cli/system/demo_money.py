"""The demo's grant: details from the case manager, two signatures, a SEPA file and the bank's answer."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .api import Api

ROMA = "058091"
Echo = Callable[[str], None]

DETAILS: dict[str, Any] = {
    "household_size": 3,
    "isee_cents": 950_000,
    "housing": {"rent_arrears": True, "eviction_notice": True, "lease_registered": True},
    "requested_cents": 180_000,
    "purpose": "rent_arrears",
    "beneficiary_name": "Amal Haddad",
    "iban": "IT60X0542811101000000123456",
}


def _fiscal_code() -> str:
    """A valid code for a woman born in Morocco in 1991, different on each run: the programme
    pays one grant per household in a year, and every run of the demo is a new family."""
    import random

    from stdnum.it import codicefiscale

    base = f"HDDMLA91C{random.randint(41, 68)}Z330"
    return base + codicefiscale.calc_check_digit(base)


def _bank_answer(batch: dict[str, Any]) -> bytes:
    """What the municipality's bank sends back: every payment of the batch settled (pain.002)."""
    from lgnet_payments.adapters.sepa.pain002 import TransactionStatus, build_pain002
    from lgnet_payments.domain.batch import end_to_end_id_for

    return build_pain002(
        message_id=f"BANK-{batch['batch_id']}"[:35],
        created_at=datetime.now(UTC),
        original_message_id=batch["batch_id"],
        original_payment_information_id=batch["batch_id"],
        statuses=[TransactionStatus(end_to_end_id_for(g), "ACSC") for g in batch["grant_ids"]],
    )


def follow_grant(api: Api, case_id: str, echo: Echo) -> dict[str, Any]:
    """Walks the grant to the bank and back; returns the details it sent (personal data included)."""
    manager = api.headers("case_manager", [ROMA], subject="case-manager-marco")
    approver = api.headers("payments_approver", [ROMA], subject="approver-lucia")
    officer = api.headers("payments_officer", [ROMA], subject="officer-paolo")

    def opened() -> dict[str, Any] | None:
        grants = api.call("payments", "GET", "/grants?status=awaiting_details", manager).json()
        return next((g for g in grants if g["case_id"] == case_id), None)

    grant = api.poll("the grant request opened by triage", opened)
    grant_id = grant["grant_id"]
    details = {**DETAILS, "fiscal_code": _fiscal_code()}
    decided = api.call("payments", "PUT", f"/grants/{grant_id}/details", manager, json=details).json()
    if decided["status"] != "pending_review":
        echo(f"4. payments: the grant is {decided['status']}: {decided.get('reasons')}")
        return details
    echo(
        f"4. payments: request from triage, details in  -> {decided['status']}, "
        f"EUR {decided['amount_cents'] / 100:.2f} (over the auto-approval threshold: two signatures)"
    )
    refused = api.call(
        "payments",
        "POST",
        f"/grants/{grant_id}/approve",
        api.headers("payments_approver", [ROMA], subject="case-manager-marco"),
        json={"why": "I prepared it"},
        ok=(409,),
    )
    echo(
        f"   the preparer cannot approve it too         -> {refused.status_code} {refused.json()['detail']}"[
            :150
        ]
    )
    approved = api.call(
        "payments",
        "POST",
        f"/grants/{grant_id}/approve",
        approver,
        json={"why": "Eviction notice and lease checked."},
    ).json()
    echo(f"   approved by {approved['approved_by']:<31} -> budget reserved")
    batch = api.call("payments", "POST", "/batches", officer, json={"municipality": ROMA}).json()
    pain001 = api.call("payments", "GET", f"/batches/{batch['batch_id']}/pain001", officer).content
    echo(
        f"   batch {batch['batch_id']} -> pain.001.001.09 file, {batch['count']} payment(s), "
        f"{len(pain001)} bytes, EUR {batch['control_sum_cents'] / 100:.2f}"
    )
    xml = {**officer, "Content-Type": "application/xml"}
    api.call("payments", "POST", f"/batches/{batch['batch_id']}/pain002", xml, content=_bank_answer(batch))
    paid = api.poll(
        "the bank's answer to be applied",
        lambda: (
            (g := api.call("payments", "GET", f"/grants/{grant_id}", manager).json())["status"] == "disbursed"
            and g
        ),
    )
    echo(f"   the bank settles it (pain.002)             -> {paid['status']}, value {paid['value_date']}")
    return details
