"""Edits to an appliance's text: fixes chosen from diagnostics, and `x-applc-ignore`
entries inserted for them. `applc lint --fix` and `--add-ignore` write these; the
language server offers the same edits as code actions.

Offsets are code points into the source text. Edits keep the file's own layout: an
ignore entry goes where a person would write it, indented like its neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from applc.diagnostics import Diagnostic
from applc.frontends.document import Document
from applc.model.fields import DEFAULT_REASON, IGNORE_KEY
from applc.model.paths import kind_at, value_at
from applc.source import Source, join_pointer, parent_pointer, split_pointer


@dataclass(frozen=True, slots=True)
class TextEdit:
    start: int
    end: int
    text: str


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """`text` with every edit made; the edits must not overlap. One pass over the text:
    copying it once per edit was quadratic for an ignore entry in each of thousands of
    containers."""
    pieces: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[pos : e.start])
        pieces.append(e.text)
        pos = e.end
    pieces.append(text[pos:])
    return "".join(pieces)


def unified_diff(old: str, new: str, fromfile: str, tofile: str) -> str:
    """A unified diff of two texts, marking a last line without a newline as `patch`
    expects."""
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=fromfile,
        tofile=tofile,
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def fix_edits(source: Source, d: Diagnostic) -> list[TextEdit]:
    """The edits of `d`'s fix, as offsets into `source`."""
    if d.fix is None:
        return []
    return [
        TextEdit(
            source.offset(e.span.line, e.span.column),
            source.offset(e.span.end_line, e.span.end_column),
            e.text,
        )
        for e in d.fix.edits
    ]


def choose_fixes(
    source: Source, diagnostics: Sequence[Diagnostic], unsafe: bool = False
) -> list[tuple[Diagnostic, list[TextEdit]]]:
    """The fixes to make in one pass, in diagnostic order: safe ones (and unsafe ones when
    asked), skipping any that touches what an earlier one changes."""
    taken: list[TextEdit] = []
    out: list[tuple[Diagnostic, list[TextEdit]]] = []
    for d in diagnostics:
        if d.fix is None or not d.fix.edits or not (d.fix.safe or unsafe):
            continue
        edits = fix_edits(source, d)
        if any(_clash(e, t) for e in edits for t in taken):
            continue
        taken.extend(edits)
        out.append((d, edits))
    return out


def _clash(a: TextEdit, b: TextEdit) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


# --- inserting x-applc-ignore entries ---------------------------------------------------


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


def _json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def ignore_insertion(
    doc: Document, scope: str, codes: str | Sequence[str], reason: str = DEFAULT_REASON
) -> TextEdit | None:
    """The edit adding `codes` to the `x-applc-ignore` of the object at `scope` in a JSON
    document, keeping its layout; None when it cannot be done cleanly or every code is
    already there."""
    loc = doc.source.locator
    obj = value_at(doc.value, scope)
    if loc is None or not isinstance(obj, dict):
        return None
    codes = [codes] if isinstance(codes, str) else list(dict.fromkeys(codes))
    text = doc.source.text
    ign_ptr = join_pointer(scope, IGNORE_KEY)
    if IGNORE_KEY in obj:
        table = obj[IGNORE_KEY]
        vr = loc.value_range(ign_ptr)
        if not isinstance(table, dict) or vr is None:
            return None
        codes = [c for c in codes if c not in table]
        if not codes:
            return None
        if not table:
            return TextEdit(vr[0], vr[1], "{" + _entries(codes, reason, ", ") + "}")
        last = join_pointer(ign_ptr, list(table)[-1])
        lr = loc.value_range(last)
        kr = loc.key_range(last)
        if lr is None or kr is None:
            return None
        if "\n" in text[vr[0] : vr[1]]:
            sep = ",\n" + _line_indent(text, kr[0])
            return TextEdit(lr[1], lr[1], sep + _entries(codes, reason, sep))
        return TextEdit(lr[1], lr[1], ", " + _entries(codes, reason, ", "))
    orng = loc.value_range(scope)
    if orng is None:
        return None
    member = f"{_json_string(IGNORE_KEY)}: {{{_entries(codes, reason, ', ')}}}"
    if not obj:
        return TextEdit(orng[0] + 1, orng[0] + 1, member)
    first = loc.key_range(join_pointer(scope, next(iter(obj))))
    if first is None:
        return None
    if "\n" in text[orng[0] : first[0]]:
        return TextEdit(first[0], first[0], member + ",\n" + _line_indent(text, first[0]))
    return TextEdit(first[0], first[0], member + ", ")


def _entries(codes: Sequence[str], reason: str, sep: str) -> str:
    return sep.join(f"{_json_string(c)}: {_json_string(reason)}" for c in codes)


def dsl_ignore_insertion(
    doc: Document, pointer: str, codes: str | Sequence[str], reason: str = DEFAULT_REASON
) -> tuple[str | None, TextEdit | None]:
    """The scope and the edit that add `ignore CODE "reason"` lines to a DSL document: as
    the first statements of the container block the finding is in, or after the
    `appliance` line for the rest of the file."""
    loc = doc.source.locator
    if loc is None:
        return None, None
    codes = [codes] if isinstance(codes, str) else list(dict.fromkeys(codes))
    text = doc.source.text
    tokens = split_pointer(pointer)
    lines = [f"ignore {c} {_json_string(reason)}" for c in codes]
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
        return scope, TextEdit(at, at, "".join(f"{indent}{line}\n" for line in lines))
    head = loc.key_range("/id") or loc.value_range("/id")
    if head is None:
        return None, None
    nl = text.find("\n", head[1])
    block = "".join(f"{line}\n" for line in lines)
    if nl < 0:
        return "", TextEdit(len(text), len(text), "\n" + block)
    return "", TextEdit(nl + 1, nl + 1, block)
