"""The language server's parts, without a client: encodings, the cursor scanner for
broken JSON, navigation, the `x-applc-ignore` insertion and completion contexts."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types

from applc.edits import ignore_insertion, ignore_scope
from applc.model.paths import kind_at
from applc.server import features
from applc.server.analysis import Analysis, ConfigStore, analyse, looks_like_appliance_text
from applc.server.cursor import cursor_at
from applc.server.features import Client, RenameError
from applc.server.navigation import node_at
from applc.server.positions import (
    offset_to_position,
    position_to_offset,
    span_to_range,
    units,
)
from applc.source import Source, Span

LINE = 'x = "名😀y"\n'


@pytest.mark.parametrize(
    ("encoding", "after_cjk", "after_emoji"),
    [("utf-16", 6, 8), ("utf-8", 8, 12), ("utf-32", 6, 7)],
)
def test_encodings_on_a_line_with_cjk_and_emoji(
    encoding: str, after_cjk: int, after_emoji: int
) -> None:
    src = Source("x", LINE + LINE)
    # code points: x,space,=,space,",名 -> 名 ends at 6, 😀 ends at 7
    assert offset_to_position(src, 6, encoding) == types.Position(line=0, character=after_cjk)
    assert offset_to_position(src, 7, encoding) == types.Position(line=0, character=after_emoji)
    n = len(LINE)
    assert offset_to_position(src, n + 7, encoding) == types.Position(line=1, character=after_emoji)
    for off in (0, 5, 6, 7, 8, n + 7):
        assert position_to_offset(src, offset_to_position(src, off, encoding), encoding) == off
    rng = span_to_range(src, Span(1, 7, 1, 8), encoding)  # the emoji, 1-based columns
    assert (rng.start.character, rng.end.character) == (after_cjk, after_emoji)


def test_positions_clamp_and_round() -> None:
    src = Source("x", LINE)
    # Past the end of a line: the end of that line; past the last line: the end.
    assert position_to_offset(src, types.Position(line=0, character=99), "utf-16") == 9
    assert position_to_offset(src, types.Position(line=7, character=0), "utf-16") == len(LINE)
    # Inside the emoji's surrogate pair: the end of the emoji.
    assert position_to_offset(src, types.Position(line=0, character=7), "utf-16") == 7
    assert units("😀", "utf-16") == 2 and units("😀", "utf-8") == 4
    crlf = Source("x", "ab\r\ncd")
    assert position_to_offset(crlf, types.Position(line=0, character=9), "utf-16") == 2
    assert position_to_offset(crlf, types.Position(line=1, character=1), "utf-16") == 5


def test_which_files_are_appliances() -> None:
    assert looks_like_appliance_text("/a/x.appl", "")
    assert looks_like_appliance_text("/a/x.appliance.json", "")
    assert looks_like_appliance_text("/a/x.json", '\ufeff {"id": "a", "containers": []}')
    assert not looks_like_appliance_text("/a/package.json", '{"name": "x"}')
    assert not looks_like_appliance_text("/a/x.yaml", '{"containers": []}')


# --- the cursor in broken JSON ---------------------------------------------------------


def test_cursor_in_a_key_being_typed() -> None:
    text = '{"containers": [{"id": "a", "type": "job", "im'
    cur = cursor_at(text, len(text))
    assert cur.where == "key-string"
    assert cur.path == ["containers", 0]
    assert cur.partial == "im"
    assert cur.frame is not None and cur.frame.keys == ["id", "type"]
    assert cur.frame.strings == {"id": "a", "type": "job"}


def test_cursor_in_a_value_string_and_in_arrays() -> None:
    text = '{"containers": [{"id": "a"}, {"args": ["x", "--zk=\\"@zo'
    cur = cursor_at(text, len(text))
    assert cur.where == "value-string"
    assert cur.value_path == ["containers", 1, "args", 1]
    assert cur.partial == '--zk="@zo'
    text = '{"containers": [{"dependencies": ["a", '
    cur = cursor_at(text, len(text))
    assert (cur.where, cur.value_path) == ("value", ["containers", 0, "dependencies", 1])
    text = '{"a": {"b": 1}, '
    assert cursor_at(text, len(text)).where == "key"
    assert cursor_at(text, len(text)).path == []


# --- navigation ------------------------------------------------------------------------

DOC = """{
  "id": "app",
  "containers": [
    {"id": "db", "type": "service", "image": "postgres:15.4",
     "resources": {"cpus": 1, "mem": 512}},
    {
      "id": "web",
      "type": "service",
      "image": "nginx:1.25.3",
      "resources": {"cpus": 1, "mem": 512},
      "cmd": "run --db=@db --mail=ops\\\\@example.com --db2=\\u0040db",
      "env": {"A": "@db"},
      "dependencies": ["db"]
    }
  ]
}
"""


def _analysis(text: str = DOC, name: str = "/nowhere/app.appliance.json") -> Analysis:
    return analyse("file://" + name, 1, name, text, ConfigStore())


def test_node_at_and_kinds() -> None:
    a = _analysis()
    assert a.document is not None
    hit = node_at(a.document, DOC.index('"nginx') + 2)
    assert hit is not None and (hit.pointer, hit.part) == ("/containers/1/image", "value")
    hit = node_at(a.document, DOC.index('"cpus"', DOC.index('"web"')) + 1)
    assert hit is not None and (hit.pointer, hit.part) == ("/containers/1/resources/cpus", "key")
    assert kind_at("/containers/1/resources", a.document.value).name == "resources"  # type: ignore[union-attr]
    assert kind_at("/containers/1/env", a.document.value) is None


def test_occurrences_follow_the_reference_tokenizer() -> None:
    a = _analysis()
    idx = a.index()
    assert idx is not None and idx.exact
    found = [(o.kind, DOC[o.start : o.end]) for o in idx.of("db")]
    # `\\@example` is an escaped at sign; `\u0040db` is an `@db` written as an escape.
    assert found == [
        ("declaration", "db"),
        ("reference", "db"),
        ("reference", "db"),
        ("reference", "db"),
        ("dependency", "db"),
    ]
    escaped = [o for o in idx.of("db") if DOC[o.outer[0] : o.outer[1]].startswith("\\u0040")]
    assert len(escaped) == 1


def test_rename_validates_the_new_id() -> None:
    a = _analysis()
    at = DOC.index('"db"') + 1
    with pytest.raises(RenameError, match="already exists"):
        features.rename_edits(a, at, "web", "utf-16")
    with pytest.raises(RenameError, match="cannot be a container id"):
        features.rename_edits(a, at, "my db", "utf-16")
    edits = features.rename_edits(a, at, "pg", "utf-16")
    assert len(edits) == 5


@pytest.mark.parametrize(
    ("text", "pointer", "expected"),
    [
        (
            '{"id": "a", "containers": [{"id": "b", "is_privileged": true}]}',
            "/containers/0/is_privileged",
            '{"id": "a", "containers": [{"x-applc-ignore": {"APL301": "why"}, "id": "b", '
            '"is_privileged": true}]}',
        ),
        (
            '{\n  "id": "a",\n  "containers": [\n    {\n      "id": "b"\n    }\n  ]\n}',
            "/containers/0/id",
            '{\n  "id": "a",\n  "containers": [\n    {\n      "x-applc-ignore": {"APL301": "why"},'
            '\n      "id": "b"\n    }\n  ]\n}',
        ),
        (
            '{"id": "a", "containers": [{"x-applc-ignore": {"APL304": "x"}, "id": "b"}]}',
            "/containers/0/env/A",
            '{"id": "a", "containers": [{"x-applc-ignore": {"APL304": "x", "APL301": "why"}, '
            '"id": "b"}]}',
        ),
        (
            '{"id": "a", "containers": [{"x-applc-ignore": {}, "id": "b"}]}',
            "/containers/0",
            '{"id": "a", "containers": [{"x-applc-ignore": {"APL301": "why"}, "id": "b"}]}',
        ),
        (
            '{"id": "a", "containers": []}',
            "/containers",
            '{"x-applc-ignore": {"APL301": "why"}, "id": "a", "containers": []}',
        ),
    ],
)
def test_ignore_insertion(text: str, pointer: str, expected: str) -> None:
    a = _analysis(text)
    assert a.document is not None
    scope = ignore_scope(a.document, pointer)
    assert scope is not None
    e = ignore_insertion(a.document, scope, "APL301", "why")
    assert e is not None
    out = text[: e.start] + e.text + text[e.end :]
    assert out == expected
    json.loads(out)


def test_ignore_insertion_in_a_multiline_table() -> None:
    text = '{\n  "x-applc-ignore": {\n    "APL304": "x"\n  },\n  "id": "a"\n}'
    a = _analysis(text)
    assert a.document is not None
    e = ignore_insertion(a.document, "", "APL301", "why")
    assert e is not None
    out = text[: e.start] + e.text + text[e.end :]
    assert (
        out == '{\n  "x-applc-ignore": {\n    "APL304": "x",\n    "APL301": "why"\n  },'
        '\n  "id": "a"\n}'
    )


# --- completion without a client -------------------------------------------------------


def _labels(result: types.CompletionList | None) -> list[str]:
    return [i.label for i in result.items] if result else []


def test_completion_contexts() -> None:
    good = _analysis()
    # After `@` in cmd, with the document broken by the typing.
    cut = DOC.index("@db --mail") + 1
    broken = DOC[:cut]
    a = _analysis(broken)
    assert not a.parsed
    assert _labels(features.completion(a, cut, Client(), good)) == ["db"]
    # Not in a string PIVOT does not rewrite.
    cut = DOC.index('postgres:15.4"')
    text = DOC[:cut] + "@" + DOC[cut:]
    assert features.completion(_analysis(text), cut + 1, Client(), good) is None
    # Enum values.
    cut = DOC.index('"service"', DOC.index('"web"')) + 1
    got = _labels(features.completion(_analysis(DOC), cut, Client(), good))
    assert got == ["service", "job"]
    # Field names of a port.
    text = DOC.replace('"env": {"A": "@db"},', '"ports": [{"container_port": 80, }],')
    cut = text.index("80, ") + 4
    got = _labels(features.completion(_analysis(text), cut, Client(), good))
    assert got[:1] == ["host_port"] and "container_port" not in got


def test_completion_snippets_follow_the_client() -> None:
    text = '{"id": "a", "containers": [{"id": "b", "type": "job", }]}'
    cut = text.index(", }") + 2
    a = _analysis(text)
    plain = features.completion(a, cut, Client(snippets=False), None)
    snip = features.completion(a, cut, Client(snippets=True), None)
    assert plain is not None and snip is not None
    by = {i.label: i for i in plain.items}
    assert "retries" in by and "instances" not in by
    assert by["image"].text_edit.new_text == '"image": '  # type: ignore[union-attr]
    sby = {i.label: i for i in snip.items}
    assert sby["image"].text_edit.new_text == '"image": "$1"'  # type: ignore[union-attr]
    assert sby["image"].insert_text_format == types.InsertTextFormat.Snippet


def test_hover_in_plain_text() -> None:
    a = _analysis()
    h = features.hover(a, DOC.index('"image"') + 1, Client(markdown=False))
    assert h is not None and isinstance(h.contents, types.MarkupContent)
    assert h.contents.kind == types.MarkupKind.PlainText
    assert "`" not in h.contents.value and "**" not in h.contents.value
    h = features.hover(a, DOC.index("@db --mail") + 1, Client())
    assert h is not None and "container `db`" in h.contents.value  # type: ignore[union-attr]


def test_fix_all_applies_each_safe_fix_once() -> None:
    text = DOC.replace('"@db"', '"@dbb"').replace('["db"]', '["dbb"]')
    a = _analysis(text)
    act = features.fix_all(a, Client())
    assert act is not None and act.edit is not None and act.edit.changes
    (edits,) = act.edit.changes.values()
    assert sorted(e.new_text for e in edits) == ['"db"', "@db"]


def test_ignore_action_in_the_dsl() -> None:
    from applc.frontends.dsl.printer import to_dsl

    value = json.loads(DOC)
    value["containers"][1]["is_privileged"] = True
    text = to_dsl(value)
    a = _analysis(text, "/nowhere/app.appl")
    (d,) = [d for d in a.lsp_diagnostics("utf-16") if d.code == "APL301"]
    acts = features.code_actions(a, d.range, types.CodeActionContext(diagnostics=[d]), Client())
    (act,) = [x for x in acts if x.title.startswith("Ignore")]
    assert act.title == "Ignore APL301 (privileged) for container `web`"
    assert act.edit is not None and act.edit.changes is not None
    (edit,) = next(iter(act.edit.changes.values()))
    assert edit.new_text.strip() == 'ignore APL301 "TODO: say why"'
    src = Source("x", text)
    at = position_to_offset(src, edit.range.start, "utf-16")
    b = _analysis(text[:at] + edit.new_text + text[at:], "/nowhere/app.appl")
    assert b.parsed and not [x for x in b.diagnostics if x.code in ("APL301", "APL090")]
