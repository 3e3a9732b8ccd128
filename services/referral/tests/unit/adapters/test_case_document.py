"""A case file survives the trip to a document and back; personal data is never in it in plaintext."""

from __future__ import annotations

import json
from datetime import timedelta

from lgnet_contracts.events.cases import ErasureReason
from lgnet_referral.adapters.case_document import from_document, to_document
from lgnet_referral.application.case_file import Erasure
from lgnet_referral.application.timeline_feed import ExternalEvent, GrantNews, PlacementNews, apply_news
from lgnet_referral.domain.case_status import CaseOutcome
from lgnet_referral.domain.idempotency import KeyedReport
from lgnet_referral.domain.priority import Priority
from lgnet_referral.domain.timeline import Milestone, TimelineEntry
from lgnet_referral.domain.triage_policy import TriagePolicy

from ..conftest import T0
from .test_contract_events import CASE_ID, PERSON, reported

H = timedelta(hours=1)


def test_round_trip_keeps_every_field(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    case = file.case
    case.override_priority(
        priority=Priority.P2, reason="Hosted by a parish tonight", operator_id="cm", at=T0, policy=policy
    )
    news = ExternalEvent(
        event_id="e1",
        case_id=CASE_ID,
        entry=TimelineEntry(
            at=T0 + H, source="housing", event_type="placement.confirmed", summary="bed", event_id="e1"
        ),
        milestone=Milestone.PLACEMENT_CONFIRMED,
        placement=PlacementNews(
            "pl-1", "confirmed", shelter_id="sh-1", shelter_name="Casa", arrive_by=T0 + 2 * H
        ),
        grant=GrantNews("gr-1", "disbursed", 12_345),
    )
    case.record_external_event(news.entry, milestone=news.milestone)
    apply_news(file.situation, news)
    case.record_sla_breach(priority=Priority.P2, deadline=case.sla_deadline, at=T0 + 25 * H)
    case.close(outcome=CaseOutcome.PLACED, at=T0 + 26 * H, operator_id="cm")
    file.personal_changed = True

    doc = to_document(file)
    doc["_v"] = 7
    back = from_document(doc, PERSON)

    assert back.personal == PERSON
    assert back.situation == file.situation
    assert back.profile == file.profile
    for name in (
        "triage",
        "override",
        "override_history",
        "timeline",
        "sla_breaches",
        "needs_met",
        "household",
    ):
        assert getattr(back.case, name) == getattr(case, name), name
    assert (back.case.status, back.case.outcome, back.case.version) == (case.status, case.outcome, 7)
    assert doc["next_sla_check"] is None
    assert "Amina" not in json.dumps(doc, default=str)


def test_personal_data_is_left_to_the_repository(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    file.personal_changed = True
    doc = to_document(file)
    assert "personal" not in doc
    doc["_v"] = 1
    assert from_document(doc).personal is None
    assert doc["next_sla_check"] == file.case.sla_deadline


def test_an_erased_case_keeps_its_erasure_and_never_shows_a_person(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    file.erasure = Erasure(erased_at=T0 + H, erased_by="cm-1", reason=ErasureReason.DATA_SUBJECT_REQUEST)
    doc = to_document(file)
    doc["_v"] = 2
    back = from_document(doc, PERSON)
    assert back.erasure == file.erasure
    assert back.personal is None


def test_keyed_reports_round_trip_and_go_with_an_erasure(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    file.opened_with = KeyedReport(CASE_ID, "f" * 64)
    file.linked_keys = (KeyedReport("k1", "a" * 64), KeyedReport("k2", "b" * 64))
    doc = to_document(file)
    doc["_v"] = 1
    back = from_document(doc)
    assert (back.opened_with, back.linked_keys) == (file.opened_with, file.linked_keys)
    assert back.linked_report("k2") == file.linked_keys[1]

    file.erasure = Erasure(erased_at=T0 + H, erased_by="cm-1", reason=ErasureReason.DATA_SUBJECT_REQUEST)
    erased = to_document(file)
    assert (erased["opened_with"], erased["linked_keys"]) == (None, [])


def test_a_document_from_before_idempotency_keys_reads_without_them(policy: TriagePolicy) -> None:
    file, _ = reported(policy)
    doc = to_document(file)
    doc["_v"] = 1
    del doc["opened_with"], doc["linked_keys"]
    back = from_document(doc)
    assert (back.opened_with, back.linked_keys) == (None, ())
