"""One grant per household in the window, on the real engines: the claim holds under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lgnet_payments.adapters.mongo_household_claims import MongoHouseholdClaimRepository
from lgnet_payments.application.intake import household_key
from lgnet_payments.application.records import Applicant, GrantDetails, GrantFile
from lgnet_payments.bootstrap import PaymentsService
from lgnet_payments.domain.budget import LedgerOperation
from lgnet_payments.domain.eligibility import GrantPurpose, HousingSituation
from lgnet_payments.domain.grant import GrantStatus
from lgnet_payments.domain.household_claim import ClaimRequest
from lgnet_payments.domain.reasons import ReasonCode
from lgnet_payments.settings import PaymentsSettings
from lgnet_testing.samples import fiscal_code

from .conftest import MILANO, PAYEE_IBAN, running

pytestmark = pytest.mark.engines

MEMBERS = 20  # grants of one household decided at the same moment
SMALL = 1_000_00  # approved automatically
LARGE = 2_000_00  # above the auto-approval threshold: waits for a reviewer
SCOPE = frozenset({MILANO})
WINDOW = timedelta(days=365)
APPROVED = GrantStatus.APPROVED.value
REJECTED = GrantStatus.REJECTED.value


def details(cents: int) -> GrantDetails:
    return GrantDetails(
        household_size=2,
        isee_cents=8_000_00,
        housing=HousingSituation(no_home=True),
        requested_cents=cents,
        purpose=GrantPurpose.EMERGENCY_HOUSING,
    )


async def create(service: PaymentsService, index: int, cents: int) -> GrantFile:
    applicant = Applicant(f"Member {index}", PAYEE_IBAN, fiscal_code(index))
    return await service.intake.create(
        municipality=MILANO, case_id=None, details=details(cents), applicant=applicant, actor="officer.rossi"
    )


def claim_reasons(files: list[GrantFile]) -> set[ReasonCode]:
    return {r.code for f in files if f.grant is not None for r in f.grant.decisions[-1].reasons}


async def claim_of(service: PaymentsService, index: int) -> dict[str, Any] | None:
    key = household_key(fiscal_code(index), service.settings.household_pepper.get_secret_value().encode())
    return await service.runtime.db["household_claims"].find_one({"_id": key})


async def test_one_household_decided_concurrently_is_paid_once(settings: PaymentsSettings) -> None:
    async with running(settings) as (service, _):
        reviewed = await asyncio.gather(*(create(service, 500, LARGE) for _ in range(MEMBERS)))
        assert {f.status for f in reviewed} == {GrantStatus.PENDING_REVIEW.value}
        decided = await asyncio.gather(
            *(
                service.decisions.approve(f.grant_id, approver="approver.verdi", why="ok", scope=SCOPE)
                for f in reviewed
            )
        )
        automatic = await asyncio.gather(*(create(service, 501, SMALL) for _ in range(MEMBERS)))

        for files, cents in ((decided, LARGE), (automatic, SMALL)):
            approved = [f for f in files if f.status == APPROVED]
            rejected = [f for f in files if f.status == REJECTED]
            assert (len(approved), len(rejected)) == (1, MEMBERS - 1)
            assert ReasonCode.PREVIOUS_GRANT_IN_WINDOW in claim_reasons(rejected)
            assert all(
                ReasonCode.PREVIOUS_GRANT_IN_WINDOW in [r.code for r in f.grant.decisions[-1].reasons]
                for f in rejected
                if f.grant is not None
            )
            assert approved[0].grant is not None
            assert approved[0].grant.amount_cents == cents

        budget = await service.ledger.get(MILANO)
        assert budget.reserved_cents == LARGE + SMALL
        reservations = [e.subject for e in budget.ledger if e.operation is LedgerOperation.RESERVE]
        winners = {f.grant_id for f in (*decided, *automatic) if f.status == APPROVED}
        assert sorted(reservations) == sorted(winners)  # the losers never touched the budget
        reconciliation = await service.reconciliation(MILANO)
        assert reconciliation.clean, (reconciliation.discrepancies, reconciliation.grant_mismatches)

        for index in (500, 501):
            claim = await claim_of(service, index)
            assert claim is not None
            assert claim["grant_id"] in winners
            stored = await service.grants.get(claim["grant_id"])
            assert stored is not None
            assert stored.grant is not None
            # The window counts from the approval: the claim carries the approval's own time.
            assert claim["claimed_at"] == stored.grant.decisions[-1].at


async def test_a_rejected_or_cancelled_grant_frees_the_household(settings: PaymentsSettings) -> None:
    async with running(settings) as (service, _):
        await service.ledger.set_allocation(MILANO, 500_00, change_id="tiny", actor="coord", reason="test")
        poor = await create(service, 600, SMALL)
        assert poor.status == REJECTED
        assert ReasonCode.INSUFFICIENT_FUNDS in claim_reasons([poor])
        released = await claim_of(service, 600)
        assert released is not None
        assert released["released_at"] is not None

        await service.ledger.set_allocation(MILANO, 50_000_00, change_id="more", actor="coord", reason="test")
        first = await create(service, 600, SMALL)
        assert first.status == APPROVED
        assert (await create(service, 600, SMALL)).status == REJECTED
        await service.decisions.cancel(first.grant_id, actor="officer.rossi", why="moved away", scope=SCOPE)
        # As if the process died between the cancelling write and the release: the next ones take over.
        stale = await service.runtime.db["household_claims"].update_one(
            {"grant_id": first.grant_id}, {"$set": {"released_at": None}}
        )
        assert stale.modified_count == 1
        again = await asyncio.gather(*(create(service, 600, SMALL) for _ in range(5)))
        assert sorted(f.status for f in again) == [APPROVED] + [REJECTED] * 4
        reconciliation = await service.reconciliation(MILANO)
        assert reconciliation.clean, (reconciliation.discrepancies, reconciliation.grant_mismatches)


async def test_the_claim_write_on_the_engine(settings: PaymentsSettings) -> None:
    async with running(settings) as (service, _):
        claims = MongoHouseholdClaimRepository(service.runtime.db["claims_probe"])
        await claims.ensure_indexes()
        now = datetime.now(UTC)

        def ask(grant_id: str, at: datetime = now, replacing: str | None = None) -> ClaimRequest:
            return ClaimRequest("household-x", grant_id, at, WINDOW, replacing=replacing)

        takes = await asyncio.gather(*(claims.take(ask(f"g-{i}")) for i in range(MEMBERS)))
        assert takes.count(True) == 1
        holder = f"g-{takes.index(True)}"
        other = "g-x" if holder != "g-x" else "g-y"
        assert await claims.take(ask(holder, now + timedelta(seconds=1)))  # its own: a retry
        assert not await claims.take(ask(other))
        assert not await claims.take(ask(other, now + WINDOW - timedelta(seconds=2)))
        assert await claims.take(ask(other, replacing=holder))  # the holder was seen final
        assert not await claims.release("household-x", holder, now)  # no longer its claim
        assert await claims.release("household-x", other, now)
        assert not await claims.release("household-x", other, now)  # once
        assert await claims.take(ask(holder))  # released: free again
        lapsed = now + timedelta(seconds=1) + WINDOW
        assert await claims.take(ask("g-later", lapsed))

        current = await claims.get("household-x")
        assert current is not None
        assert (current.grant_id, current.claimed_at.tzinfo is not None) == ("g-later", True)
        assert await claims.forget("g-later") == 1
        assert await claims.get("household-x") is None


async def test_one_grant_approved_twice_at_once_keeps_its_claim(settings: PaymentsSettings) -> None:
    async with running(settings) as (service, _):
        for index in range(700, 710):  # a fresh household each: the first insert of its claim may race
            pending = await create(service, index, LARGE)
            await asyncio.gather(
                *(
                    service.decisions.approve(
                        pending.grant_id, approver=f"approver.{n}", why="ok", scope=SCOPE
                    )
                    for n in range(3)
                ),
                return_exceptions=True,  # the later ones find it approved already
            )
            stored = await service.grants.get(pending.grant_id)
            assert stored is not None
            assert stored.status == APPROVED
            claim = await claim_of(service, index)
            assert claim is not None
            assert (claim["grant_id"], claim["released_at"]) == (pending.grant_id, None)
        reconciliation = await service.reconciliation(MILANO)
        assert reconciliation.clean, (reconciliation.discrepancies, reconciliation.grant_mismatches)
