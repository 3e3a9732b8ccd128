"""Per-case data keys on the MongoDB-wire engine: seal, open, destroy, and what destroying means."""

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel

from lgnet_runtime.keyring import CaseKeyring, Erased
from lgnet_runtime.sealing import Sealer, SealingError

pytestmark = pytest.mark.engines


class Person(BaseModel):
    name: str
    phone: str


PERSON = Person(name="Amina Rahmani", phone="+393331112222")


def keyring(mongo_db: Any, master: str | None = None, **kwargs: Any) -> CaseKeyring:
    sealer = Sealer.from_setting(master or "m1:" + Sealer.generate_key())
    return CaseKeyring(mongo_db["data_keys"], sealer, **kwargs)


async def test_a_case_key_seals_and_opens_and_is_stored_only_wrapped(mongo_db: Any) -> None:
    ring = keyring(mongo_db)
    sealed = await ring.seal_for_case("case-1", PERSON)
    assert "Amina" not in sealed.model_dump_json()
    assert await ring.open_for_case("case-1", sealed, Person) == PERSON
    doc = await mongo_db["data_keys"].find_one({"_id": "case-1"})
    assert doc is not None
    assert set(doc["wrapped"]) == {"kid", "nonce", "ciphertext"}
    assert doc["wrapped"]["kid"] == "m1"


async def test_each_case_has_its_own_key_and_values_are_bound_to_their_case(mongo_db: Any) -> None:
    ring = keyring(mongo_db)
    one = await ring.seal_for_case("case-a", PERSON)
    await ring.seal_for_case("case-b", PERSON)
    with pytest.raises(SealingError):
        await ring.open_for_case("case-b", one, Person)


async def test_a_restarted_instance_opens_with_the_stored_key(mongo_db: Any) -> None:
    master = "m1:" + Sealer.generate_key()
    sealed = await keyring(mongo_db, master).seal_for_case("case-2", PERSON)
    assert await keyring(mongo_db, master).open_for_case("case-2", sealed, Person) == PERSON
    with pytest.raises(SealingError):  # another master key cannot unwrap it
        await keyring(mongo_db).open_for_case("case-2", sealed, Person)


async def test_master_key_rotation_keeps_old_keys_readable(mongo_db: Any) -> None:
    old = "m1:" + Sealer.generate_key()
    sealed = await keyring(mongo_db, old).seal_for_case("case-3", PERSON)
    rotated = "m2:" + Sealer.generate_key() + "," + old
    assert await keyring(mongo_db, rotated).open_for_case("case-3", sealed, Person) == PERSON


async def test_destroyed_key_means_erased_everywhere_and_forever(mongo_db: Any) -> None:
    master = "m1:" + Sealer.generate_key()
    ring, other_instance = keyring(mongo_db, master), keyring(mongo_db, master, cache_seconds=0)
    sealed = await ring.seal_for_case("case-4", PERSON)
    assert await other_instance.open_for_case("case-4", sealed, Person) == PERSON
    erased_at = await ring.destroy("case-4")
    assert await ring.destroy("case-4") == erased_at  # idempotent
    for instance in (ring, other_instance):
        with pytest.raises(Erased) as caught:
            await instance.open_for_case("case-4", sealed, Person)
        assert caught.value.case_id == "case-4"
    with pytest.raises(Erased):  # no fresh key for a case that was erased
        await ring.seal_for_case("case-4", PERSON)
    doc = await mongo_db["data_keys"].find_one({"_id": "case-4"})
    assert doc is not None
    assert doc["wrapped"] is None
    assert doc["destroyed_at"] is not None
    assert await ring.is_destroyed("case-4")


async def test_erasing_a_case_without_a_key_leaves_a_tombstone(mongo_db: Any) -> None:
    ring = keyring(mongo_db)
    await ring.destroy("case-5")
    with pytest.raises(Erased):
        await ring.seal_for_case("case-5", PERSON)


async def test_concurrent_first_seals_share_one_key(mongo_db: Any) -> None:
    master = "m1:" + Sealer.generate_key()
    rings = [keyring(mongo_db, master) for _ in range(5)]
    sealed = await asyncio.gather(*(r.seal_for_case("case-6", PERSON) for r in rings))
    fresh = keyring(mongo_db, master)
    for value in sealed:
        assert await fresh.open_for_case("case-6", value, Person) == PERSON
    assert await mongo_db["data_keys"].count_documents({"_id": "case-6"}) == 1
