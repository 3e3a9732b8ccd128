import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from lgnet_contracts import InvalidEvent, UnknownEventType, decode, encode, new_event
from lgnet_contracts.events.cases import CaseClosed, CaseOutcome, CaseReported, Consent, Household
from lgnet_contracts.events.grants import BudgetExhausted
from lgnet_contracts.types import Gender, Need

CASE = str(uuid.uuid4())


def closed() -> CaseClosed:
    return CaseClosed(outcome=CaseOutcome.PLACED, closed_by="op-7", closed_at=datetime.now(UTC))


def test_round_trip_keeps_every_field() -> None:
    event = new_event(closed(), producer="referral", municipality="058091", case_id=CASE)
    assert decode(encode(event)) == event


def test_event_id_is_time_ordered_uuid7() -> None:
    first = new_event(closed(), producer="referral", municipality="058091", case_id=CASE)
    second = new_event(closed(), producer="referral", municipality="058091", case_id=CASE)
    assert first.event_id.version == 7
    assert first.event_id.bytes[:6] <= second.event_id.bytes[:6]


def test_caused_event_inherits_correlation_and_names_its_cause() -> None:
    cause = new_event(closed(), producer="referral", municipality="058091", case_id=CASE)
    effect = new_event(closed(), producer="housing", municipality="058091", case_id=CASE, causation=cause)
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.event_id


def test_times_are_normalised_to_utc() -> None:
    rome = timezone(timedelta(hours=1))
    payload = CaseClosed(
        outcome=CaseOutcome.PLACED, closed_by="op", closed_at=datetime(2026, 1, 1, 12, tzinfo=rome)
    )
    assert payload.closed_at.utcoffset() == timedelta(0)
    assert payload.closed_at.hour == 11


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError):
        CaseClosed(outcome=CaseOutcome.PLACED, closed_by="op", closed_at=datetime(2026, 1, 1, 12))


def test_municipality_must_be_one_of_the_programme() -> None:
    with pytest.raises(ValidationError, match="programme's municipalities"):
        new_event(closed(), producer="referral", municipality="012345", case_id=CASE)


def test_budget_events_are_keyed_by_municipality() -> None:
    event = new_event(
        BudgetExhausted(allocation_cents=100, available_cents=0, at=datetime.now(UTC)),
        producer="payments",
        municipality="063049",
        case_id=None,
    )
    assert event.key == b"063049"


def test_extra_fields_are_refused() -> None:
    raw = encode(new_event(closed(), producer="referral", municipality="058091", case_id=CASE))
    tampered = raw.replace(b'"closed_by"', b'"surprise":1,"closed_by"')
    with pytest.raises(InvalidEvent, match="does not match its contract"):
        decode(tampered)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"\xff\xfe", InvalidEvent),
        (b"[1,2]", InvalidEvent),
        (b'{"event_type": "case.closed"}', InvalidEvent),
        (b'{"event_type": "case.exploded", "schema_version": 1}', UnknownEventType),
        (b'{"event_type": "case.closed", "schema_version": 99}', UnknownEventType),
    ],
    ids=["not-utf8", "not-object", "no-version", "unknown-type", "unknown-version"],
)
def test_bad_bytes_are_invalid_events(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode(raw)


def test_envelope_type_must_match_payload() -> None:
    raw = encode(new_event(closed(), producer="referral", municipality="058091", case_id=CASE))
    with pytest.raises(InvalidEvent):
        decode(raw.replace(b'"case.closed"', b'"case.updated"'))


def test_case_reported_needs_at_least_one_need_and_consent() -> None:
    with pytest.raises(ValidationError):
        CaseReported(
            reported_at=datetime.now(UTC),
            reported_by="op",
            household=Household(adults=[Gender.FEMALE]),
            needs=[],
            consent=Consent(
                contact=True, data_processing=True, recorded_at=datetime.now(UTC), recorded_by="op"
            ),
        )
    ok = CaseReported(
        reported_at=datetime.now(UTC),
        reported_by="op",
        household=Household(adults=[Gender.FEMALE], minors_ages=[4]),
        needs=[Need.SHELTER_TONIGHT],
        consent=Consent(contact=True, data_processing=True, recorded_at=datetime.now(UTC), recorded_by="op"),
    )
    assert ok.needs == [Need.SHELTER_TONIGHT]
