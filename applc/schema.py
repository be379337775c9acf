"""The JSON Schema for editors, generated from the field table so it cannot drift.

`applc schema` prints it; `schemas/appliance.schema.json` is the same text, committed
for editors that point at a file (a test keeps the two equal).
"""

from __future__ import annotations

import json
from typing import Any

from applc.links import REPOSITORY_URL, docs_url
from applc.model.fields import (
    ARRAY,
    CONTAINER,
    IGNORE_KEY,
    KINDS,
    OBJECT,
    SCHEMA_KEY,
    Field,
    ObjectKind,
)

SCHEMA_ID = f"{REPOSITORY_URL}/blob/main/schemas/appliance.schema.json"
DOCS = docs_url("format.md")


def _ci_pattern(values: tuple[str, ...]) -> str:
    def word(w: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w)

    return "^(" + "|".join(word(v) for v in values) + ")$"


def _ignore_ref() -> dict[str, Any]:
    return {"$ref": "#/definitions/x-applc-ignore"}


def _field_schema(f: Field) -> dict[str, Any]:
    types = list(f.types)
    s: dict[str, Any] = {}
    desc = f.description
    if f.only:
        desc += f" ({f.only}s only)"
    if f.kind is not None:
        ref = {"$ref": f"#/definitions/{f.kind}"}
        if "null" in types:
            s["oneOf"] = [ref, {"type": "null"}]
        else:
            s.update(ref)
        return (
            {"description": desc, **s} if "$ref" not in s else {"allOf": [s], "description": desc}
        )
    s["type"] = types[0] if len(types) == 1 else types
    if f.enum is not None:
        if f.case_insensitive:
            s["pattern"] = _ci_pattern(f.enum)
        else:
            s["enum"] = list(f.enum)
    if f.items is not None and ARRAY in types:
        s["items"] = (
            {"$ref": f"#/definitions/{f.items}"}
            if f.items in KINDS or f.items == "volume_any"
            else {"type": f.items}
        )
        if f.items == "volume":
            s["items"] = {"$ref": "#/definitions/volume_any"}
    if f.values is not None and OBJECT in types:
        s["additionalProperties"] = {
            "type": list(f.values),
            "description": "A value (strings are preferred).",
        }
        s["properties"] = {IGNORE_KEY: _ignore_ref()}
    if f.name == "instances":
        s["minimum"] = 0
    if f.name in ("container_port",):
        s["minimum"], s["maximum"] = 1, 65535
    if f.name in ("host_port",):
        s["minimum"], s["maximum"] = 0, 65535
    if f.name in ("cpus", "mem"):
        s["exclusiveMinimum"] = 0
    if f.name in ("disk", "gpu"):
        s["minimum"] = 0
    if f.name == "minimum_capacity":
        s["minimum"], s["maximum"] = 0, 1
    if f.default is not None:
        s["default"] = f.default
    return {"description": desc, **s}


def _object_schema(kind: ObjectKind, extra_props: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {f.name: _field_schema(f) for f in kind.fields}
    for ig in kind.ignored:
        props[ig.name] = {"description": f"DEPRECATED. `{ig.name}` is {ig.why}."}
    props[IGNORE_KEY] = _ignore_ref()
    if kind.name in ("appliance", "container"):
        props["id"]["pattern"] = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
    elif kind.name == "persistent_volume":
        props["id"]["pattern"] = "^[A-Za-z0-9-]+$"
    if extra_props:
        props.update(extra_props)
    out: dict[str, Any] = {
        "title": kind.title,
        "description": kind.description,
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    required = [f.name for f in kind.fields if f.required]
    if required:
        out["required"] = required
    return out


def appliance_schema() -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for name, kind in KINDS.items():
        if name == "appliance":
            continue
        definitions[name] = _object_schema(kind)
    definitions["volume_any"] = {
        "description": "A volume mount, in the current form `{src, dest, type}` or the "
        "legacy form `{container_path, host_path, mode}`.",
        "oneOf": [{"$ref": "#/definitions/volume"}, {"$ref": "#/definitions/legacy_volume"}],
    }
    definitions["x-applc-ignore"] = {
        "description": "applc suppressions for this object and everything inside it: "
        'rule code or name -> the reason, e.g. {"APL301": "the agent must '
        'run privileged"}. applc strips it from every build output.',
        "type": "object",
        "additionalProperties": {
            "type": "string",
            "description": "Why the rule does not apply here.",
        },
    }
    root = _object_schema(
        KINDS["appliance"],
        {
            SCHEMA_KEY: {
                "description": "The JSON Schema of this file, for editors.",
                "type": "string",
            },
        },
    )
    assert CONTAINER.name in definitions
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        **root,
        "title": "PIVOT appliance",
        "description": root["description"] + f" Documentation: {DOCS}",
        "definitions": definitions,
    }


def schema_text() -> str:
    return json.dumps(appliance_schema(), indent=2, ensure_ascii=False) + "\n"
