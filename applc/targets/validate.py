"""`applc build --validate`: every output checked against the schemas applc ships.

The schemas (`schemas/marathon-group.schema.json`, `schemas/chronos-job.schema.json`)
are the project's own, written from Marathon's and Chronos' documented rules for the
fields applc emits; they ship in the wheel. This is jsonschema's run-time job: lint
settings can switch a check off, a plug-in target can write anything, and `--validate`
still stops a build whose output the platform would refuse. jsonschema is imported
here only, so `applc lint` never loads it.

Patterns are read as JSON Schema means them (ECMA 262): `$` is the end of the text,
not "the end, or before a final newline" as in Python's `re`, so `"shop\\n"` does not
pass `^[a-z]+$`. Integers are integers: `1.0` is not one (Marathon's Draft 4 schema
agrees).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from applc.build import OutputText

# Output suffix -> the schema its files must satisfy.
SCHEMAS = {
    "marathon.json": "marathon-group.schema.json",
    "chronos.json": "chronos-job.schema.json",
}
# Targets with a schema for every file they write.
VALIDATED_TARGETS = ("marathon",)


def schemas_root() -> Path:
    """`applc/_data/schemas` in an installed wheel, else `schemas/` of the checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_data" / "schemas"
    if installed.is_dir():
        return installed
    return package.parent / "schemas"


def ecma_pattern(pattern: str) -> str:
    """A JSON Schema (ECMA 262) pattern as a Python one: `$` outside a class is `\\Z`."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == "$" and not in_class:
            ch = r"\Z"
        out.append(ch)
        i += 1
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


@functools.cache
def validator(schema_name: str) -> Any:
    from jsonschema import Draft7Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(_v: Any, patrn: str, instance: Any, _schema: Any) -> Any:
        if isinstance(instance, str) and _compiled(patrn).search(instance) is None:
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    schema = json.loads((schemas_root() / schema_name).read_text(encoding="utf-8"))
    type_checker = Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _c, value: isinstance(value, int) and not isinstance(value, bool)
    )
    cls = validators.extend(Draft7Validator, {"pattern": pattern}, type_checker=type_checker)
    return cls(schema)


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


def validate_text(schema_name: str, text: str) -> list[str]:
    """Why `text` does not satisfy the schema (empty when it does)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    errors = sorted(validator(schema_name).iter_errors(value), key=lambda e: list(e.path))
    out = []
    for e in errors:
        message = e.message if len(e.message) <= 200 else e.message[:200] + "..."
        out.append(f"{_pointer(e.absolute_path)}: {message}")
    return out


def validate_outputs(target: str, outputs: list[OutputText]) -> list[str]:
    """One line per problem, `<file>: <pointer>: <why>`, for every output of `target`."""
    problems: list[str] = []
    for o in outputs:
        schema = next((s for suffix, s in SCHEMAS.items() if o.name.endswith("." + suffix)), None)
        if schema is None:
            continue
        problems += [f"{o.name}: {p}" for p in validate_text(schema, o.text)]
    return problems
