"""`applc fmt`: a DSL file in the canonical layout, its comments kept in place.

The file is parsed keeping duplicate keys and the statement each key came from, and
printed by the same printer as `applc convert --to dsl`, so a file without comments
formats to exactly what converting it to JSON and back gives. Comments are attached to
statements by line:

- a comment on its own line belongs to the statement after it (a leading comment), or,
  with no statement after it in its block, stays at the end of the block or file;
- a comment after a statement on the same line stays after it (a trailing comment);
  after a block's `{`, it stays after the `{`;
- a comment inside a multi-line `[ ]` or `{ }` value moves above its statement.

A blank line before or after a comment is kept (at most one); all other blank lines
come from the layout.
"""

from __future__ import annotations

import bisect
from typing import Any

from applc.frontends.dsl.loader import parse_dsl
from applc.frontends.dsl.printer import CommentLine, Comments, Printer
from applc.frontends.dsl.syntax import DslSyntaxError, Stmt


def _blank_between(text: str, a: int, b: int) -> bool:
    return text.count("\n", a, b) >= 2


class _Attacher:
    def __init__(self, text: str) -> None:
        self.text = text
        self.c = Comments()

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos)

    def own_line(self, pos: int) -> bool:
        start = self.text.rfind("\n", 0, pos) + 1
        return self.text[start:pos].strip() == ""

    def block(self, stmts: list[Any], comments: list[Any], owner: Any, open_end: int) -> None:
        """Attach `comments` (all inside this block, in order) to its statements."""
        starts = [s.start for s in stmts]
        inner: dict[int, list[Any]] = {}
        prev_end = open_end  # end of the last comment or statement seen
        pending: list[CommentLine] = []  # own-line comments waiting for a statement
        pending_end = 0

        def flush_to(stmt: Any) -> None:
            nonlocal pending
            if pending:
                pending[-1].blank_after = _blank_between(self.text, pending_end, stmt.start)
                self.c.leading.setdefault(id(stmt), []).extend(pending)
                pending = []

        for k, com in enumerate(comments):
            pos = com.start_pos
            i = bisect.bisect_right(starts, pos) - 1
            s = stmts[i] if i >= 0 else None
            if s is not None and pos < s.end:
                # inside a statement: in its block, or in a multi-line value
                if (
                    type(s) is Stmt
                    and s.block is not None
                    and s.block.open.start_pos < pos < s.block.close.start_pos
                ):
                    inner.setdefault(i, []).append(com)
                else:
                    flush_to(s)
                    self.c.leading.setdefault(id(s), []).append(CommentLine(com.text.rstrip()))
                continue
            # between statements
            if s is not None:
                prev_end = max(prev_end, s.end)
            text = com.text.rstrip()
            if not self.own_line(pos):
                if s is not None and self.line_of(s.end) == self.line_of(pos):
                    self.c.trailing.setdefault(id(s), []).append(text)
                elif owner is not None and self.line_of(open_end) == self.line_of(pos):
                    self.c.head.setdefault(id(owner), []).append(text)
                else:  # pragma: no cover - a comment after something else on its line
                    pending.append(CommentLine(text))
                    pending_end = com.end_pos
                prev_end = com.end_pos
                continue
            before = _blank_between(self.text, prev_end, pos) and prev_end > 0
            nxt = stmts[i + 1] if i + 1 < len(stmts) else None
            pending.append(CommentLine(text, blank_before=before))
            pending_end = com.end_pos
            prev_end = com.end_pos
            if nxt is not None and (
                k + 1 == len(comments) or comments[k + 1].start_pos > nxt.start
            ):
                flush_to(nxt)
        if pending:
            if owner is None:
                self.c.end.extend(pending)
            else:
                self.c.dangling.setdefault(id(owner), []).extend(pending)
        for i, coms in inner.items():
            s = stmts[i]
            self.block(s.block.stmts, coms, s, s.block.open.end_pos)


def format_text(text: str) -> tuple[str | None, list[DslSyntaxError]]:
    """The canonical layout of a DSL text, or None and the errors that stop reading it.
    The layout has "\n" line breaks; `applc fmt` writes the file's own."""
    from applc.source import lone_cr_as_lf

    text = lone_cr_as_lf(text)
    parsed = parse_dsl(text, pairs=True)
    if parsed.errors:
        return None, parsed.errors
    att = _Attacher(text)
    att.block(parsed.stmts, list(parsed.comments), None, 0)
    comments = att.c
    out = Printer(comments).appliance(parsed.value)
    # Every comment must come out somewhere: any the layout had no place for goes last.
    lost: list[str] = []
    for table in (comments.leading, comments.dangling):
        for key, lines in table.items():
            if key not in comments.printed:
                lost.extend(cl.text for cl in lines)
    for table2 in (comments.trailing, comments.head):
        for key, texts in table2.items():
            if key not in comments.printed:
                lost.extend(texts)
    if lost:
        out = out + ("\n" if out else "") + "\n".join(lost) + "\n"
    return out, []
