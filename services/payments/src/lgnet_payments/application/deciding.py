"""Eligibility and approval, with the household claim and the budget held before a grant is approved.

Three documents change (the household's claim, the grant and its municipality's budget) and
no transaction spans them, so the order is what keeps money safe: claim the household, then
reserve, both *before* the write that approves; give both back only *after* the write that
makes a grant stop needing them. What an approval that did not land holds is given back only
when the grant, reloaded, can no longer be approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from lgnet_payments.application.errors import ConcurrentUpdateError, OutsideProgrammeWindowError
from lgnet_payments.application.household import HouseholdClaims
from lgnet_payments.application.ledger import BudgetLedger, Reservation
from lgnet_payments.application.ports import Clock, GrantChange, GrantRepository, SaveOutcome
from lgnet_payments.application.records import GrantDetails, GrantFile
from lgnet_payments.domain.eligibility import EligibilityRequest, decide_eligibility, euros
from lgnet_payments.domain.eligibility_policy import GrantPolicy, GrantRules
from lgnet_payments.domain.grant import SYSTEM_ACTOR, Grant, GrantEvent, GrantStatus
from lgnet_payments.domain.reasons import Reason, ReasonCode

RELEASE_ACTOR = "system:payments"
NOT_TAKEN_EFFECT = "approval did not take effect"


def outside_window_message(rules: GrantRules, now: datetime) -> str:
    return (
        f"No grant can be approved outside the programme window {rules.programme_start.isoformat()} "
        f"to {rules.programme_end.isoformat()} (Europe/Rome); it is now {now.isoformat()}."
    )


def household_claimed(rules: GrantRules) -> Reason:
    return Reason(
        ReasonCode.PREVIOUS_GRANT_IN_WINDOW,
        "Another grant to the household was approved or is being decided; at most one grant per "
        f"{rules.household_window_days} days.",
    )


def insufficient_funds(municipality: str, amount_cents: int) -> Reason:
    return Reason(
        ReasonCode.INSUFFICIENT_FUNDS,
        f"The budget of municipality {municipality} cannot cover {euros(amount_cents)}.",
    )


class Decider:
    def __init__(
        self,
        grants: GrantRepository,
        ledger: BudgetLedger,
        claims: HouseholdClaims,
        policy: GrantPolicy,
        clock: Clock,
    ) -> None:
        self.grants = grants
        self.ledger = ledger
        self.claims = claims
        self.policy = policy
        self.clock = clock

    def rules(self, municipality: str) -> GrantRules:
        return self.policy.rules_for(municipality)

    def require_window(self, municipality: str, now: datetime) -> None:
        rules = self.rules(municipality)
        if not rules.in_programme_window(now):
            raise OutsideProgrammeWindowError(outside_window_message(rules, now))

    async def assess(self, grant: Grant, details: GrantDetails) -> tuple[Grant, GrantEvent]:
        """Eligibility on a just-requested grant; auto-approval claims the household and the money first."""
        now = self.clock()
        rules = self.rules(grant.municipality)
        previous = await self.grants.previous_grants(grant.household_key, excluding=grant.grant_id)
        request = EligibilityRequest(
            household_size=details.household_size,
            isee_cents=details.isee_cents,
            requested_cents=details.requested_cents,
            purpose=details.purpose,
            housing=details.housing,
            ise_cents=details.ise_cents,
            previous_grants=tuple(previous),
        )
        decision = decide_eligibility(request, rules, now=now)
        if decision.eligible and not decision.needs_review:
            if not await self.claims.take(grant, now, rules.household_window_days):
                # Another grant of the household got there first, after the read above.
                kept = [r for r in decision.reasons if r.code is not ReasonCode.NO_PREVIOUS_GRANT_IN_WINDOW]
                return grant.reject(SYSTEM_ACTOR, now, (*kept, household_claimed(rules)))
            held = await self.ledger.reserve(
                grant.municipality, grant.grant_id, decision.amount_cents, actor=SYSTEM_ACTOR
            )
            if held is not Reservation.RESERVED:
                reasons = (*decision.reasons, insufficient_funds(grant.municipality, decision.amount_cents))
                return grant.reject(SYSTEM_ACTOR, now, reasons)
        return grant.assess(decision)

    async def approve(self, grant: Grant, approver: str, why: str) -> tuple[Grant, GrantEvent]:
        """A reviewer's approval: four eyes, the window, the household rule, then the money."""
        now = self.clock()
        self.require_window(grant.municipality, now)
        approved, event = grant.approve(approver, now, why)
        rules = self.rules(grant.municipality)
        window = timedelta(days=rules.household_window_days)
        previous = await self.grants.previous_grants(grant.household_key, excluding=grant.grant_id)
        recent = [p for p in previous if now - p.granted_at < window]
        if recent:
            # Another grant reached the household while this one waited for review.
            reason = Reason(
                ReasonCode.PREVIOUS_GRANT_IN_WINDOW,
                f"The household already received grant {recent[0].grant_id}; at most one grant per "
                f"{rules.household_window_days} days.",
            )
            return grant.reject(SYSTEM_ACTOR, now, (reason,))
        if not await self.claims.take(grant, now, rules.household_window_days):
            return grant.reject(SYSTEM_ACTOR, now, (household_claimed(rules),))
        held = await self.ledger.reserve(
            grant.municipality, grant.grant_id, grant.amount_cents, actor=approver
        )
        if held is not Reservation.RESERVED:
            return grant.reject(
                SYSTEM_ACTOR, now, (insufficient_funds(grant.municipality, grant.amount_cents),)
            )
        return approved, event

    async def save(self, file: GrantFile, events: Sequence[GrantChange], *, new: bool = False) -> SaveOutcome:
        """Store a decision; give back what an approval that did not land, or a rejection, held."""
        outcome = await (self.grants.add(file, events) if new else self.grants.save(file, events))
        decided = file.grant
        if decided is None:
            return outcome
        if outcome is SaveOutcome.SAVED:
            if decided.is_final:
                # Rejected after claiming the household (no money, say): the claim goes back.
                await self.claims.release(decided)
            return outcome
        if not (decided.holds_budget or decided.is_final):
            return outcome  # nothing was claimed or reserved for this attempt
        current = await self.grants.get(file.grant_id)
        stored = current.grant if current is not None else None
        if stored is None and current is not None:
            return outcome  # still awaiting details: the retry decides again and keeps what it holds
        if stored is None or stored.is_final:
            if decided.holds_budget:
                await self.ledger.release(
                    file.municipality, file.grant_id, actor=RELEASE_ACTOR, reason=NOT_TAKEN_EFFECT
                )
            await self.claims.release(decided)
        return outcome

    async def after_final(self, file: GrantFile, actor: str, reason: str) -> None:
        """After a grant became final (rejected, cancelled, returned): give back anything held."""
        await self.ledger.release(file.municipality, file.grant_id, actor=actor, reason=reason)
        if file.grant is not None:
            await self.claims.release(file.grant)


def conflict(grant_id: str) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(f"grant {grant_id} kept changing while being decided; try again")


def pending_statuses() -> frozenset[GrantStatus]:
    return frozenset({GrantStatus.REQUESTED, GrantStatus.PENDING_REVIEW})
