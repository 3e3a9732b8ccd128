"""What the application keeps about a grant request and a payment batch, around the domain aggregates.

A request opened from triage exists before anyone knows the household's details, so the
domain ``Grant`` (which needs a beneficiary and an amount) appears only once a person has
completed them. Until then the request is ``awaiting_details``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from lgnet_payments.domain.batch import PaymentBatch
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation
from lgnet_payments.domain.grant import DecisionRecord, Grant, GrantStatus

AWAITING_DETAILS = "awaiting_details"
WITHDRAWN = GrantStatus.CANCELLED.value


class RequestSource(StrEnum):
    TRIAGE = "triage"
    CASE_MANAGER = "case_manager"


@dataclass(frozen=True, slots=True)
class Intake:
    """Where the request came from: never personal, known from the first moment."""

    grant_id: str
    municipality: str
    case_id: str | None
    source: RequestSource
    household_size: int
    opened_at: datetime
    opened_by: str


@dataclass(frozen=True, slots=True)
class GrantDetails:
    """What eligibility looks at. Declared by the household, entered by a case manager or officer."""

    household_size: int
    isee_cents: int
    housing: HousingSituation
    requested_cents: int
    purpose: GrantPurpose
    ise_cents: int | None = None


@dataclass(frozen=True, slots=True)
class Applicant:
    """Personal data: sealed at rest, never in events or logs."""

    name: str
    iban: str
    fiscal_code: str


@dataclass(slots=True)
class GrantFile:
    intake: Intake
    details: GrantDetails | None = None
    applicant: Applicant | None = None
    grant: Grant | None = None
    # Set when a request still awaiting details is withdrawn (no domain grant to cancel).
    withdrawn: DecisionRecord | None = None
    # The batch's execution date, once the bank reported the transfer settled.
    value_date: date | None = None
    version: int = 0
    # The case was erased (GDPR art. 17) while this grant was at the bank: the beneficiary is
    # kept until the bank settles or returns the transfer, then erased in the same write.
    erasure_requested_at: datetime | None = None
    # The beneficiary (name, IBAN, fiscal code and the household key derived from it) is gone.
    personal_erased_at: datetime | None = None

    @property
    def grant_id(self) -> str:
        return self.intake.grant_id

    @property
    def municipality(self) -> str:
        return self.intake.municipality

    @property
    def status(self) -> str:
        if self.grant is not None:
            return self.grant.status.value
        return WITHDRAWN if self.withdrawn is not None else AWAITING_DETAILS

    @property
    def payment_in_flight(self) -> bool:
        """Batched and not yet answered by the bank: the beneficiary may still be needed."""
        return self.grant is not None and self.grant.status is GrantStatus.BATCHED

    def erase_personal(self, now: datetime) -> None:
        self.applicant = None
        self.personal_erased_at = now
        if self.erasure_requested_at is None:
            self.erasure_requested_at = now

    def finish_pending_erasure(self, now: datetime) -> bool:
        """After the bank's answer: erase what an erasure had to keep. True when it did."""
        if self.erasure_requested_at is None or self.personal_erased_at is not None:
            return False
        if self.payment_in_flight:
            return False
        self.erase_personal(now)
        return True

    @property
    def decisions(self) -> tuple[DecisionRecord, ...]:
        if self.grant is not None:
            return self.grant.decisions
        return (self.withdrawn,) if self.withdrawn is not None else ()


@dataclass(frozen=True, slots=True)
class GrantRequestOpened:
    """A triaged case needs money: the request exists, its details do not yet."""

    grant_id: str
    municipality: str
    household_size: int
    occurred_at: datetime


class BatchStatus(StrEnum):
    # Created, its grants being marked; a crash here is finished by the next batch run.
    ASSEMBLING = "assembling"
    READY = "ready"
    # Every grant has a final answer from the bank.
    CLOSED = "closed"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class ImportedReport:
    message_id: str
    imported_at: datetime
    imported_by: str
    settled: int
    returned: int
    waiting: int


@dataclass(slots=True)
class BatchRecord:
    batch: PaymentBatch
    status: BatchStatus
    created_by: str
    reports: list[ImportedReport] = field(default_factory=list)
    version: int = 0
    # Grants whose payee was erased after the bank's answer: their name and IBAN are gone here too.
    erased_payees: set[str] = field(default_factory=set)

    @property
    def batch_id(self) -> str:
        return self.batch.batch_id
