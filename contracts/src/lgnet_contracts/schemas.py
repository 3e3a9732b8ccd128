"""JSON Schema per event and version, and the compatibility rules for published versions.

A committed schema file is a published contract. A change to a payload model either keeps
every published schema compatible for consumers (then the file is only refreshed) or it must
come as a new `schema_version` with its own file.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lgnet_contracts.registry import PAYLOADS, envelope_class

Schema = dict[str, Any]


def schema_file_name(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}.json"


def generate() -> dict[str, Schema]:
    """File name -> JSON Schema of the whole envelope with that payload."""
    out: dict[str, Schema] = {}
    for payload in PAYLOADS:
        schema = envelope_class(payload).model_json_schema()
        schema["$id"] = f"urn:lgnet:event:{payload.event_type}:v{payload.schema_version}"
        schema["title"] = f"{payload.event_type} v{payload.schema_version}"
        out[schema_file_name(payload.event_type, payload.schema_version)] = schema
    return out


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(directory: Path) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = directory / name
        text = render(schema)
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            written.append(name)
    return written


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    message: str
    breaking: bool

    def __str__(self) -> str:
        kind = "BREAKING" if self.breaking else "stale"
        return f"{kind}: {self.file}: {self.message}"


def check(directory: Path) -> list[Problem]:
    """Compare committed schemas with the models; breaking changes to published versions fail."""
    problems: list[Problem] = []
    current = generate()
    for name, schema in current.items():
        path = directory / name
        if not path.exists():
            problems.append(Problem(name, "not exported yet (run `lgnet contracts export`)", False))
            continue
        published = json.loads(path.read_text("utf-8"))
        for message in breaking_changes(published, schema):
            problems.append(Problem(name, message + " (publish a new schema_version instead)", True))
        if render(published) != render(schema):
            problems.append(Problem(name, "differs from the models (run `lgnet contracts export`)", False))
    for path in sorted(directory.glob("*.json")):
        if path.name not in current:
            problems.append(Problem(path.name, "published version has no model any more", True))
    return problems


def _resolve(node: Schema, root: Schema) -> Schema:
    while "$ref" in node:
        ref: str = node["$ref"]
        name = ref.rsplit("/", 1)[-1]
        node = root.get("$defs", {}).get(name, {})
    return node


def _types(node: Schema, root: Schema) -> set[str]:
    """A coarse description of what values a schema node admits, for narrowing checks."""
    node = _resolve(node, root)
    if "anyOf" in node:
        found: set[str] = set()
        for option in node["anyOf"]:
            found |= _types(option, root)
        return found
    if "enum" in node:
        return {f"enum:{json.dumps(v)}" for v in node["enum"]}
    if "const" in node:
        return {f"enum:{json.dumps(node['const'])}"}
    kind = node.get("type")
    if isinstance(kind, list):
        return set(kind)
    return {kind} if kind else {"any"}


_BOUNDS_NARROWING = {
    "minLength": 1,
    "minimum": 1,
    "exclusiveMinimum": 1,
    "minItems": 1,
    "maxLength": -1,
    "maximum": -1,
    "exclusiveMaximum": -1,
    "maxItems": -1,
}


def breaking_changes(
    old: Schema,
    new: Schema,
    *,
    path: str = "",
    old_root: Schema | None = None,
    new_root: Schema | None = None,
) -> list[str]:
    """What a consumer or producer relying on `old` would no longer be able to count on."""
    old_root = old_root or old
    new_root = new_root or new
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    found: list[str] = []
    where = path or "<root>"

    old_types, new_types = _types(old, old_root), _types(new, new_root)
    if "any" not in new_types and not old_types <= new_types:
        found.append(f"{where}: type narrowed from {sorted(old_types)} to {sorted(new_types)}")
    for key, direction in _BOUNDS_NARROWING.items():
        if key in new and (key not in old or (new[key] - old[key]) * direction > 0):
            found.append(f"{where}: {key} narrowed to {new[key]}")
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        found.append(f"{where}: pattern changed")

    old_props: Schema = old.get("properties", {})
    new_props: Schema = new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            found.append(f"{path}.{name}: field removed")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        found.append(f"{path}.{name}: field is now required")
    for name, old_child in old_props.items():
        if name in new_props:
            found.extend(
                breaking_changes(
                    old_child, new_props[name], path=f"{path}.{name}", old_root=old_root, new_root=new_root
                )
            )
    if "items" in old and "items" in new:
        found.extend(
            breaking_changes(
                old["items"], new["items"], path=f"{path}[]", old_root=old_root, new_root=new_root
            )
        )
    return found
