"""Payment batches: approved grants of one municipality, paid from its account on one date.

A batch is what any disbursement sink renders (SEPA pain.001, CSV/JSON for the
municipality's accounting system which issues OPI orders via SIOPE+). Identifiers respect
ISO 20022 limits (Max35Text) so every sink can use them unchanged.

Debtor accounts are configuration (``services/payments/config/debtor_accounts.toml``)::

    version = 1
    placeholders = true            # the shipped file holds fake accounts: production refuses it
    [municipality."058091"]
    name = "Roma Capitale"
    iban = "IT..."
    bic = "..."                    # optional
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lgnet_payments.domain.grant import Grant, GrantStatus

MAX35 = 35
REMITTANCE_PREFIX = "LGNet3 contributo abitativo"


class BatchError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("cannot build batch:\n- " + "\n- ".join(self.problems))


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check (structure only; adapters check country formats with schwifty)."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


@dataclass(frozen=True, slots=True)
class DebtorAccount:
    name: str
    iban: str
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class DebtorAccounts:
    version: int
    placeholders: bool
    accounts: Mapping[str, DebtorAccount]

    def for_municipality(self, municipality: str) -> DebtorAccount:
        try:
            return self.accounts[municipality]
        except KeyError:
            raise BatchError([f"no debtor account configured for municipality {municipality}"]) from None


def debtor_accounts_from_toml(text: str) -> DebtorAccounts:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BatchError([f"not valid TOML: {exc}"]) from exc
    return parse_debtor_accounts(document)


def parse_debtor_accounts(document: Mapping[str, Any]) -> DebtorAccounts:
    problems: list[str] = []
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("'version' must be a positive integer")
        version = 0
    placeholders = document.get("placeholders", False)
    if not isinstance(placeholders, bool):
        problems.append("'placeholders' must be true or false")
        placeholders = True
    accounts: dict[str, DebtorAccount] = {}
    raw = document.get("municipality", {})
    if not isinstance(raw, Mapping):
        problems.append("[municipality] must be a table keyed by ISTAT code")
        raw = {}
    for code, table in raw.items():
        where = f"[municipality.{code!r}]"
        if not isinstance(table, Mapping):
            problems.append(f"{where} must be a table")
            continue
        unknown = sorted(set(table) - {"name", "iban", "bic"})
        problems.extend(f"{where}: unknown key {k!r}" for k in unknown)
        name, iban, bic = table.get("name"), table.get("iban"), table.get("bic")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: 'name' is required")
        if not isinstance(iban, str) or not iban_checksum_ok(iban):
            problems.append(f"{where}: 'iban' is missing or fails the IBAN check")
        if bic is not None and (
            not isinstance(bic, str) or not re.fullmatch(r"[A-Z0-9]{8}([A-Z0-9]{3})?", bic)
        ):
            problems.append(f"{where}: 'bic' must be 8 or 11 letters/digits")
        if isinstance(name, str) and isinstance(iban, str):
            accounts[code] = DebtorAccount(
                name, iban.replace(" ", "").upper(), bic if isinstance(bic, str) else None
            )
    if problems:
        raise BatchError(problems)
    return DebtorAccounts(version, placeholders, accounts)


def end_to_end_id_for(grant_id: str) -> str:
    """The grant id as an ISO 20022 EndToEndId (Max35Text): a UUID's hyphens dropped -> 32 chars."""
    compact = re.sub(r"[^A-Za-z0-9]", "", grant_id)
    if not compact or len(compact) > MAX35:
        raise BatchError([f"grant id {grant_id!r} cannot become an end-to-end id (1..35 letters/digits)"])
    return compact


def make_batch_id(municipality: str, created_at: datetime, sequence: int) -> str:
    """``LGN-<istat>-<yyyymmddHHMM>-<seq>``: unique per municipality and minute, <= 35 chars."""
    return f"LGN-{municipality}-{created_at:%Y%m%d%H%M}-{sequence:03d}"


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    grant_id: str
    end_to_end_id: str
    payee_name: str
    payee_iban: str
    amount_cents: int
    # Names the programme and the grant id only: no purpose, health or status details.
    remittance: str


@dataclass(frozen=True, slots=True)
class PaymentBatch:
    batch_id: str
    municipality: str
    execution_date: date
    created_at: datetime
    debtor: DebtorAccount
    instructions: tuple[PaymentInstruction, ...]

    @property
    def control_sum_cents(self) -> int:
        return sum(i.amount_cents for i in self.instructions)

    @property
    def count(self) -> int:
        return len(self.instructions)

    def grant_for_end_to_end_id(self, end_to_end_id: str) -> str | None:
        return next((i.grant_id for i in self.instructions if i.end_to_end_id == end_to_end_id), None)


def build_batch(
    municipality: str,
    grants: Iterable[Grant],
    *,
    batch_id: str,
    debtor: DebtorAccount,
    execution_date: date,
    created_at: datetime,
) -> PaymentBatch:
    """Gather approved grants of one municipality. Any unfit grant fails the whole batch."""
    problems: list[str] = []
    if not 1 <= len(batch_id) <= MAX35:
        problems.append(f"batch id {batch_id!r} must be 1..35 characters")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    if execution_date < created_at.date():
        problems.append("execution date is in the past")
    instructions: list[PaymentInstruction] = []
    seen: set[str] = set()
    for g in sorted(grants, key=lambda g: g.grant_id):  # stable file content for the same input
        if g.municipality != municipality:
            problems.append(f"grant {g.grant_id} belongs to {g.municipality}, not {municipality}")
        if g.status is not GrantStatus.APPROVED:
            problems.append(f"grant {g.grant_id} is {g.status.value}, only approved grants are paid")
        if g.amount_cents <= 0:
            problems.append(f"grant {g.grant_id} has no amount")
        if not iban_checksum_ok(g.beneficiary.iban):
            problems.append(f"grant {g.grant_id}: beneficiary IBAN fails the IBAN check")
        try:
            e2e = end_to_end_id_for(g.grant_id)
        except BatchError as exc:
            problems.extend(exc.problems)
            continue
        if e2e in seen:
            problems.append(f"grant {g.grant_id} appears twice (end-to-end id {e2e})")
        seen.add(e2e)
        instructions.append(
            PaymentInstruction(
                grant_id=g.grant_id,
                end_to_end_id=e2e,
                payee_name=g.beneficiary.name,
                payee_iban=g.beneficiary.iban.replace(" ", "").upper(),
                amount_cents=g.amount_cents,
                remittance=f"{REMITTANCE_PREFIX} {g.grant_id}",
            )
        )
    if not instructions and not problems:
        problems.append("no approved grants to pay")
    if problems:
        raise BatchError(problems)
    return PaymentBatch(batch_id, municipality, execution_date, created_at, debtor, tuple(instructions))
