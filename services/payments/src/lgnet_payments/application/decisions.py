"""A person's decisions on a grant: approve (four eyes), reject with reasons, cancel."""

from __future__ import annotations

from lgnet_payments.application.deciding import Decider, conflict
from lgnet_payments.application.errors import GrantNotFoundError, InvalidRequestStateError
from lgnet_payments.application.ports import GrantRepository, SaveOutcome
from lgnet_payments.application.records import GrantFile
from lgnet_payments.domain.grant import DecisionRecord, Grant, GrantAction
from lgnet_payments.domain.reasons import Reason, ReasonCode

MAX_ATTEMPTS = 5


class GrantDecisions:
    def __init__(self, grants: GrantRepository, decider: Decider) -> None:
        self._grants = grants
        self._decider = decider

    async def _load(self, grant_id: str, scope: frozenset[str]) -> GrantFile:
        file = await self._grants.get(grant_id)
        if file is None or file.municipality not in scope:
            raise GrantNotFoundError(grant_id)
        return file

    @staticmethod
    def _decided(file: GrantFile) -> Grant:
        if file.grant is None:
            raise InvalidRequestStateError(
                f"grant {file.grant_id} is {file.status}: its details must be completed first"
            )
        return file.grant

    async def approve(self, grant_id: str, *, approver: str, why: str, scope: frozenset[str]) -> GrantFile:
        for _ in range(MAX_ATTEMPTS):
            file = await self._load(grant_id, scope)
            grant = self._decided(file)
            decided, event = await self._decider.approve(grant, approver, why)
            file.grant = decided
            if await self._decider.save(file, [event]) is SaveOutcome.SAVED:
                return file
        raise conflict(grant_id)

    async def reject(
        self, grant_id: str, *, actor: str, reasons: list[str], scope: frozenset[str]
    ) -> GrantFile:
        for _ in range(MAX_ATTEMPTS):
            file = await self._load(grant_id, scope)
            grant = self._decided(file)
            decided, event = grant.reject(
                actor, self._decider.clock(), tuple(Reason(ReasonCode.REVIEWER_REJECTED, r) for r in reasons)
            )
            file.grant = decided
            if await self._grants.save(file, [event]) is SaveOutcome.SAVED:
                # Nothing is normally held before approval; an approval racing this one may have.
                await self._decider.after_final(file, actor, "grant rejected")
                return file
        raise conflict(grant_id)

    async def cancel(self, grant_id: str, *, actor: str, why: str, scope: frozenset[str]) -> GrantFile:
        for _ in range(MAX_ATTEMPTS):
            file = await self._load(grant_id, scope)
            now = self._decider.clock()
            if file.grant is None:
                if file.withdrawn is not None:
                    raise InvalidRequestStateError(f"grant {grant_id} is already cancelled")
                file.withdrawn = DecisionRecord(
                    GrantAction.CANCEL, actor, now, (Reason(ReasonCode.CANCELLED, why),)
                )
                if await self._grants.save(file, []) is SaveOutcome.SAVED:
                    return file
                continue
            decided, event = file.grant.cancel(actor, now, why)
            file.grant = decided
            if await self._grants.save(file, [event]) is SaveOutcome.SAVED:
                await self._decider.after_final(file, actor, "grant cancelled")
                return file
        raise conflict(grant_id)
