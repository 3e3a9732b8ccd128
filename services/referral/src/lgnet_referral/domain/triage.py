"""The triage scorer: pure, deterministic, explainable.

score = sum of the policy weights of the vulnerability factors (declared, plus those the
household proves), of the immediate needs, and of points per child under 3. The score
falls in a band (policy thresholds) giving P1..P4. Then hard floors, which no policy
can weaken, raise the priority:

* MINOR_NEEDING_SHELTER -> P1: shelter tonight is needed and the household has a minor
  (factor ``minor``, ``unaccompanied_minor`` or ``single_parent_with_minors``, or minor ages).
* PREGNANCY -> at least P2: factor ``pregnancy`` or the household's pregnancy flag.
* VIOLENCE_SURVIVOR -> at least P2: ``trafficking_victim``, ``torture_or_violence_survivor``
  or ``fgm_victim`` (FGM is gender-based violence).

Weights are never negative, so adding a factor or need never lowers score or priority.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority, most_urgent
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.utc import require_utc
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor, factors_in_order, needs_in_order


class Floor(StrEnum):
    MINOR_NEEDING_SHELTER = "minor_needing_shelter_tonight"
    PREGNANCY = "pregnancy"
    VIOLENCE_SURVIVOR = "violence_or_trafficking_survivor"

    @property
    def priority(self) -> Priority:
        return Priority.P1 if self is Floor.MINOR_NEEDING_SHELTER else Priority.P2

    @property
    def explanation(self) -> str:
        return _FLOOR_EXPLANATIONS[self]


_FLOOR_EXPLANATIONS: dict[Floor, str] = {
    Floor.MINOR_NEEDING_SHELTER: "A minor needs shelter tonight: always P1",
    Floor.PREGNANCY: "Pregnancy: never below P2",
    Floor.VIOLENCE_SURVIVOR: "Survivor of trafficking, torture, serious violence or FGM: never below P2",
}

_MINOR_FACTORS = frozenset(
    {
        VulnerabilityFactor.MINOR,
        VulnerabilityFactor.UNACCOMPANIED_MINOR,
        VulnerabilityFactor.SINGLE_PARENT_WITH_MINORS,
    }
)
_VIOLENCE_FACTORS = frozenset(
    {
        VulnerabilityFactor.TRAFFICKING_VICTIM,
        VulnerabilityFactor.TORTURE_OR_VIOLENCE_SURVIVOR,
        VulnerabilityFactor.FGM_VICTIM,
    }
)


class ContributionKind(StrEnum):
    VULNERABILITY = "vulnerability"
    NEED = "need"
    HOUSEHOLD = "household"


@dataclass(frozen=True, slots=True)
class FactorContribution:
    """One line of the score: what was counted, how many points, and why, in plain words."""

    kind: ContributionKind
    # The factor or need value (e.g. "pregnancy", "shelter_tonight") or "minors_under_3".
    factor: str
    points: int
    reason: str


@dataclass(frozen=True, slots=True)
class TriageResult:
    priority: Priority
    score: int
    breakdown: tuple[FactorContribution, ...]
    needs: tuple[Need, ...]
    sla_deadline: datetime
    policy_version: str
    # The floor that raised the priority above its score band, if one did.
    floor_applied: Floor | None
    reported_at: datetime
    # The priority the score alone gives, before floors.
    score_priority: Priority
    # Every floor that holds for these facts, whether or not it changed the priority.
    floors: tuple[Floor, ...]
    factors: tuple[VulnerabilityFactor, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """What an operator reads: each contribution, the band, and the floor if it decided."""
        lines = [item.reason for item in self.breakdown]
        lines.append(f"Score {self.score} gives {self.score_priority} (policy {self.policy_version})")
        if self.floor_applied is not None:
            lines.append(f"{self.floor_applied.explanation}: raised to {self.priority}")
        return tuple(lines)


def effective_factors(
    household: Household, factors: Iterable[VulnerabilityFactor]
) -> frozenset[VulnerabilityFactor]:
    combined: frozenset[VulnerabilityFactor] = frozenset(factors) | household.implied_factors()
    return combined


def applicable_floors(factors: frozenset[VulnerabilityFactor], needs: frozenset[Need]) -> tuple[Floor, ...]:
    floors: list[Floor] = []
    if Need.SHELTER_TONIGHT in needs and factors & _MINOR_FACTORS:
        floors.append(Floor.MINOR_NEEDING_SHELTER)
    if VulnerabilityFactor.PREGNANCY in factors:
        floors.append(Floor.PREGNANCY)
    if factors & _VIOLENCE_FACTORS:
        floors.append(Floor.VIOLENCE_SURVIVOR)
    return tuple(floors)


def floor_priority(floors: Iterable[Floor]) -> Priority | None:
    """The most urgent priority the floors demand, or None when none holds."""
    priorities = [floor.priority for floor in floors]
    return most_urgent(*priorities) if priorities else None


def triage(
    *,
    household: Household,
    factors: Iterable[VulnerabilityFactor],
    needs: Iterable[Need],
    policy: TriagePolicy,
    reported_at: datetime,
) -> TriageResult:
    reported_at = require_utc(reported_at, "reported_at")
    declared = frozenset(factors)
    all_factors = effective_factors(household, declared)
    need_set = frozenset(needs)
    breakdown = _breakdown(household, declared, all_factors, need_set, policy)
    score = sum(item.points for item in breakdown)
    score_priority = policy.priority_for_score(score)
    floors = applicable_floors(all_factors, need_set)
    priority = score_priority
    floor_applied: Floor | None = None
    # Floors are checked most urgent first, so the one named is the one that decided.
    for floor in sorted(floors, key=lambda f: f.priority.rank):
        if floor.priority.is_more_urgent_than(priority):
            priority = floor.priority
            floor_applied = floor
    return TriageResult(
        priority=priority,
        score=score,
        breakdown=breakdown,
        needs=needs_in_order(need_set),
        sla_deadline=policy.sla_deadline(priority, reported_at),
        policy_version=policy.version,
        floor_applied=floor_applied,
        reported_at=reported_at,
        score_priority=score_priority,
        floors=floors,
        factors=factors_in_order(all_factors),
    )


def _breakdown(
    household: Household,
    declared: frozenset[VulnerabilityFactor],
    all_factors: frozenset[VulnerabilityFactor],
    needs: frozenset[Need],
    policy: TriagePolicy,
) -> tuple[FactorContribution, ...]:
    # Enum order, not input order, so the same facts always read the same way.
    items: list[FactorContribution] = []
    for factor in VulnerabilityFactor:
        if factor not in all_factors:
            continue
        points = policy.factor_weights[factor]
        source = "" if factor in declared else " (from household details)"
        items.append(
            FactorContribution(
                kind=ContributionKind.VULNERABILITY,
                factor=str(factor),
                points=points,
                reason=f"{factor.label}{source}: {_points(points)}",
            )
        )
    infants = household.minors_under_3
    if infants:
        per_child = policy.points_per_minor_under_3
        items.append(
            FactorContribution(
                kind=ContributionKind.HOUSEHOLD,
                factor="minors_under_3",
                points=infants * per_child,
                reason=f"{infants} child(ren) under 3: {_points(infants * per_child)} ({per_child} each)",
            )
        )
    for need in Need:
        if need in needs:
            points = policy.need_weights[need]
            items.append(
                FactorContribution(
                    kind=ContributionKind.NEED,
                    factor=str(need),
                    points=points,
                    reason=f"{need.label}: {_points(points)}",
                )
            )
    return tuple(items)


def _points(points: int) -> str:
    return f"+{points} point" if points == 1 else f"+{points} points"
