"""From contract events to message variables: only allow-listed names, typed values."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lgnet_contracts import Envelope, new_event
from lgnet_contracts.events.grants import (
    DecisionReason,
    GrantApproved,
    GrantDisbursed,
    GrantRejected,
)
from lgnet_contracts.events.placements import PlacementConfirmed
from lgnet_notifications.application.records import reference_for
from lgnet_notifications.application.variables import (
    MissingValueError,
    VariableSources,
    coerce,
    coerce_all,
    event_values,
    select,
)
from lgnet_notifications.domain.channels import Channel
from lgnet_notifications.domain.variables import ForbiddenVariableError
from lgnet_notifications.rendering import Renderer

CASE = "0f8fad5b-d9cb-469f-a165-70867728950e"
ROMA, BARI = "058091", "072006"
SOURCES = VariableSources(hotline_phones={ROMA: "+39 06 0606"}, grant_review_days=30)
ARRIVE_BY = datetime(2025, 3, 12, 20, 30, tzinfo=UTC)


def event(payload: Any, municipality: str = ROMA, at: datetime | None = None) -> Envelope[Any]:
    return new_event(payload, producer="test", municipality=municipality, case_id=CASE, occurred_at=at)


def placement(phone: str | None) -> PlacementConfirmed:
    return PlacementConfirmed(
        placement_id="pl-1",
        shelter_id="sh-1",
        shelter_name="Casa San Paolo",
        shelter_address="Via Ostiense 12, Roma",
        shelter_phone=phone,
        arrive_by=ARRIVE_BY,
    )


def test_placement_gives_shelter_details_and_arrival_time() -> None:
    values = event_values(event(placement("+39 06 5555 1234")), SOURCES)
    assert values["arrival_time"] == ARRIVE_BY
    assert values["shelter_phone"] == "+39 06 5555 1234"
    assert values["shelter_name"] == "Casa San Paolo"
    assert values["reference"] == reference_for(CASE) == "RR-7728950E"
    assert values["municipality_name"] == "Roma"


def test_without_a_shelter_phone_the_hotline_answers() -> None:
    values = event_values(event(placement(None)), SOURCES)
    assert values["shelter_phone"] == values["hotline_phone"] == "+39 06 0606"


def test_the_default_hotline_covers_unconfigured_municipalities() -> None:
    sources = VariableSources(hotline_phones={ROMA: "+39 06 0606"}, default_hotline_phone="800 000 000")
    assert event_values(event(placement(None), BARI), sources)["shelter_phone"] == "800 000 000"
    assert "shelter_phone" not in event_values(event(placement(None), BARI), SOURCES)


def test_grants_give_amounts_in_cents_and_dates() -> None:
    approved = event_values(
        event(
            GrantApproved(grant_id="g-1", amount_cents=45_000, approved_by="a", automatic=True, reasons=[])
        ),
        SOURCES,
    )
    assert approved["amount"] == 45_000
    assert isinstance(approved["amount"], int)
    disbursed = event_values(
        event(
            GrantDisbursed(grant_id="g-1", amount_cents=45_000, batch_id="b-1", value_date=date(2025, 3, 20))
        ),
        SOURCES,
    )
    assert disbursed["expected_date"] == date(2025, 3, 20)


def test_review_deadline_counts_from_the_decision_day_in_italy() -> None:
    rejected = GrantRejected(
        grant_id="g-1", decided_by="a", reasons=[DecisionReason(code="isee", text="over")]
    )
    # 23:30 UTC on the 1st is already the 2nd in Rome.
    values = event_values(event(rejected, at=datetime(2025, 3, 1, 23, 30, tzinfo=UTC)), SOURCES)
    assert values["review_deadline"] == date(2025, 4, 1)


def test_select_takes_what_the_rule_names_and_refuses_gaps() -> None:
    values = event_values(event(placement(None)), SOURCES)
    assert set(select(values, ["reference", "arrival_time"])) == {"reference", "arrival_time"}
    with pytest.raises(MissingValueError, match="amount"):
        select(values, ["reference", "amount"])
    with pytest.raises(ForbiddenVariableError):
        select(values, ["nationality"])


def test_placement_values_render_in_every_channel() -> None:
    wanted = ["reference", "shelter_name", "shelter_address", "shelter_phone", "arrival_time"]
    values = select(event_values(event(placement(None)), SOURCES), wanted)
    sms = Renderer().render("placement_confirmed", Channel.SMS, "en", values)
    assert "+39 06 0606" in sms.content.text  # type: ignore[union-attr]
    assert "Casa San Paolo" in sms.content.text  # type: ignore[union-attr]


def test_coerce_reads_transported_and_stored_forms() -> None:
    assert coerce("amount", "45000") == 45_000
    assert coerce("expected_date", "2025-03-20") == date(2025, 3, 20)
    assert coerce("arrival_time", "2025-03-12T20:30:00+00:00") == ARRIVE_BY
    assert coerce("reference", "RR-1") == "RR-1"
    assert coerce("amount", 45_000) == 45_000
    with pytest.raises(ValueError, match="time zone"):
        coerce("arrival_time", "2025-03-12T20:30:00")
    with pytest.raises(ValueError, match="cents"):
        coerce("amount", "450.00")
    with pytest.raises(ForbiddenVariableError):
        coerce_all({"health": "x"})
