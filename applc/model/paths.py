"""Walking a document's JSON value by pointer, and the object kind a pointer names."""

from __future__ import annotations

from typing import Any

from applc.model.fields import KINDS, ObjectKind
from applc.source import split_pointer


def value_at(value: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        if isinstance(value, dict):
            if token not in value:
                return None
            value = value[token]
        elif isinstance(value, list):
            if not token.isdigit() or int(token) >= len(value):
                return None
            value = value[int(token)]
        else:
            return None
    return value


def kind_of_path(tokens: list[str | int], root: Any = None) -> ObjectKind | None:
    """The object kind at a path of keys and indexes from the root, or None when the path
    leads to a map, a scalar, or somewhere the format does not describe.

    `root` (the document's value, when known) tells the two volume forms apart.
    """
    kind: ObjectKind | None = KINDS["appliance"]
    array_of: str | None = None
    value = root
    for token in tokens:
        if array_of is not None:
            if not (isinstance(token, int) or str(token).isdigit()):
                return None
            kind, array_of = KINDS.get(array_of), None
        elif kind is not None:
            f = kind.field(str(token))
            if f is None:
                return None
            if f.kind is not None:
                kind = KINDS.get(f.kind)
            elif f.items is not None and f.items in KINDS:
                kind, array_of = None, f.items
            else:
                return None
        else:
            return None
        value = _step(value, token)
    if array_of is not None:
        return None
    if (
        kind is not None
        and kind.name == "volume"
        and isinstance(value, dict)
        and ("container_path" in value or "host_path" in value or "mode" in value)
    ):
        return KINDS["legacy_volume"]
    return kind


def _step(value: Any, token: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(str(token))
    if isinstance(value, list):
        try:
            i = int(token)
        except ValueError:
            return None
        return value[i] if 0 <= i < len(value) else None
    return None


def kind_at(pointer: str, root: Any = None) -> ObjectKind | None:
    return kind_of_path(list(split_pointer(pointer)), root)
