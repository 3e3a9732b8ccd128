"""Grant requests: opened by a triaged case, completed by a person, or created directly; then assessed."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import replace

from lgnet_payments.application.deciding import Decider, conflict
from lgnet_payments.application.errors import GrantNotFoundError, InvalidRequestStateError
from lgnet_payments.application.ports import Cause, Clock, GrantRepository, SaveOutcome
from lgnet_payments.application.records import (
    AWAITING_DETAILS,
    Applicant,
    GrantDetails,
    GrantFile,
    GrantRequestOpened,
    Intake,
    RequestSource,
)
from lgnet_payments.domain.grant import Beneficiary, Grant, GrantRequested

# Grant ids of triage-opened requests derive from the triggering event id: a redelivery collides.
TRIAGE_NAMESPACE = uuid.UUID("5d0f1c52-8e0a-4c1e-9a55-6a3c1f2b7e10")
TRIAGE_ACTOR = "system:triage"
MAX_ATTEMPTS = 5


def grant_id_for_event(event_id: str) -> str:
    return str(uuid.uuid5(TRIAGE_NAMESPACE, event_id))


def household_key(fiscal_code: str, pepper: bytes) -> str:
    """Keyed hash: finds the same household again without keeping its fiscal code searchable."""
    normalised = fiscal_code.replace(" ", "").upper()
    return hmac.new(pepper, normalised.encode(), hashlib.sha256).hexdigest()


class GrantIntake:
    def __init__(self, grants: GrantRepository, decider: Decider, *, pepper: bytes, clock: Clock) -> None:
        self._grants = grants
        self._decider = decider
        self._pepper = pepper
        self._clock = clock

    async def open_from_triage(
        self, *, event_id: str, case_id: str | None, municipality: str, household_size: int, cause: Cause
    ) -> SaveOutcome:
        """A triaged case with economic hardship: a request awaiting its details."""
        if case_id is not None and await self._grants.open_request_for_case(case_id) is not None:
            # Re-triage of a case whose request is still open: that request is the one to complete.
            return SaveOutcome.ALREADY_HANDLED
        now = self._clock()
        grant_id = grant_id_for_event(event_id)
        intake = Intake(
            grant_id, municipality, case_id, RequestSource.TRIAGE, household_size, now, TRIAGE_ACTOR
        )
        opened = GrantRequestOpened(grant_id, municipality, household_size, now)
        return await self._grants.add(GrantFile(intake), [opened], cause=cause)

    async def complete_details(
        self,
        grant_id: str,
        details: GrantDetails,
        applicant: Applicant,
        *,
        actor: str,
        scope: frozenset[str],
    ) -> GrantFile:
        for _ in range(MAX_ATTEMPTS):
            file = await self._grants.get(grant_id)
            if file is None or file.municipality not in scope:
                raise GrantNotFoundError(grant_id)
            if file.status != AWAITING_DETAILS:
                raise InvalidRequestStateError(
                    f"grant {grant_id} is {file.status}: its details can no longer change"
                )
            grant, _ = self._request(file, details, applicant, actor)
            decided, event = await self._decider.assess(grant, details)
            file.details, file.applicant, file.grant = details, applicant, decided
            # grant.requested went out when triage opened the request: only the decision is new.
            outcome = await self._decider.save(file, [event])
            if outcome is SaveOutcome.SAVED:
                return file
        raise conflict(grant_id)

    async def create(
        self,
        *,
        municipality: str,
        case_id: str | None,
        details: GrantDetails,
        applicant: Applicant,
        actor: str,
    ) -> GrantFile:
        grant_id = str(uuid.uuid4())
        intake = Intake(
            grant_id,
            municipality,
            case_id,
            RequestSource.CASE_MANAGER,
            details.household_size,
            self._clock(),
            actor,
        )
        file = GrantFile(intake)
        grant, requested = self._request(file, details, applicant, actor)
        decided, event = await self._decider.assess(grant, details)
        file = replace(file, details=details, applicant=applicant, grant=decided)
        outcome = await self._decider.save(file, [requested, event], new=True)
        if outcome is not SaveOutcome.SAVED:
            raise RuntimeError(f"grant {grant_id} could not be created: {outcome}")
        return file

    def _request(
        self, file: GrantFile, details: GrantDetails, applicant: Applicant, actor: str
    ) -> tuple[Grant, GrantRequested]:
        return Grant.request(
            grant_id=file.grant_id,
            municipality=file.municipality,
            household_key=household_key(applicant.fiscal_code, self._pepper),
            purpose=details.purpose,
            requested_cents=details.requested_cents,
            beneficiary=Beneficiary(applicant.name, applicant.iban),
            prepared_by=actor,
            at=self._clock(),
        )
