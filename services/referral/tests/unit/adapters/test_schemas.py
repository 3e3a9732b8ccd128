"""Intake validation: normalised values, and errors an operator can act on."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lgnet_referral.entrypoints.schemas import CaseReportIn, CaseUpdateIn
from lgnet_runtime.http import field_errors


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "municipality": "063049",
        "location": "Piazza Garibaldi",
        "household": {"adults": ["male", "female"], "minors_ages": [1]},
        "needs": ["shelter_tonight"],
        "contact": {"phone": "333 123 4567"},
        "fiscal_code": "rssmra85t10a562s",
        "consent": {"contact": True, "data_processing": True},
        **overrides,
    }


def test_values_are_normalised() -> None:
    report = CaseReportIn.model_validate(body())
    assert report.contact.phone == "+393331234567"
    assert report.fiscal_code == "RSSMRA85T10A562S"
    assert report.household.to_domain().size == 3


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"municipality": "058000"}, "municipality", "ISTAT"),
        ({"contact": {"phone": "+39 0"}}, "contact.phone", "phone"),
        ({"contact": {"phone": "call me"}}, "contact.phone", "country code"),
        ({"fiscal_code": "RSSMRA85T10A562"}, "fiscal_code", "16 characters"),
        ({"fiscal_code": "01234561206"}, "fiscal_code", "11-digit"),
        ({"needs": []}, "needs", "at least 1"),
        ({"household": {"adults": [], "minors_ages": [18]}}, "household.minors_ages.0", "17"),
        ({"factors": ["homeless"]}, "factors.0", "unaccompanied_minor"),
        ({"location": "  "}, "location", "at least 1"),
    ],
)
def test_errors_name_the_field_and_what_to_do(overrides: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CaseReportIn.model_validate(body(**overrides))
    errors = {e["field"]: e["message"] for e in field_errors(caught.value.errors())}
    assert field in errors
    assert says in errors[field]


def test_an_update_must_change_something() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        CaseUpdateIn.model_validate({})
    assert CaseUpdateIn.model_validate({"needs": ["food"]}).needs is not None
