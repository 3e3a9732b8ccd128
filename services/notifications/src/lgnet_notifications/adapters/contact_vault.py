"""Opens the sealed contact details of a recipient, and hashes phone numbers for STOP look-ups."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers

from lgnet_contracts.sealed import ContactDetails, Sealed
from lgnet_notifications.application.records import Contact, Recipient
from lgnet_notifications.domain.channels import ContactData
from lgnet_runtime.sealing import Sealer


def normalise_phone(phone: str) -> str | None:
    """E.164 form, Italian numbers assumed without a country code; None when not a number."""
    try:
        parsed = phonenumbers.parse(phone, "IT")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class SealedContactVault:
    def __init__(self, sealer: Sealer, lookup_key: bytes) -> None:
        if len(lookup_key) < 16:
            raise ValueError("the phone lookup key needs at least 16 bytes")
        self._sealer = sealer
        self._lookup_key = lookup_key

    @classmethod
    def from_settings(cls, sealing_keys: str, phone_lookup_key: str = "") -> SealedContactVault:
        sealer = Sealer.from_setting(sealing_keys)
        # Derived rather than reused, so the hash key differs from every sealing key.
        key = (
            phone_lookup_key.encode()
            or hashlib.sha256(b"lgnet-phone-lookup:" + sealing_keys.encode()).digest()
        )
        return cls(sealer, key)

    def open(self, recipient: Recipient) -> Contact:
        if recipient.sealed_contact is None:
            return Contact(ContactData())
        # Sealed by referral bound to the case id: a value copied from another case will not open.
        details = self._sealer.open(
            Sealed.model_validate(recipient.sealed_contact), ContactDetails, bound_to=recipient.case_id
        )
        return Contact(
            ContactData(phone_e164=details.phone, email=details.email, fiscal_code=details.fiscal_code),
            first_name=details.first_name,
        )

    def phone_lookup(self, phone: str) -> str | None:
        normalised = normalise_phone(phone)
        if normalised is None:
            return None
        return hmac.new(self._lookup_key, normalised.encode(), hashlib.sha256).hexdigest()
