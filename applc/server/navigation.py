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
from applc.model.fields import ALIASES, CONTAINER_TYPES, ObjectKind
from applc.model.nodes import Appliance
from applc.resolve.references import references
from applc.source import join_pointer

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
        self.appliance: Appliance = doc.appliance  # the model lint built
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
