"""Domain events -> contract events: what leaves the service is minimised and sealed."""

from __future__ import annotations

from datetime import timedelta

from lgnet_contracts import encode
from lgnet_contracts.sealed import ContactDetails
from lgnet_referral.adapters.contract_events import ContractEvents
from lgnet_referral.adapters.personal_seal import ContactSeal
from lgnet_referral.application.case_file import CaseFile, CaseProfile, Consent, PersonalData
from lgnet_referral.domain.case import Case
from lgnet_referral.domain.duplicates import LookupKeys
from lgnet_referral.domain.events import CaseEvent
from lgnet_referral.domain.household import Household
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.triage_policy import TriagePolicy
from lgnet_referral.domain.vulnerability import Need, VulnerabilityFactor
from lgnet_runtime.sealing import Sealer

from ..conftest import T0

CASE_ID = "0b6f3c2e-8f7c-4f6e-9a51-2d1e5b7c9a10"
SEALER = Sealer.from_setting("k1:" + Sealer.generate_key())
PERSON = PersonalData(given_name="Amina", family_name="Diallo", phone="+393331234567", location="Termini")


def reported(
    policy: TriagePolicy, *, consent_to_contact: bool = True
) -> tuple[CaseFile, tuple[CaseEvent, ...]]:
    case, events = Case.report(
        case_id=CASE_ID,
        municipality="058091",
        household=Household(adults=1, pregnant=True),
        factors=[VulnerabilityFactor.TORTURE_OR_VIOLENCE_SURVIVOR, VulnerabilityFactor.ELDERLY],
        needs=[Need.SHELTER_TONIGHT],
        policy=policy,
        reported_at=T0,
        operator_id="op-1",
    )
    profile = CaseProfile(
        adult_genders=(),
        preferred_language="ar",
        accessible_bed=True,
        consent=Consent(contact=consent_to_contact, data_processing=True, recorded_at=T0, recorded_by="op-1"),
    )
    return CaseFile(case=case, profile=profile, lookup=LookupKeys(), personal=PERSON), events


def test_special_categories_are_one_unnamed_line_and_pregnancy_never_leaves(policy: TriagePolicy) -> None:
    file, events = reported(policy)
    envelopes = ContractEvents(ContactSeal(SEALER)).envelopes(file, events)

    assert [e.event_type for e in envelopes] == ["case.reported", "case.triaged"]
    triaged = envelopes[1].payload
    factors = {c.factor: c.points for c in triaged.breakdown}
    weights = policy.factor_weights
    assert factors["protected"] == (
        weights[VulnerabilityFactor.TORTURE_OR_VIOLENCE_SURVIVOR] + weights[VulnerabilityFactor.PREGNANCY]
    )
    assert factors["elderly"] == weights[VulnerabilityFactor.ELDERLY]
    assert sum(factors.values()) == triaged.score
    assert triaged.housing is not None
    assert (triaged.housing.accessible_bed, triaged.housing.language) == (True, "ar")
    assert envelopes[1].causation_id == envelopes[0].event_id
    wire = b"".join(encode(e) for e in envelopes)
    for hidden in (b"torture", b"pregnan", b"Pregnan", b"violence", b"Amina", b"3331234567", b"Termini"):
        assert hidden not in wire


def test_the_contact_is_sealed_for_the_case_and_only_with_consent(policy: TriagePolicy) -> None:
    file, events = reported(policy)
    contact = ContractEvents(ContactSeal(SEALER)).envelopes(file, events)[0].payload.contact
    assert contact is not None
    opened = SEALER.open(contact, ContactDetails, bound_to=CASE_ID)
    assert (opened.phone, opened.first_name, opened.preferred_language) == ("+393331234567", "Amina", "ar")

    silent, events = reported(policy, consent_to_contact=False)
    assert ContractEvents(ContactSeal(SEALER)).envelopes(silent, events)[0].payload.contact is None


def test_an_override_is_published_with_the_original_priority(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    events = file.case.override_priority(
        priority=Priority.P2,
        reason="Hosted by a parish until tomorrow",
        operator_id="cm-1",
        at=T0 + timedelta(minutes=5),
        policy=policy,
    )
    (envelope,) = ContractEvents(ContactSeal(SEALER)).envelopes(file, events)
    payload = envelope.payload
    assert envelope.event_type == "case.triaged"
    assert str(payload.priority) == "P2"
    assert payload.override is not None
    assert (str(payload.override.original_priority), payload.override.overridden_by) == ("P1", "cm-1")
    assert payload.sla_deadline == T0 + timedelta(hours=24)


def test_events_nobody_else_acts_on_stay_inside(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    events = file.case.take_charge(at=T0 + timedelta(minutes=1), by="cm-1")
    assert ContractEvents(ContactSeal(SEALER)).envelopes(file, events) == []
