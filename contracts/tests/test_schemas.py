import copy
import json
import shutil
from pathlib import Path

import pytest

from lgnet_contracts import asyncapi, schemas
from lgnet_contracts.registry import PAYLOADS

COMMITTED = Path(__file__).resolve().parents[1] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    assert schemas.check(COMMITTED) == []


def test_one_schema_per_event_and_version() -> None:
    assert len(schemas.generate()) == len(PAYLOADS)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(COMMITTED, target)
    return target


def _edit(directory: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    path = directory / name
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(schemas.render(schema))


def test_removing_a_published_field_is_breaking(published: Path) -> None:
    # The published version had a field the model no longer has.
    _edit(
        published,
        "case.closed.v1.json",
        lambda s: s["$defs"]["CaseClosed"]["properties"].update({"closed_reason": {"type": "string"}}),
    )
    problems = schemas.check(published)
    assert any(p.breaking and "closed_reason: field removed" in p.message for p in problems)


def test_a_new_required_field_is_breaking(published: Path) -> None:
    def drop_outcome(s: dict) -> None:  # type: ignore[type-arg]
        payload = s["$defs"]["CaseClosed"]
        del payload["properties"]["outcome"]
        payload["required"].remove("outcome")

    _edit(published, "case.closed.v1.json", drop_outcome)
    problems = schemas.check(published)
    assert any(p.breaking and "outcome: field is now required" in p.message for p in problems)


def test_a_narrowed_type_is_breaking() -> None:
    old = {"type": "object", "properties": {"n": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}}
    new = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert any("type narrowed" in m for m in schemas.breaking_changes(old, new))


def test_tighter_bounds_and_fewer_enum_values_are_breaking() -> None:
    old = {
        "type": "object",
        "properties": {"s": {"type": "string", "maxLength": 100}, "e": {"enum": ["a", "b"]}},
    }
    new = copy.deepcopy(old)
    new["properties"]["s"]["maxLength"] = 50
    new["properties"]["e"]["enum"] = ["a"]
    found = schemas.breaking_changes(old, new)
    assert any("maxLength narrowed" in m for m in found)
    assert any("type narrowed" in m for m in found)


def test_an_optional_new_field_is_compatible_but_stale(published: Path) -> None:
    _edit(published, "case.closed.v1.json", lambda s: s["$defs"]["CaseClosed"]["properties"].pop("closed_by"))
    # closed_by is required in the model: that is breaking; a harmless description change is only stale.
    _edit(published, "budget.exhausted.v1.json", lambda s: s.update({"description": "old words"}))
    problems = {p.file: p for p in schemas.check(published) if p.file == "budget.exhausted.v1.json"}
    assert problems["budget.exhausted.v1.json"].breaking is False


def test_a_published_version_without_model_is_breaking(published: Path) -> None:
    (published / "case.vanished.v1.json").write_text("{}")
    assert any(p.breaking and p.file == "case.vanished.v1.json" for p in schemas.check(published))


def test_asyncapi_lists_every_topic_and_event() -> None:
    doc = asyncapi.document()
    assert doc["asyncapi"].startswith("3.")
    assert len(doc["components"]["messages"]) == len(PAYLOADS)
    addresses = {c["address"] for c in doc["channels"].values()}
    assert "lgnet.referral.cases" in addresses
