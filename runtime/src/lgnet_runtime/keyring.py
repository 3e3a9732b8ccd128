"""One data key per case, so a case's personal data can be erased by destroying its key.

Envelope encryption: each case has a random 256-bit data key that encrypts (AES-256-GCM) the
personal data kept at rest, bound to the case id. The data key itself is stored only wrapped
by the master key (the configured `sealing_keys`: the first wraps, all unwrap, for rotation)
in the `data_keys` collection. `destroy` replaces the wrapped key with a tombstone: every
copy of the ciphertext (live documents, backups, exports) can no longer be opened, and
opening answers `Erased`, not a decryption error.

Unwrapped keys are cached in memory for `cache_seconds`; another instance that destroyed a
key is seen by this one at the latest when the cached entry expires.
"""

from __future__ import annotations

import base64
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from lgnet_contracts.sealed import Sealed
from lgnet_runtime.sealing import Sealer, SealingError

M = TypeVar("M", bound=BaseModel)

COLLECTION = "data_keys"
# `kid` of values sealed with a case's data key (the key itself is found by the case id).
CASE_KID = "case-dk1"


class Erased(Exception):
    """The case's data key was destroyed: its personal data is gone for good."""

    def __init__(self, case_id: str, erased_at: datetime | None = None) -> None:
        super().__init__(f"the personal data of case {case_id} was erased")
        self.case_id = case_id
        self.erased_at = erased_at


class _WrappedKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _wrap_binding(case_id: str) -> str:
    # The wrapped key only unwraps under its own case id: a key document copied onto
    # another case cannot stand in for that case's destroyed key.
    return f"data-key:{case_id}"


class CaseKeyring:
    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        master: Sealer,
        *,
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._collection = collection
        self._master = master
        self._cache_seconds = cache_seconds
        self._cache_size = cache_size
        self._cache: OrderedDict[str, tuple[float, AESGCM]] = OrderedDict()
        self._clock = clock

    @classmethod
    def from_setting(cls, collection: AsyncCollection[dict[str, Any]], sealing_keys: str) -> CaseKeyring:
        return cls(collection, Sealer.from_setting(sealing_keys))

    # --- cache -----------------------------------------------------------------------------

    def _cached(self, case_id: str) -> AESGCM | None:
        hit = self._cache.get(case_id)
        if hit is None:
            return None
        expires, aead = hit
        if time.monotonic() > expires:
            del self._cache[case_id]
            return None
        self._cache.move_to_end(case_id)
        return aead

    def _remember(self, case_id: str, key: bytes) -> AESGCM:
        aead = AESGCM(key)
        self._cache[case_id] = (time.monotonic() + self._cache_seconds, aead)
        self._cache.move_to_end(case_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return aead

    # --- keys ------------------------------------------------------------------------------

    def _unwrap(self, doc: dict[str, Any]) -> bytes:
        case_id = str(doc["_id"])
        if doc.get("destroyed_at") is not None or doc.get("wrapped") is None:
            raise Erased(case_id, doc.get("destroyed_at"))
        wrapped = Sealed.model_validate(doc["wrapped"])
        return _b64d(self._master.open(wrapped, _WrappedKey, bound_to=_wrap_binding(case_id)).key)

    async def _key(self, case_id: str, *, create: bool) -> AESGCM:
        cached = self._cached(case_id)
        if cached is not None:
            return cached
        doc = await self._collection.find_one({"_id": case_id})
        if doc is None:
            if not create:
                raise SealingError(f"no data key for case {case_id}")
            key = AESGCM.generate_key(bit_length=256)
            wrapped = self._master.seal(_WrappedKey(key=_b64e(key)), bound_to=_wrap_binding(case_id))
            try:
                await self._collection.insert_one(
                    {"_id": case_id, "wrapped": wrapped.model_dump(), "created_at": self._clock()}
                )
            except DuplicateKeyError:
                # Another writer created the case's key first: use theirs.
                doc = await self._collection.find_one({"_id": case_id})
                if doc is None:  # pragma: no cover - destroyed documents stay as tombstones
                    raise SealingError(f"data key of case {case_id} vanished") from None
                return self._remember(case_id, self._unwrap(doc))
            return self._remember(case_id, key)
        return self._remember(case_id, self._unwrap(doc))

    async def seal_for_case(self, case_id: str, value: BaseModel) -> Sealed:
        """Encrypt under the case's data key (created on first use), bound to the case id."""
        aead = await self._key(case_id, create=True)
        nonce = os.urandom(12)
        ciphertext = aead.encrypt(nonce, value.model_dump_json().encode(), case_id.encode())
        return Sealed(kid=CASE_KID, nonce=_b64e(nonce), ciphertext=_b64e(ciphertext))

    async def open_for_case(self, case_id: str, sealed: Sealed, model: type[M]) -> M:
        """Decrypt; raises `Erased` once the case's key is destroyed."""
        if sealed.kid != CASE_KID:
            raise SealingError(f"not sealed with a case data key ({sealed.kid!r})")
        aead = await self._key(case_id, create=False)
        try:
            plaintext = aead.decrypt(_b64d(sealed.nonce), _b64d(sealed.ciphertext), case_id.encode())
        except Exception as exc:  # InvalidTag: tampered, or sealed for another case
            raise SealingError("sealed value cannot be opened") from exc
        return model.model_validate_json(plaintext)

    async def destroy(self, case_id: str) -> datetime:
        """Erase: the wrapped key is replaced by a tombstone. Idempotent; returns when it happened.

        The tombstone stays so that opening answers `Erased` and a later seal for the same
        case cannot silently create a fresh key for data that was meant to be gone.
        """
        self._cache.pop(case_id, None)
        now = self._clock()
        await self._collection.update_one(
            {"_id": case_id, "destroyed_at": None},
            {"$set": {"destroyed_at": now, "wrapped": None}},
            upsert=False,
        )
        doc = await self._collection.find_one({"_id": case_id}, {"destroyed_at": 1})
        if doc is None:
            # Never had personal data at rest: the tombstone still refuses future keys.
            try:
                await self._collection.insert_one({"_id": case_id, "wrapped": None, "destroyed_at": now})
            except DuplicateKeyError:
                return await self.destroy(case_id)
            return now
        destroyed: datetime = doc["destroyed_at"]
        return destroyed if destroyed.tzinfo is not None else destroyed.replace(tzinfo=UTC)

    async def is_destroyed(self, case_id: str) -> bool:
        doc = await self._collection.find_one({"_id": case_id}, {"destroyed_at": 1})
        return doc is not None and doc.get("destroyed_at") is not None
