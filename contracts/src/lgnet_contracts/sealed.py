"""Personal data that travels between services only in encrypted form.

Special-category data (GDPR art. 9) and direct identifiers never cross Kafka in plaintext.
A `Sealed` value is AES-256-GCM ciphertext under a key named by `kid`; only services that hold
that key (the runtime's sealing module) can open it. The contracts only describe the shape.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from lgnet_contracts.types import Email, FiscalCode, LanguageCode, PhoneE164

_B64URL = StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")


class Sealed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    nonce: Annotated[str, _B64URL]
    ciphertext: Annotated[str, _B64URL]


class ContactDetails(BaseModel):
    """How to reach the person; sealed inside events, opened only by the notifications service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_name: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    phone: PhoneE164 | None = None
    email: Email | None = None
    fiscal_code: FiscalCode | None = None
    preferred_language: LanguageCode = "it"
