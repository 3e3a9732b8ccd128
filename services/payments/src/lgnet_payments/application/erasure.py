"""A case was erased (GDPR art. 17): erase the beneficiaries of its grants here too.

Per grant:
- not yet paid (awaiting details, requested, under review, approved): it can no longer be
  paid to anyone, so it is cancelled first (releasing any reserved budget), then erased;
- batched and not yet answered by the bank: the file may already be at the bank, and a
  return must still be traceable to an account, so the name and IBAN are kept until the
  bank's answer and erased in the same write that records it (``kept_until_settled``);
- settled, returned, rejected, cancelled: erased now, and the payee line in its batch too.
The household key goes with the beneficiary, so the household's claim held (or once held) by
the grant is deleted after the erasing write: no key stays linked to the grant, and the erased
grant no longer counts against the household, as it no longer does for the eligibility read.
Amounts, statuses, decisions and the budget ledger stay: they are the programme's figures.
Idempotent: a redelivered ``case.erased`` finds everything erased already.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lgnet_payments.application.decisions import GrantDecisions
from lgnet_payments.application.errors import ConcurrentUpdateError, InvalidRequestStateError
from lgnet_payments.application.household import HouseholdClaims
from lgnet_payments.application.ports import BatchRepository, Clock, GrantRepository, SaveOutcome
from lgnet_payments.application.records import AWAITING_DETAILS
from lgnet_payments.domain.grant import GrantStatus, InvalidGrantTransition

ERASURE_ACTOR = "system:erasure"
MAX_ATTEMPTS = 5
_UNPAID = frozenset(
    {
        AWAITING_DETAILS,
        GrantStatus.REQUESTED.value,
        GrantStatus.PENDING_REVIEW.value,
        GrantStatus.APPROVED.value,
    }
)


class GrantErasureOutcome(StrEnum):
    ERASED = "erased"
    KEPT_UNTIL_SETTLED = "kept_until_settled"
    ALREADY_ERASED = "already_erased"
    ALREADY_KEPT = "already_kept_until_settled"

    @property
    def is_news(self) -> bool:
        """Something changed now (not a redelivery finding its work done)."""
        return self in (GrantErasureOutcome.ERASED, GrantErasureOutcome.KEPT_UNTIL_SETTLED)


@dataclass(frozen=True, slots=True)
class GrantErasure:
    grant_id: str
    municipality: str
    outcome: GrantErasureOutcome
    cancelled: bool = False


class EraseCaseData:
    def __init__(
        self,
        grants: GrantRepository,
        batches: BatchRepository,
        decisions: GrantDecisions,
        claims: HouseholdClaims,
        clock: Clock,
    ) -> None:
        self._grants = grants
        self._batches = batches
        self._decisions = decisions
        self._claims = claims
        self._clock = clock

    async def __call__(self, case_id: str) -> list[GrantErasure]:
        return [await self._erase(grant_id) for grant_id in await self._grants.ids_for_case(case_id)]

    async def _erase(self, grant_id: str) -> GrantErasure:
        cancelled = False
        for _ in range(MAX_ATTEMPTS):
            file = await self._grants.get(grant_id)
            if file is None:
                raise InvalidRequestStateError(f"grant {grant_id} vanished")
            if file.personal_erased_at is not None:
                # Again on a redelivery: repairs a crash between the erasing write and the deletion.
                await self._claims.forget(grant_id)
                outcome = GrantErasureOutcome.ERASED if cancelled else GrantErasureOutcome.ALREADY_ERASED
                return GrantErasure(grant_id, file.municipality, outcome, cancelled)
            if file.status in _UNPAID:
                try:
                    await self._decisions.cancel(
                        grant_id,
                        actor=ERASURE_ACTOR,
                        why="The case's personal data was erased: the grant cannot be paid.",
                        scope=frozenset({file.municipality}),
                    )
                    cancelled = True
                except (InvalidRequestStateError, InvalidGrantTransition, ConcurrentUpdateError):
                    pass  # decided meanwhile: look again
                continue
            now = self._clock()
            if file.payment_in_flight:
                if file.erasure_requested_at is not None:
                    return GrantErasure(grant_id, file.municipality, GrantErasureOutcome.ALREADY_KEPT)
                file.erasure_requested_at = now
                if await self._grants.save(file, []) is SaveOutcome.SAVED:
                    return GrantErasure(grant_id, file.municipality, GrantErasureOutcome.KEPT_UNTIL_SETTLED)
                continue
            file.erase_personal(now)
            if await self._grants.save(file, []) is not SaveOutcome.SAVED:
                continue
            await self._claims.forget(grant_id)
            if file.grant is not None and file.grant.batch_id is not None:
                await self._forget_payee(file.grant.batch_id, grant_id)
            return GrantErasure(grant_id, file.municipality, GrantErasureOutcome.ERASED, cancelled)
        raise ConcurrentUpdateError(f"grant {grant_id} kept changing; the erasure is retried")

    async def _forget_payee(self, batch_id: str, grant_id: str) -> None:
        for _ in range(MAX_ATTEMPTS):
            record = await self._batches.get(batch_id)
            if record is None or grant_id in record.erased_payees:
                return
            record.erased_payees.add(grant_id)
            if await self._batches.save(record) is SaveOutcome.SAVED:
                return
        raise ConcurrentUpdateError(f"batch {batch_id} kept changing; the erasure is retried")
