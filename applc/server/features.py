"""The language features, as functions of an `Analysis` and a cursor.

Each function takes what the LSP request carries (converted to a code-point offset) and
returns lsprotocol objects; the pygls wiring lives in `applc.server.server`. Keeping them
apart lets tests and the benchmark call them without a client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from applc.diagnostics import Diagnostic
from applc.edits import (
    TextEdit,
    choose_fixes,
    dsl_ignore_insertion,
    ignore_insertion,
    ignore_scope,
    scope_title,
)
from applc.lint import UNSUPPRESSIBLE
from applc.model.fields import CONTAINER, IGNORE_KEY, ObjectKind, container_fields
from applc.model.paths import kind_at, kind_of_path, value_at
from applc.resolve.references import ID_CHARS, Reference, StrayAt, tokenize
from applc.rules.registry import lookup
from applc.server import docs
from applc.server.analysis import Analysis
from applc.server.cursor import Cursor, cursor_at
from applc.server.navigation import Index, alias_for, container_type_of, node_at
from applc.server.positions import (
    offsets_to_range,
    range_from_json,
    span_to_range,
)
from applc.source import Source, join_pointer, parent_pointer, split_pointer

FIX_ALL = "source.fixAll.applc"
_ID_TAIL = re.compile(r"[A-Za-z0-9-]*\Z")


@dataclass(frozen=True)
class Client:
    """What the client can take, read once from its capabilities."""

    encoding: str = "utf-16"
    markdown: bool = True
    snippets: bool = False
    document_changes: bool = False
    completion_markdown: bool = True
    completion_markup: bool = True  # False: documentation must be a plain string

    def content(self, text: str) -> types.MarkupContent:
        kind = types.MarkupKind.Markdown if self.markdown else types.MarkupKind.PlainText
        return types.MarkupContent(kind=kind, value=text)


def _range(a: Analysis, start: int, end: int, enc: str) -> types.Range:
    return offsets_to_range(a.source, start, end, enc)


# --- hover -----------------------------------------------------------------------------


def hover(a: Analysis, offset: int, client: Client) -> types.Hover | None:
    if not a.parsed:
        return None
    assert a.document is not None
    doc, md, enc = a.document, client.markdown, client.encoding
    loc = doc.source.locator
    idx = a.index()
    if idx is not None:
        occ = idx.occurrence_at(offset)
        if occ is not None and occ.kind != "declaration":
            c = idx.appliance.by_id.get(occ.id)
            about = (
                docs.container_doc(c, md)
                if c is not None
                else (
                    f"no container has the id `{occ.id}`"
                    if md
                    else f"no container has the id {occ.id}"
                )
            )
            return types.Hover(
                contents=client.content(about), range=_range(a, occ.outer[0], occ.outer[1], enc)
            )
    hit = node_at(doc, offset)
    if hit is None or loc is None or hit.pointer == "":
        return None
    parent = parent_pointer(hit.pointer)
    key = split_pointer(hit.pointer)[-1]
    rng = loc.key_range(hit.pointer) if hit.part == "key" else loc.value_range(hit.pointer)
    text: str | None = None
    if split_pointer(parent)[-1:] == [IGNORE_KEY]:
        r = lookup(key)
        if r is not None:
            text = docs.rule_doc(r, md)
    elif key == IGNORE_KEY and hit.part == "key":
        text = docs.ignore_key_doc(md)
    elif hit.part == "key" or not isinstance(hit.value, dict | list):
        kind = kind_at(parent, doc.value)
        if kind is not None:
            text = field_hover(kind, key, md)
    if text is None or rng is None:
        return None
    return types.Hover(contents=client.content(text), range=_range(a, rng[0], rng[1], enc))


def field_hover(kind: ObjectKind, key: str, md: bool) -> str | None:
    f = kind.field(key)
    if f is not None:
        return docs.field_doc(kind, f, md)
    real = alias_for(kind, key)
    if real is not None and kind.field(real) is not None:
        return docs.alias_doc(kind, key, kind.field(real), md)  # type: ignore[arg-type]
    for item in kind.ignored:
        if item.name == key:
            return docs.ignored_doc(kind, item, md)
    return None


# --- definition, references, rename ----------------------------------------------------


def definition(a: Analysis, offset: int, enc: str) -> types.Location | None:
    idx = a.index()
    if idx is None:
        return None
    occ = idx.occurrence_at(offset)
    if occ is None:
        return None
    decl = idx.declaration(occ.id)
    if decl is None:
        return None
    return types.Location(uri=a.uri, range=_range(a, decl.outer[0], decl.outer[1], enc))


def references(
    a: Analysis, offset: int, enc: str, include_declaration: bool
) -> list[types.Location] | None:
    idx = a.index()
    if idx is None:
        return None
    occ = idx.occurrence_at(offset)
    if occ is None:
        return None
    return [
        types.Location(uri=a.uri, range=_range(a, o.start, o.end, enc))
        for o in idx.of(occ.id)
        if include_declaration or o.kind != "declaration"
    ]


class RenameError(Exception):
    pass


def prepare_rename(a: Analysis, offset: int, enc: str) -> types.PrepareRenamePlaceholder | None:
    idx = a.index()
    if idx is None or not idx.exact:
        return None
    occ = idx.occurrence_at(offset)
    if occ is None:
        return None
    return types.PrepareRenamePlaceholder(
        range=_range(a, occ.start, occ.end, enc), placeholder=occ.id
    )


def rename_edits(a: Analysis, offset: int, new_name: str, enc: str) -> list[types.TextEdit]:
    idx = a.index()
    if idx is None:
        raise RenameError("the document does not parse; fix the syntax errors first")
    if not idx.exact:
        raise RenameError("this document's front end does not give exact string positions")
    occ = idx.occurrence_at(offset)
    if occ is None:
        raise RenameError("put the cursor on a container id, an `@id` reference or a dependency")
    if not ID_CHARS.fullmatch(new_name):
        raise RenameError(
            f"`{new_name}` cannot be a container id: use letters, digits and "
            "`-` (a lower-case DNS label)"
        )
    if new_name != occ.id and new_name in idx.appliance.by_id:
        raise RenameError(f"a container `{new_name}` already exists")
    return [
        types.TextEdit(range=_range(a, o.start, o.end, enc), new_text=new_name)
        for o in idx.of(occ.id)
    ]


# --- completion ------------------------------------------------------------------------


def _referencing(path: list[str | int]) -> bool:
    """Whether the string at `path` is one PIVOT rewrites `@id` references in."""
    if len(path) < 3 or path[0] != "containers":
        return False
    tail = [str(t) for t in path[2:]]
    return (
        tail == ["cmd"]
        or (len(tail) == 2 and tail[0] in ("args", "env"))
        or tail == ["health_check", "command"]
    )


def _is_dependency(path: list[str | int]) -> bool:
    return len(path) == 4 and path[0] == "containers" and path[2] == "dependencies"


def _container_of(value: Any, path: list[str | int]) -> Any:
    if len(path) >= 2 and path[0] == "containers":
        return value_at(value, f"/containers/{path[1]}")
    return None


def _id_items(
    ids: list[str],
    idx: Index | None,
    exclude: set[str],
    rng: types.Range,
    quote: bool,
    client: Client,
) -> list[types.CompletionItem]:
    items = []
    for i, cid in enumerate(ids):
        if cid in exclude:
            continue
        c = idx.appliance.by_id.get(cid) if idx is not None else None
        detail = None
        if c is not None:
            detail = " ".join(x for x in (c.type, c.image) if x)
        text = f'"{cid}"' if quote else cid
        items.append(
            types.CompletionItem(
                label=cid,
                kind=types.CompletionItemKind.Reference,
                detail=detail or None,
                filter_text=text,
                sort_text=f"{i:05d}",
                text_edit=types.TextEdit(range=rng, new_text=text),
            )
        )
    return items


def completion(
    a: Analysis, offset: int, client: Client, fallback: Analysis | None
) -> types.CompletionList | None:
    """Container ids after `@` and in `dependencies`; field names where a key goes;
    enum values where one goes. Works on broken JSON (the text up to the cursor)."""
    good = a if a.parsed else fallback
    idx = good.index() if good is not None else None
    ids = idx.ids if idx is not None else []
    root = good.document.value if good is not None and good.document is not None else None
    if a.language != "json":
        return _completion_generic(a, offset, client, idx, ids)
    text = a.text
    src = Source(a.path, text)
    enc = client.encoding
    cur = cursor_at(text, offset)

    def rng(start: int, end: int = offset) -> types.Range:
        return offsets_to_range(src, start, end, enc)

    path = cur.value_path
    items: list[types.CompletionItem] = []
    if cur.where == "value-string":
        assert cur.string_start is not None
        if _referencing(path):
            toks = list(tokenize(cur.partial))
            last = toks[-1] if toks else None
            typed: str | None = None
            if isinstance(last, Reference) and last.end == len(cur.partial):
                typed = last.id
            elif isinstance(last, StrayAt) and last.index == len(cur.partial) - 1:
                typed = ""
            if typed is not None:
                own = _own_id(root, path)
                items = _id_items(
                    ids,
                    idx,
                    {own} if own else set(),
                    rng(offset - len(typed), _id_end(text, offset)),
                    False,
                    client,
                )
        elif _is_dependency(path):
            end = _string_end(text, offset)
            own = _own_id(root, path)
            listed = set(_listed_dependencies(root, path, cur))
            items = _id_items(
                ids,
                idx,
                listed | ({own} if own else set()),
                rng(cur.string_start, end),
                True,
                client,
            )
        else:
            items = _enum_items(path, root, rng(cur.string_start, _string_end(text, offset)))
    elif cur.where == "value":
        start = _word_start(text, offset)
        if _is_dependency(path):
            own = _own_id(root, path)
            listed = set(_listed_dependencies(root, path, cur))
            items = _id_items(
                ids, idx, listed | ({own} if own else set()), rng(start), True, client
            )
        else:
            items = _enum_items(path, root, rng(start))
    elif cur.where in ("key", "key-string"):
        items = _field_items(cur, root, text, offset, src, client)
    if not items:
        return None
    return types.CompletionList(is_incomplete=False, items=items)


def _own_id(root: Any, path: list[str | int]) -> str | None:
    """The id of the container the cursor is in (not offered as its own dependency)."""
    c = _container_of(root, path)
    if isinstance(c, dict) and isinstance(c.get("id"), str):
        return str(c["id"])
    return None


def _listed_dependencies(root: Any, path: list[str | int], cur: Cursor) -> list[str]:
    deps = value_at(root, f"/containers/{path[1]}/dependencies")
    if not isinstance(deps, list):
        return []
    i = path[3]
    return [d for j, d in enumerate(deps) if isinstance(d, str) and str(j) != str(i)]


def _string_end(text: str, offset: int) -> int:
    """The end of the string token the cursor is in (after its closing quote), or the
    cursor itself when the string is not closed on this line."""
    i = offset
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        if ch == "\n":
            return offset
        i += 1
    return offset


def _id_end(text: str, offset: int) -> int:
    m = ID_CHARS.match(text, offset)
    return m.end() if m else offset


def _word_start(text: str, offset: int) -> int:
    i = offset
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_-"):
        i -= 1
    return i


def _enum_items(path: list[str | int], root: Any, rng: types.Range) -> list[types.CompletionItem]:
    if not path:
        return []
    kind = kind_of_path(path[:-1], root)
    if kind is None:
        return []
    f = kind.field(str(path[-1]))
    if f is None or not f.enum:
        return []
    return [
        types.CompletionItem(
            label=v,
            kind=types.CompletionItemKind.EnumMember,
            filter_text=f'"{v}"',
            text_edit=types.TextEdit(range=rng, new_text=f'"{v}"'),
        )
        for v in f.enum
    ]


def _field_items(
    cur: Cursor, root: Any, text: str, offset: int, src: Source, client: Client
) -> list[types.CompletionItem]:
    kind = kind_of_path(cur.path, root)
    if kind is None:
        return []
    present = set(cur.frame.keys) if cur.frame is not None else set()
    existing = value_at(root, _pointer(cur.path))
    if isinstance(existing, dict):
        present |= set(existing)
    fields = kind.fields
    if kind is CONTAINER or kind.name == "container":
        ctype = None
        if cur.frame is not None:
            ctype = cur.frame.strings.get("type")
        if ctype is None:
            ctype = container_type_of(existing)
        fields = container_fields(ctype)
    enc = client.encoding
    if cur.where == "key-string":
        assert cur.string_start is not None
        start = cur.string_start
        end = _string_end(text, offset)
        current = text[start + 1 : end - 1] if end > offset else None
        has_colon = end > offset and text[end : end + 40].lstrip(" \t").startswith(":")
    else:
        start = _word_start(text, offset)
        end = offset
        current = None
        has_colon = False
    present.discard(current or "")
    rng = offsets_to_range(src, start, end, enc)
    items = []
    for i, f in enumerate(fields):
        if f.name in present:
            continue
        if has_colon:
            new_text = f'"{f.name}"'
        else:
            new_text = f'"{f.name}": ' + docs.value_snippet(f, client.snippets)
        doc_text = docs.field_doc(kind, f, client.completion_markdown)
        items.append(
            types.CompletionItem(
                label=f.name,
                kind=types.CompletionItemKind.Field,
                detail=" | ".join(f.types) + (" (required)" if f.required else ""),
                documentation=types.MarkupContent(
                    kind=types.MarkupKind.Markdown
                    if client.completion_markdown
                    else types.MarkupKind.PlainText,
                    value=doc_text,
                )
                if client.completion_markup
                else doc_text,
                sort_text=f"{0 if f.required else 1}{i:03d}",
                filter_text=f'"{f.name}"',
                insert_text_format=types.InsertTextFormat.Snippet
                if client.snippets and not has_colon
                else types.InsertTextFormat.PlainText,
                text_edit=types.TextEdit(range=rng, new_text=new_text),
            )
        )
    if IGNORE_KEY not in present:
        items.append(
            types.CompletionItem(
                label=IGNORE_KEY,
                kind=types.CompletionItemKind.Property,
                detail="rules to ignore here",
                sort_text="9",
                filter_text=f'"{IGNORE_KEY}"',
                text_edit=types.TextEdit(
                    range=rng, new_text=f'"{IGNORE_KEY}"' if has_colon else f'"{IGNORE_KEY}": {{}}'
                ),
            )
        )
    return items


def _pointer(path: list[str | int]) -> str:
    return join_pointer("", *path)


def _completion_generic(
    a: Analysis, offset: int, client: Client, idx: Index | None, ids: list[str]
) -> types.CompletionList | None:
    """Ids after `@` and in `dependencies` for front ends other than JSON: found by the
    parsed document's locator, replacing only the id characters before the cursor."""
    if not a.parsed or a.document is None:
        return None
    hit = node_at(a.document, offset)
    if hit is None or hit.part != "value" or not isinstance(hit.value, str):
        return None
    path: list[str | int] = list(split_pointer(hit.pointer))
    line_start = a.text.rfind("\n", 0, offset) + 1
    before = a.text[line_start:offset]
    tail = _ID_TAIL.search(before)
    typed = tail.group() if tail else ""
    start = offset - len(typed)
    src = Source(a.path, a.text)
    rng = offsets_to_range(src, start, _id_end(a.text, offset), client.encoding)
    if _referencing(path):
        if not before[: len(before) - len(typed)].endswith("@") or before.endswith("\\@"):
            return None
    elif not _is_dependency(path):
        return None
    own = _own_id(a.document.value, path)
    items = _id_items(ids, idx, {own} if own else set(), rng, False, client)
    return types.CompletionList(is_incomplete=False, items=items) if items else None


# --- code actions ----------------------------------------------------------------------


def _matches(kind: str, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(o == "" or kind == o or kind.startswith(o + ".") for o in only)


def find_diagnostic(a: Analysis, d: types.Diagnostic, enc: str) -> Diagnostic | None:
    """Our diagnostic that the client's `d` stands for, in the current analysis."""
    data = d.data if isinstance(d.data, dict) else {}
    code = data.get("code") or d.code
    pointer = data.get("pointer")
    for ours in a.diagnostics:
        if ours.code != code or ours.message != d.message:
            continue
        if pointer is not None and ours.pointer == pointer:
            return ours
        if span_to_range(a.source, ours.span, enc) == d.range:
            return ours
    return None


def _edit(
    uri: str, version: int | None, edits: list[types.TextEdit], client: Client
) -> types.WorkspaceEdit:
    if client.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: list(edits)})


def _fix_edits(a: Analysis, d: Diagnostic, enc: str) -> list[types.TextEdit]:
    assert d.fix is not None
    return [
        types.TextEdit(range=span_to_range(a.source, e.span, enc), new_text=e.text)
        for e in d.fix.edits
    ]


def code_actions(
    a: Analysis, rng: types.Range, context: types.CodeActionContext, client: Client
) -> list[types.CodeAction]:
    enc = client.encoding
    only = [str(getattr(k, "value", k)) for k in context.only] if context.only else None
    out: list[types.CodeAction] = []
    if not a.active or a.document is None:
        return out
    pairs: list[tuple[types.Diagnostic, Diagnostic | None]] = [
        (d, find_diagnostic(a, d, enc)) for d in context.diagnostics if d.source == "applc"
    ]
    if not context.diagnostics:
        lsp = a.lsp_diagnostics(enc)
        pairs = [
            (ld, d) for ld, d in zip(lsp, a.diagnostics, strict=True) if _overlaps(ld.range, rng)
        ]
    if _matches("quickfix", only):
        for ld, d in pairs:
            fix = _quick_fix(a, ld, d, client)
            if fix is not None:
                out.append(fix)
        seen: set[tuple[str, str]] = set()
        for ld, d in pairs:
            if d is None or (d.code, d.pointer) in seen:
                continue
            seen.add((d.code, d.pointer))
            act = _ignore_action(a, ld, d, client)
            if act is not None:
                out.append(act)
    if only and _matches(FIX_ALL, only):
        act = fix_all(a, client)
        if act is not None:
            out.append(act)
    return out


def _overlaps(x: types.Range, y: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(x.start) <= key(y.end) and key(y.start) <= key(x.end)


def _quick_fix(
    a: Analysis, ld: types.Diagnostic, d: Diagnostic | None, client: Client
) -> types.CodeAction | None:
    data = ld.data if isinstance(ld.data, dict) else {}
    fix = data.get("fix")
    edits: list[types.TextEdit] | None = None
    message, safe = "", True
    if isinstance(fix, dict) and data.get("version") == a.version:
        # The fix travelled with the diagnostic: no need to look anything up.
        ranges = [
            (range_from_json(e.get("range")), e.get("newText"))
            for e in fix.get("edits", [])
            if isinstance(e, dict)
        ]
        if ranges and all(r is not None and isinstance(t, str) for r, t in ranges):
            edits = [types.TextEdit(range=r, new_text=t) for r, t in ranges]  # type: ignore[arg-type]
            message, safe = str(fix.get("message", "")), bool(fix.get("safe", True))
    if edits is None:
        if d is None or d.fix is None:
            return None
        edits = _fix_edits(a, d, client.encoding)
        message, safe = d.fix.message, d.fix.safe
    return types.CodeAction(
        title=f"{message[:1].upper()}{message[1:]} ({ld.code})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[ld],
        is_preferred=safe,
        edit=_edit(a.uri, a.version, edits, client),
    )


def _ignore_action(
    a: Analysis, ld: types.Diagnostic, d: Diagnostic, client: Client
) -> types.CodeAction | None:
    doc = a.document
    if doc is None or doc.value is None:
        return None
    if d.code in UNSUPPRESSIBLE or not a.settings.inline_ignores:
        return None
    if doc.language == "json":
        scope = ignore_scope(doc, d.pointer)
        ins = ignore_insertion(doc, scope, d.code) if scope is not None else None
    else:
        scope, ins = dsl_ignore_insertion(doc, d.pointer, d.code)
        if ins is not None and not _still_parses(a, ins):
            ins = None
    if scope is None or ins is None:
        return None
    edit = types.TextEdit(range=_range(a, ins.start, ins.end, client.encoding), new_text=ins.text)
    return types.CodeAction(
        title=f"Ignore {d.code} ({d.name}) for {scope_title(doc, scope)}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[ld],
        edit=_edit(a.uri, a.version, [edit], client),
    )


def _still_parses(a: Analysis, ins: TextEdit) -> bool:
    """Whether the document still parses with the insertion (the DSL's syntax is its
    front end's business; an action that would break the file is not offered)."""
    from applc.inputs import parse_document

    text = a.source.text[: ins.start] + ins.text + a.source.text[ins.end :]
    try:
        doc = parse_document(a.path, text.encode("utf-8", "surrogatepass"))
    except Exception:
        return False
    return doc.value is not None


def fix_all(a: Analysis, client: Client) -> types.CodeAction | None:
    """Every safe fix in the document, skipping any that overlaps an earlier one."""
    edits: list[types.TextEdit] = []
    for d, _ in choose_fixes(a.source, a.diagnostics):
        edits.extend(_fix_edits(a, d, client.encoding))
    if not edits:
        return None
    return types.CodeAction(
        title="Fix all safe applc findings",
        kind=FIX_ALL,
        edit=_edit(a.uri, a.version, edits, client),
    )
