"""The text edits behind `--fix`, `--add-ignore` and the language server's code actions
(applc/edits.py), on small hand-written texts whose results are written out in full."""

from __future__ import annotations

import pytest

from applc.api import lint_text
from applc.diagnostics import Diagnostic, ResolvedEdit, ResolvedFix, Severity
from applc.edits import (
    TextEdit,
    apply_edits,
    choose_fixes,
    dsl_ignore_insertion,
    fix_edits,
    ignore_insertion,
    ignore_scope,
    scope_title,
    unified_diff,
)
from applc.source import Source, Span

# --------------------------------------------------------------------------- apply_edits


def test_edits_are_made_in_text_order_whatever_their_order():
    edits = [TextEdit(4, 5, "X"), TextEdit(0, 1, ""), TextEdit(0, 0, "<"), TextEdit(6, 6, ">")]
    assert apply_edits("abcdef", edits) == "<bcdXf>"
    assert apply_edits("abcdef", []) == "abcdef"


# --------------------------------------------------------------------------- unified_diff


def test_a_diff_marks_last_lines_without_a_newline():
    assert unified_diff("a\nb", "a\nc", "old/x", "new/x") == (
        "--- old/x\n"
        "+++ new/x\n"
        "@@ -1,2 +1,2 @@\n"
        " a\n"
        "-b\n"
        "\\ No newline at end of file\n"
        "+c\n"
        "\\ No newline at end of file\n"
    )
    assert unified_diff("a\nb\n", "a\nc\n", "x", "y") == (
        "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    )
    assert unified_diff("same\n", "same\n", "x", "y") == ""


# --------------------------------------------------------------------------- fixes

LINE = "0123456789abcdef"  # one line: column c is offset c - 1


def _diag(*edits: tuple[int, int, str], safe: bool = True, code: str = "APL211") -> Diagnostic:
    fix = ResolvedFix(
        "fix it",
        tuple(ResolvedEdit(Span(1, a + 1, 1, b + 1), t) for a, b, t in edits),
        safe,
    )
    return Diagnostic(
        code,
        "name",
        Severity.ERROR,
        "m",
        "x.json",
        Span(1, 1, 1, 2),
        "",
        fix=fix if edits else None,
    )


def test_fix_edits_are_offsets_into_the_source():
    src = Source("x.json", "ab\ncd\n")
    d = Diagnostic(
        "APL211",
        "n",
        Severity.ERROR,
        "m",
        "x.json",
        Span(2, 1, 2, 3),
        "",
        fix=ResolvedFix("f", (ResolvedEdit(Span(1, 2, 2, 2), "Z"),), True),
    )
    assert fix_edits(src, d) == [TextEdit(1, 4, "Z")]
    assert fix_edits(src, _diag()) == []


def test_a_real_fix_points_at_the_token_it_replaces():
    text = '{"id": "s", "containers": [{"id": "db"}, {"id": "web", "dependencies": ["dbb"]}]}'
    doc, diags = lint_text("x.json", text)
    [d] = [d for d in diags if d.code == "APL211"]
    at = text.index('"dbb"')
    assert fix_edits(doc.source, d) == [TextEdit(at, at + 5, '"db"')]


@pytest.mark.parametrize(
    ("taken", "other", "clash"),
    [
        ((2, 4), (4, 6), False),  # touching ends do not clash
        ((4, 6), (2, 4), False),
        ((2, 4), (3, 5), True),
        ((3, 5), (2, 4), True),
        ((2, 6), (3, 4), True),  # inside
        ((3, 4), (2, 6), True),
        ((2, 2), (2, 2), True),  # two insertions at one place
        ((2, 2), (2, 3), True),  # an insertion where a replacement starts
        ((2, 2), (1, 2), False),  # an insertion where a replacement ends
        ((2, 2), (1, 3), True),  # an insertion inside a replacement
        ((0, 1), (5, 6), False),
    ],
)
def test_a_fix_that_touches_an_earlier_one_waits(taken, other, clash):
    first, second = _diag((*taken, "A")), _diag((*other, "B"))
    chosen = choose_fixes(Source("x.json", LINE), [first, second])
    assert [d for d, _ in chosen] == ([first] if clash else [first, second])


def test_fixes_chosen_are_the_safe_ones_unless_asked():
    safe = _diag((0, 1, "A"))
    unsafe = _diag((5, 6, "B"), safe=False)
    none = _diag()
    empty = Diagnostic(
        "APL211",
        "n",
        Severity.ERROR,
        "m",
        "x.json",
        Span(1, 1, 1, 2),
        "",
        fix=ResolvedFix("nothing", (), True),
    )
    src = Source("x.json", LINE)
    assert choose_fixes(src, [none, empty, safe, unsafe]) == [(safe, [TextEdit(0, 1, "A")])]
    assert choose_fixes(src, [none, empty, safe, unsafe], unsafe=True) == [
        (safe, [TextEdit(0, 1, "A")]),
        (unsafe, [TextEdit(5, 6, "B")]),
    ]


def test_all_edits_of_a_fix_are_checked_against_all_taken():
    first = _diag((0, 1, "A"), (8, 9, "B"))
    second = _diag((4, 5, "C"), (8, 9, "D"))  # its second edit meets the first's second
    third = _diag((4, 5, "E"), (12, 13, "F"))
    src = Source("x.json", LINE)
    assert [d for d, _ in choose_fixes(src, [first, second, third])] == [first, third]


# --------------------------------------------------------------------------- ignore scopes

DOC = """{
  "id": "shop",
  "containers": [
    {
      "id": "web",
      "env": {"A": "x"},
      "ports": [{"container_port": 80}],
      "x-applc-ignore": {"APL304": "x"}
    },
    {"type": "service", "volumes": [{"container_path": "/d", "host_path": "/d"}]}
  ]
}
"""


def _doc(text: str = DOC, name: str = "x.json"):
    return lint_text(name, text)[0]


@pytest.mark.parametrize(
    ("pointer", "scope", "title"),
    [
        ("/containers/0/env/A", "/containers/0", "container `web`"),  # a map is no scope
        ("/containers/0/x-applc-ignore/APL304", "/containers/0", "container `web`"),
        ("/containers/0/ports/0/container_port", "/containers/0/ports/0", "this port"),
        ("/containers/0/ports", "/containers/0", "container `web`"),
        ("/containers/1/type", "/containers/1", "this container"),  # no id
        (
            "/containers/1/volumes/0/host_path",
            "/containers/1/volumes/0",
            "this volume (legacy form)",
        ),
        ("/containers", "", "this file"),
        ("/id", "", "this file"),
        ("", "", "this file"),
        ("/containers/7/id", "", "this file"),  # not in the document: the file
    ],
)
def test_the_scope_of_an_ignore_and_its_title(pointer, scope, title):
    doc = _doc()
    assert ignore_scope(doc, pointer) == scope
    assert scope_title(doc, scope) == title


def test_an_object_the_format_does_not_describe_is_an_object():
    assert scope_title(_doc(), "/containers/0/env") == "this object"


def test_a_document_that_is_not_an_object_has_no_scope():
    doc = _doc('["not", "an", "appliance"]')
    assert ignore_scope(doc, "/0") is None


# --------------------------------------------------------------------------- JSON insertion


def _insert(text: str, scope: str, codes, reason: str = "why") -> str | None:
    e = ignore_insertion(_doc(text), scope, codes, reason)
    return None if e is None else apply_edits(text, [e])


def test_an_ignore_goes_first_in_its_object_indented_like_the_next_key():
    assert _insert(DOC, "/containers/0/ports/0", ["APL221", "APL221", "APL222"]) == DOC.replace(
        '[{"container_port": 80}]',
        '[{"x-applc-ignore": {"APL221": "why", "APL222": "why"}, "container_port": 80}]',
    )
    assert _insert(DOC, "", "APL301", 'say "why"') == DOC.replace(
        '{\n  "id"', '{\n  "x-applc-ignore": {"APL301": "say \\"why\\""},\n  "id"'
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("{}", '{"APL301": "why", "APL302": "why"}'),
        ('{"APL304": "x"}', '{"APL304": "x", "APL301": "why", "APL302": "why"}'),
    ],
)
def test_two_codes_into_a_table_on_one_line(table, expected):
    text = '{"x-applc-ignore": ' + table + ', "id": "a", "containers": []}'
    assert _insert(text, "", ["APL301", "APL302"]) == text.replace(table, expected)


def test_an_ignore_in_an_empty_object():
    text = '{"id": "a", "containers": [{}]}'
    assert _insert(text, "/containers/0", "APL301") == (
        '{"id": "a", "containers": [{"x-applc-ignore": {"APL301": "why"}}]}'
    )


def test_a_reason_is_written_as_typed_not_as_escapes():
    text = '{"id": "a", "containers": [{}]}'
    assert _insert(text, "/containers/0", "APL301", "für die Ü-Prüfung ☃") == (
        '{"id": "a", "containers": [{"x-applc-ignore": {"APL301": "für die Ü-Prüfung ☃"}}]}'
    )
    scope, edit = dsl_ignore_insertion(_doc(DSL, "x.appl"), "", "APL301", "é")
    assert edit is not None and edit.text == 'ignore APL301 "é"\n'


def test_codes_already_in_the_table_are_not_added_again():
    assert _insert(DOC, "/containers/0", "APL304") is None
    assert _insert(DOC, "/containers/0", ["APL304", "APL301"]) == DOC.replace(
        '{"APL304": "x"}', '{"APL304": "x", "APL301": "why"}'
    )


def test_a_multiline_table_gets_one_entry_a_line():
    text = '{\n  "x-applc-ignore": {\n\t"APL304": "x"\n  },\n  "id": "a"\n}'
    assert _insert(text, "", ["APL301", "APL302"]) == (
        '{\n  "x-applc-ignore": {\n\t"APL304": "x",\n\t"APL301": "why",\n\t"APL302": "why"\n  },'
        '\n  "id": "a"\n}'
    )


def test_indentation_is_read_from_the_line_even_after_an_empty_first_line():
    text = '\n  {"x-applc-ignore": {"APL304": "x"\n}, "id": "a", "containers": []}'
    assert _insert(text, "", "APL301") == (
        '\n  {"x-applc-ignore": {"APL304": "x",\n  "APL301": "why"\n}, "id": "a", "containers": []}'
    )


def test_a_table_that_is_not_an_object_is_left_alone():
    text = '{"id": "a", "x-applc-ignore": ["APL301"], "containers": []}'
    assert _insert(text, "", "APL302") is None
    assert _insert(text.replace('["APL301"]', "[]"), "", "APL302") is None
    assert _insert('{"id": "a", "containers": []}', "/containers", "APL302") is None  # a list


# --------------------------------------------------------------------------- DSL insertion

DSL = """appliance shop

service web {
  image "x:1"
    privileged
}

service db {
}
service one { image "x:1" }
"""


def _dsl_insert(text: str, pointer: str, codes, reason: str = "why"):
    scope, e = dsl_ignore_insertion(_doc(text, "x.appl"), pointer, codes, reason)
    return scope, None if e is None else apply_edits(text, [e])


def test_a_dsl_ignore_goes_first_in_the_container_block():
    assert _dsl_insert(DSL, "/containers/0/is_privileged", ["APL301", "APL301"]) == (
        "/containers/0",
        DSL.replace("web {\n", 'web {\n  ignore APL301 "why"\n'),
    )


def test_a_dsl_ignore_in_an_empty_block_is_indented_inside_it():
    assert _dsl_insert(DSL, "/containers/1", "APL301", 'a "b"') == (
        "/containers/1",
        DSL.replace("db {\n", 'db {\n  ignore APL301 "a \\"b\\""\n'),
    )


def test_a_dsl_block_on_one_line_cannot_take_an_ignore():
    assert _dsl_insert(DSL, "/containers/2/image", "APL304") == ("/containers/2", None)


def test_a_dsl_container_without_a_block_cannot_take_an_ignore():
    # `service web` alone is a container with no braces: nowhere to put the line (the
    # next container's block is not its own).
    text = 'appliance shop\nservice web\nservice db {\n  image "x:1"\n}\n'
    assert _dsl_insert(text, "/containers/0", "APL101") == ("/containers/0", None)


def test_a_dsl_ignore_for_the_file_goes_after_the_appliance_line():
    assert _dsl_insert(DSL, "/id", ["APL301", "APL304"]) == (
        "",
        DSL.replace(
            "appliance shop\n", 'appliance shop\nignore APL301 "why"\nignore APL304 "why"\n'
        ),
    )
    # at the end of a file without a last newline: a line break first
    doc = _doc("appliance shop", "x.appl")
    assert dsl_ignore_insertion(doc, "", "APL301", "why") == (
        "",
        TextEdit(14, 14, '\nignore APL301 "why"\n'),
    )
    # the appliance line, not the first line of the file
    text = "# shop\n\nappliance shop\nservice web {\n}\n"
    assert _dsl_insert(text, "", "APL301") == (
        "",
        text.replace("appliance shop\n", 'appliance shop\nignore APL301 "why"\n'),
    )


def test_a_dsl_file_without_an_appliance_line_takes_no_file_ignore():
    text = 'service web {\n  image "x:1"\n}\n'
    assert _dsl_insert(text, "", "APL101") == (None, None)
    assert _dsl_insert(text, "/id", "APL101") == (None, None)


def test_a_dsl_pointer_to_no_container_goes_to_the_file():
    assert _dsl_insert(DSL, "/containers", "APL301")[0] == ""
    assert _dsl_insert(DSL, "/containers/9/image", "APL301") == (None, None)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("service w {\n    }\n", 'service w {\n      ignore APL301 "why"\n    }\n'),
        ("service w {\n  X = 1\n}\n", 'service w {\n  ignore APL301 "why"\n  X = 1\n}\n'),
        (
            'service w {\n\timage "x:1"\n}\n',
            'service w {\n\tignore APL301 "why"\n\timage "x:1"\n}\n',
        ),
    ],
)
def test_a_dsl_ignore_is_indented_like_the_block(block, expected):
    assert _dsl_insert("appliance a\n" + block, "/containers/0", "APL301") == (
        "/containers/0",
        "appliance a\n" + expected,
    )


def test_a_dsl_container_that_is_not_an_object_takes_no_ignore():
    assert _dsl_insert('appliance a\ncontainers = ["x"]\n', "/containers/0", "APL301") == (
        None,
        None,
    )
