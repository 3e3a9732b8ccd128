import pytest
from pydantic import TypeAdapter, ValidationError

from lgnet_contracts.municipalities import municipalities, municipality
from lgnet_contracts.sealed import ContactDetails
from lgnet_contracts.types import FiscalCode, Iban, PhoneE164

phone = TypeAdapter(PhoneE164)
fiscal = TypeAdapter(FiscalCode)
iban = TypeAdapter(Iban)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("333 123 4567", "+393331234567"),
        ("+39 06 6710 1", "+390667101"),
        ("+380 50 123 4567", "+380501234567"),
    ],
    ids=["italian-mobile", "rome-landline", "ukrainian-mobile"],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, normalised: str) -> None:
    assert phone.validate_python(raw) == normalised


@pytest.mark.parametrize("raw", ["12", "not a phone", "+39 000"])
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        phone.validate_python(raw)


def test_fiscal_codes_full_and_provisional() -> None:
    assert fiscal.validate_python("rssmra85t10a562s") == "RSSMRA85T10A562S"
    assert fiscal.validate_python("00743110157") == "00743110157"
    with pytest.raises(ValidationError, match="codice fiscale"):
        fiscal.validate_python("RSSMRA85T10A562X")
    with pytest.raises(ValidationError, match="provisional"):
        fiscal.validate_python("00743110158")


def test_iban_is_checked_and_compacted() -> None:
    assert iban.validate_python("IT60 X054 2811 1010 0000 0123 456") == "IT60X0542811101000000123456"
    with pytest.raises(ValidationError, match="IBAN"):
        iban.validate_python("IT60X0542811101000000123457")


def test_contact_details_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ContactDetails.model_validate({"phone": "+393331234567", "diagnosis": "x"})


def test_the_programme_has_22_municipalities() -> None:
    assert len(municipalities()) == 22
    assert municipality("058091").name == "Roma"
    with pytest.raises(ValueError, match="programme"):
        municipality("999999")
