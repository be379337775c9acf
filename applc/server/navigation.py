"""Where things are in a parsed appliance: the node under the cursor, the kind of object
a pointer names, and every place a container id is declared, depended on or referenced.

Everything here goes through the document's `Locator` (pointer -> offsets) and its JSON
value, so it works the same for JSON and for the DSL, whose front end records the same
pointers while parsing. Offsets are code points into the source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from applc.frontends.document import Document
from applc.model.build import build_appliance
from applc.model.fields import ALIASES, CONTAINER_TYPES, IGNORE_KEY, KINDS, ObjectKind
from applc.model.nodes import Appliance
from applc.resolve.references import references
from applc.source import join_pointer, parent_pointer, split_pointer

# Fields whose values are maps with free keys: no field names go there.
MAP_FIELDS = {("container", "env"), ("scheduler", "config")}


@dataclass(frozen=True)
class Hit:
    """The innermost node at an offset: its pointer, whether the offset is on the key or
    in the value, and the value itself."""

    pointer: str
    part: Literal["key", "value"]
    value: Any


def node_at(doc: Document, offset: int) -> Hit | None:
    """The deepest key or value whose source range holds `offset` (ends inclusive for
    scalars and keys, so a cursor just after a token still finds it)."""
    loc = doc.source.locator
    if loc is None or doc.value is None:
        return None
    root = loc.value_range("")
    if root is None or not root[0] <= offset <= root[1]:
        return None
    pointer = ""
    value = doc.value
    while isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        found = False
        for k, child in items:
            cptr = join_pointer(pointer, k)
            if isinstance(value, dict):
                kr = loc.key_range(cptr)
                if kr is not None and kr[0] <= offset <= kr[1]:
                    return Hit(cptr, "key", child)
            vr = loc.value_range(cptr)
            if vr is None:
                continue
            inside = (
                vr[0] <= offset < vr[1]
                if isinstance(child, dict | list)
                else vr[0] <= offset <= vr[1]
            )
            if inside:
                pointer, value, found = cptr, child, True
                break
        if not found:
            break
    return Hit(pointer, "value", value)


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


def alias_for(kind: ObjectKind, key: str) -> str | None:
    return ALIASES.get(kind.name, {}).get(key)


def container_type_of(obj: Any) -> str | None:
    t = obj.get("type") if isinstance(obj, dict) else None
    return t if t in CONTAINER_TYPES else None


# --- container ids and where they are used ---------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One place a container id appears: its declaration (`id`), a `dependencies` entry,
    or an `@id` reference in a string PIVOT rewrites.

    `start`/`end` cover the id itself (what a rename replaces); `outer` covers the whole
    token a reader points at (the `@id`, or the quoted string).
    """

    kind: Literal["declaration", "dependency", "reference"]
    id: str
    pointer: str  # the string value holding it
    owner: str  # the pointer of the container it appears in
    start: int
    end: int
    outer: tuple[int, int]

    def contains(self, offset: int) -> bool:
        return self.outer[0] <= offset <= self.outer[1]


class Index:
    """Containers and every occurrence of their ids in one parsed document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.appliance: Appliance = build_appliance(doc.source, doc.value)
        self.occurrences: list[Occurrence] = []
        self.exact = True  # False when some occurrence has no exact position
        self._collect()

    def _string_range(self, pointer: str, length: int) -> tuple[int, int] | None:
        loc = self.doc.source.locator
        if loc is None:
            return None
        a = loc.string_offset(pointer, 0)
        b = loc.string_offset(pointer, length)
        if a is None or b is None:
            return None
        return a, b

    def _collect(self) -> None:
        loc = self.doc.source.locator
        if loc is None:
            self.exact = False
            return
        occ = self.occurrences
        for c in self.appliance.containers:
            raw = c.raw
            cid = raw.get("id")
            if isinstance(cid, str):
                p = c.at("id")
                self._add(occ, "declaration", cid, p, c.pointer, 0, len(cid))
            deps = raw.get("dependencies")
            if isinstance(deps, list):
                for i, d in enumerate(deps):
                    if isinstance(d, str):
                        self._add(
                            occ, "dependency", d, c.at("dependencies", i), c.pointer, 0, len(d)
                        )
            for p, text in c.referencing_strings():
                if "@" not in text:
                    continue
                for ref in references(text):
                    self._add(
                        occ, "reference", ref.id, p, c.pointer, ref.start + 1, ref.end, at=ref.start
                    )
        occ.sort(key=lambda o: o.start)

    def _add(
        self,
        out: list[Occurrence],
        kind: Literal["declaration", "dependency", "reference"],
        ident: str,
        pointer: str,
        owner: str,
        a: int,
        b: int,
        at: int | None = None,
    ) -> None:
        loc = self.doc.source.locator
        assert loc is not None
        sa = loc.string_offset(pointer, a)
        sb = loc.string_offset(pointer, b)
        vr = loc.value_range(pointer)
        if sa is None or sb is None:
            self.exact = False
            if vr is None:
                return
            sa, sb = vr
        if at is not None:
            so = loc.string_offset(pointer, at)
            outer = (so if so is not None else sa, sb)
        else:
            outer = vr if vr is not None else (sa, sb)
        out.append(Occurrence(kind, ident, pointer, owner, sa, sb, outer))

    @property
    def ids(self) -> list[str]:
        return list(self.appliance.by_id)

    def occurrence_at(self, offset: int) -> Occurrence | None:
        best: Occurrence | None = None
        for o in self.occurrences:
            if o.contains(offset) and (
                best is None or (o.outer[1] - o.outer[0]) < (best.outer[1] - best.outer[0])
            ):
                best = o
        return best

    def of(self, ident: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.id == ident]

    def declaration(self, ident: str) -> Occurrence | None:
        c = self.appliance.by_id.get(ident)
        if c is None:
            return None
        p = c.at("id")
        for o in self.occurrences:
            if o.kind == "declaration" and o.pointer == p:
                return o
        return None


# --- inserting an x-applc-ignore entry -------------------------------------------------


def ignore_scope(doc: Document, pointer: str) -> str | None:
    """The object an `x-applc-ignore` for a finding at `pointer` goes in: the nearest
    enclosing object the format describes (a container, a port, ...), never a map such
    as `env`, and never the ignore table itself."""
    value = doc.value
    p = pointer
    while True:
        v = value_at(value, p)
        if (
            isinstance(v, dict)
            and IGNORE_KEY not in split_pointer(p)
            and kind_at(p, value) is not None
        ):
            return p
        if not p:
            return "" if isinstance(value, dict) else None
        p = parent_pointer(p)


def scope_title(doc: Document, scope: str) -> str:
    """Words for the object at `scope`: "container `kafka`", "this port", "this file"."""
    if scope == "":
        return "this file"
    kind = kind_at(scope, doc.value)
    v = value_at(doc.value, scope)
    if (
        kind is not None
        and kind.name == "container"
        and isinstance(v, dict)
        and isinstance(v.get("id"), str)
    ):
        return f"container `{v['id']}`"
    return f"this {kind.title.lower() if kind else 'object'}"


def _line_indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    i = start
    while i < len(text) and text[i] in " \t":
        i += 1
    return text[start:i]


def ignore_insertion(
    doc: Document, scope: str, code: str, reason: str = "TODO: say why"
) -> tuple[int, int, str] | None:
    """The edit (start, end, text) adding `code` to the `x-applc-ignore` of the object at
    `scope` in a JSON document, keeping its layout; None when it cannot be done cleanly."""
    loc = doc.source.locator
    obj = value_at(doc.value, scope)
    if loc is None or not isinstance(obj, dict):
        return None
    text = doc.source.text
    entry = f'"{code}": "{reason}"'
    ign_ptr = join_pointer(scope, IGNORE_KEY)
    if IGNORE_KEY in obj:
        table = obj[IGNORE_KEY]
        vr = loc.value_range(ign_ptr)
        if not isinstance(table, dict) or vr is None:
            return None
        if code in table:
            return None
        if not table:
            return vr[0], vr[1], "{" + entry + "}"
        last = join_pointer(ign_ptr, list(table)[-1])
        lr = loc.value_range(last)
        kr = loc.key_range(last)
        if lr is None or kr is None:
            return None
        if "\n" in text[vr[0] : vr[1]]:
            return lr[1], lr[1], ",\n" + _line_indent(text, kr[0]) + entry
        return lr[1], lr[1], ", " + entry
    orng = loc.value_range(scope)
    if orng is None:
        return None
    member = f'"{IGNORE_KEY}": {{{entry}}}'
    if not obj:
        return orng[0] + 1, orng[0] + 1, member
    first = loc.key_range(join_pointer(scope, next(iter(obj))))
    if first is None:
        return None
    if "\n" in text[orng[0] : first[0]]:
        return first[0], first[0], member + ",\n" + _line_indent(text, first[0])
    return first[0], first[0], member + ", "


def dsl_ignore_insertion(
    doc: Document, pointer: str, code: str, reason: str = "TODO: say why"
) -> tuple[str | None, tuple[int, int, str] | None]:
    """The scope and the edit that add `ignore CODE "reason"` to a DSL document: as the
    first statement of the container block the finding is in, or after the `appliance`
    line for the rest of the file."""
    loc = doc.source.locator
    if loc is None:
        return None, None
    text = doc.source.text
    tokens = split_pointer(pointer)
    line = f'ignore {code} "{reason}"'
    if len(tokens) >= 2 and tokens[0] == "containers":
        scope = join_pointer("", "containers", tokens[1])
        rng = loc.value_range(scope)
        if rng is None or not isinstance(value_at(doc.value, scope), dict):
            return None, None
        brace = text.find("{", rng[0], rng[1])
        nl = text.find("\n", brace, rng[1]) if brace >= 0 else -1
        if nl < 0:
            return scope, None
        at = nl + 1
        indent = _line_indent(text, at)
        if text[at + len(indent) : at + len(indent) + 1] == "}":
            indent += "  "
        return scope, (at, at, f"{indent}{line}\n")
    head = loc.key_range("/id") or loc.value_range("/id")
    if head is None:
        return None, None
    nl = text.find("\n", head[1])
    if nl < 0:
        return "", (len(text), len(text), f"\n{line}\n")
    return "", (nl + 1, nl + 1, f"{line}\n")
