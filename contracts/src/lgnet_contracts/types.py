"""Field types that every contract shares, each validating a real-world format."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, AwareDatetime, EmailStr, Field, StringConstraints
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.it import codicefiscale, iva

from lgnet_contracts.municipalities import municipalities


def _programme_municipality(value: str) -> str:
    if value not in municipalities():
        raise ValueError("not the ISTAT code of one of the programme's municipalities")
    return value


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _fiscal_code(value: str) -> str:
    compact = value.replace(" ", "").upper()
    # Foreign nationals waiting for a full code may hold an 11-digit provisional one,
    # which follows the partita IVA check-digit rule.
    if compact.isdigit():
        if not iva.is_valid(compact):
            raise ValueError("not a valid 11-digit provisional fiscal code")
        return compact
    if not codicefiscale.is_valid(compact):
        raise ValueError("not a valid codice fiscale (16 characters with check character)")
    return compact


def _iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValueError(f"not a valid IBAN: {exc}") from None


IstatCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{6}$"),
    AfterValidator(_programme_municipality),
]
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
CaseId = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]
EntityId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
ActorId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
PhoneE164 = Annotated[str, AfterValidator(_e164)]
Email = EmailStr
FiscalCode = Annotated[str, AfterValidator(_fiscal_code)]
Iban = Annotated[str, AfterValidator(_iban)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
# Up to EUR 1 billion: far above any grant or budget, far below what a 64-bit store can hold.
Cents = Annotated[int, Field(ge=0, le=100_000_000_000, strict=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Priority(StrEnum):
    """P1 immediate to P4; lower number means sooner."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Need(StrEnum):
    SHELTER_TONIGHT = "shelter_tonight"
    ECONOMIC_HARDSHIP = "economic_hardship"
    MEDICAL = "medical"
    LEGAL = "legal"
    FOOD = "food"


class BedType(StrEnum):
    SINGLE = "single"
    FAMILY_ROOM = "family_room"
    COT = "cot"
    ACCESSIBLE = "accessible"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    APP_IO = "app_io"
