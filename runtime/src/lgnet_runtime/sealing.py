"""Seal and open personal data carried inside events (AES-256-GCM, keys named by id).

The event's id is bound as associated data, so a sealed value cannot be lifted from one
event into another.
"""

import base64
import os
from typing import TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from lgnet_contracts.sealed import Sealed

M = TypeVar("M", bound=BaseModel)


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SealingError(ValueError):
    pass


class Sealer:
    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise SealingError("the sealing key in use must be one of the configured keys")
        for kid, key in keys.items():
            if len(key) != 32:
                raise SealingError(f"sealing key {kid!r} must be 32 bytes")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self._current = current

    @classmethod
    def from_setting(cls, value: str) -> "Sealer":
        """`kid:base64url-key,...`: the first key seals, every key opens (for rotation)."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            kid, _, encoded = item.partition(":")
            if not kid or not encoded:
                raise SealingError("sealing keys look like 'kid:base64url-key'")
            keys[kid] = _b64d(encoded)
        if not keys:
            raise SealingError("no sealing key configured")
        return cls(keys, next(iter(keys)))

    @staticmethod
    def generate_key() -> str:
        return _b64e(AESGCM.generate_key(bit_length=256))

    def seal(self, value: BaseModel, *, bound_to: str) -> Sealed:
        nonce = os.urandom(12)
        ciphertext = self._keys[self._current].encrypt(
            nonce, value.model_dump_json().encode(), bound_to.encode()
        )
        return Sealed(kid=self._current, nonce=_b64e(nonce), ciphertext=_b64e(ciphertext))

    def open(self, sealed: Sealed, model: type[M], *, bound_to: str) -> M:
        aead = self._keys.get(sealed.kid)
        if aead is None:
            raise SealingError(f"no key {sealed.kid!r} to open this value")
        try:
            plaintext = aead.decrypt(_b64d(sealed.nonce), _b64d(sealed.ciphertext), bound_to.encode())
        except Exception as exc:  # InvalidTag: tampered, wrong key, or wrong event
            raise SealingError("sealed value cannot be opened") from exc
        return model.model_validate_json(plaintext)
