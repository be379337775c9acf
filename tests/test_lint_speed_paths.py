"""What keeps the lint of a big appliance near the cost of loading its JSON (issue 13):
each hot path is pinned by what it does (how many Python-level steps, which objects it
makes), not by a time. benchmarks/run.py measures the time."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import applc.source
from applc.config import Settings
from applc.frontends.json_loader import load_json_text
from applc.lint import lint_document
from applc.model.build import build_appliance
from applc.source import Source, line_starts


def _python_calls(fn: Callable[[], Any]) -> int:
    """How many Python-level functions `fn` calls (C functions not counted)."""
    calls = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def _simple_line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


@given(st.text(alphabet="ab\n\r\u00e9", max_size=300), st.integers(1, 9))
def test_line_starts_are_the_offsets_after_each_line_break(text: str, piece: int) -> None:
    saved = applc.source._PIECE
    applc.source._PIECE = piece  # pieces of a few characters: lines cross them
    try:
        assert list(line_starts(text)) == _simple_line_starts(text)
    finally:
        applc.source._PIECE = saved


def test_line_starts_take_python_steps_per_piece_not_per_line() -> None:
    text = "x\n" * 200_000  # 200,000 lines in 7 pieces
    assert _python_calls(lambda: line_starts(text)) < 50


def _container(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "type": "service",
        "image": "busybox:1.36",
        "resources": {"cpus": 1, "mem": 128},
        "args": [f"--n={j}" for j in range(20)],
        "env": {f"V{j}": "x" for j in range(20)},
        **extra,
    }


def test_only_strings_with_an_at_sign_get_a_pointer(monkeypatch: Any) -> None:
    # Lint looks for `@` references in every command, argument and env value; making a
    # pointer for each of them was most of that look.
    c = _container(0, cmd="run", env={**{f"V{j}": "x" for j in range(20)}, "PEER": "@c0"})
    text = json.dumps({"id": "a", "containers": [c]})
    app = build_appliance(Source("a.json", text), json.loads(text))
    made: list[tuple[Any, ...]] = []
    real_at = type(app.containers[0]).at
    monkeypatch.setattr(
        type(app.containers[0]), "at", lambda self, *t: made.append(t) or real_at(self, *t)
    )
    assert app.containers[0].referencing_strings("@") == [("/containers/0/env/PEER", "@c0")]
    assert made == [("env", "PEER")]
    assert len(app.containers[0].referencing_strings()) == 1 + 20 + 21  # cmd, args, env


def test_values_of_the_right_type_are_not_walked_one_by_one(monkeypatch: Any) -> None:
    # The structure check skips scalars of the right type (and arguments and env values
    # that are strings) without a call per value.
    from applc.rules import structure

    walked: list[str] = []
    real = structure._Walker.value

    def value(self: Any, value: Any, f: Any, ptr: str, parent: Any) -> None:
        walked.append(ptr)
        real(self, value, f, ptr, parent)

    monkeypatch.setattr(structure._Walker, "value", value)
    text = json.dumps({"id": "a", "containers": [_container(i) for i in range(3)]})
    doc = load_json_text("a.json", text)
    assert lint_document(doc, Settings()) == []
    # Per container: `type` (an enum), and the objects and arrays to go into.
    assert sorted(p for p in walked if p.startswith("/containers/0/")) == [
        "/containers/0/args",
        "/containers/0/env",
        "/containers/0/resources",
        "/containers/0/type",
    ]


def test_container_ids_are_matched_once_each(monkeypatch: Any) -> None:
    from applc.rules import structure

    matched: list[str] = []
    real = structure.DNS_LABEL

    class Counting:
        def fullmatch(self, s: str) -> Any:
            matched.append(s)
            return real.fullmatch(s)

    monkeypatch.setattr(structure, "DNS_LABEL", Counting())
    text = json.dumps({"id": "a", "containers": [_container(i) for i in range(50)]})
    assert lint_document(load_json_text("a.json", text), Settings()) == []
    assert sorted(matched) == sorted(["a", "a"] + [f"c{i}" for i in range(50)])


def test_positions_count_line_breaks_instead_of_tabling_every_line() -> None:
    # Showing findings needs the line and column of a few offsets; a table of every
    # line's start cost a step per line of the file.
    from applc.formatters import Report, renderer

    containers = [
        _container(i, volumes=[{"container_path": "/d", "host_path": "/d"}]) for i in range(300)
    ]
    text = json.dumps({"id": "a", "containers": containers}, indent=2)
    doc = load_json_text("a.json", text)
    diags = lint_document(doc, Settings())
    assert len(diags) == 300  # APL245 on each legacy volume
    shown = renderer("full")(Report(diags, {"a.json": doc.source}, 1), False)
    assert doc.source._line_starts is None
    assert shown.count(" {\n") >= 300 and doc.source._counted < len(text)
    # The same positions and lines as from the table.
    tabled = load_json_text("a.json", text)
    assert len(tabled.source.line_starts) == text.count("\n") + 1
    assert lint_document(tabled, Settings()) == diags
    assert renderer("full")(Report(diags, {"a.json": tabled.source}, 1), False) == shown


def test_positions_asked_backwards_switch_to_the_table() -> None:
    text = "x\n" * 50_000
    src = Source("a.json", text)
    for offset in range(len(text) - 1, 0, -997):
        assert src.position(offset) == (offset // 2 + 1, offset % 2 + 1)
    assert src._line_starts is not None  # counting again and again stopped
    assert src._counted <= 5 * len(text)


def test_reaching_an_element_reads_the_ones_before_it_in_one_loop() -> None:
    # The way to a finding in the 1,000th container reads the 999 before it: one Python
    # call for the whole array (and one for the container's members), not one per
    # element or member.
    from applc.frontends.json_scanner import JsonIndex

    containers = [{"id": f"c{i}", "image": "busybox", "env": {"A": "[{"}} for i in range(1000)]
    text = json.dumps({"id": "app", "containers": containers}, indent=2)
    index = JsonIndex(text)
    calls = _python_calls(lambda: index.value_range("/containers/999/env/A"))
    assert calls < 100, calls  # the old reader: 1,037
    start, end = index.value_range("/containers/999/env/A") or (0, 0)
    assert text[start:end] == '"[{"'
    # Reading on from where it stopped: the end of the array, by the same loop.
    assert index.value_range("/containers/1000") is None
    assert index.value_range("") == (0, len(text))


@given(
    st.lists(st.sampled_from(["\\", "u", "\\u", "\\\\", "a", "@", "\n", "\\\\u"]), max_size=60),
    st.integers(0, 3000),
    st.integers(0, 3000),
)
def test_u_escapes_are_found_as_the_plain_search_finds_them(
    pieces: list[str], pad: int, backslashes: int
) -> None:
    # `"\\u" in text` is the reference; the texts cross the point where the loop over
    # backslashes hands over to it (one per 1,024 characters).
    from applc.source import has_u_escape

    body = "".join(pieces)
    for text in (body, "x" * pad + body, "\\x" * backslashes + body, body + "\\x" * backslashes):
        assert has_u_escape(text) == ("\\u" in text), text[-80:]


def test_u_escapes_are_looked_for_from_backslash_to_backslash() -> None:
    # A big document with an escaped `@` in many containers and no `\u`: the search goes
    # from one backslash to the next, one Python step each, not over every `u`.
    from applc.source import has_u_escape

    line = '{"env": {"MAIL": "support\\\\@example.com", "U": "' + "u" * 2000 + '"}}\n'
    text = line * 200
    steps = 0
    real_find = str.find

    class Counting(str):
        def find(self, *args: Any) -> int:  # type: ignore[override]
            nonlocal steps
            steps += 1
            return real_find(self, *args)

    assert has_u_escape(Counting(text)) is False
    assert steps == 401  # each of the 400 backslashes once, and the search finding no more


def test_each_image_is_checked_once_and_every_container_using_a_bad_one_is_told(
    monkeypatch: Any,
) -> None:
    from applc.rules import values

    checked: list[str] = []
    real = values.image_reference_problem
    monkeypatch.setattr(
        values, "image_reference_problem", lambda image: checked.append(image) or real(image)
    )
    images = ["busybox:1.36", "Busybox:1.36", "busybox:1.36", "Busybox:1.36", "nginx:1.25"]
    containers = [_container(i, image=image) for i, image in enumerate(images)]
    text = json.dumps({"id": "a", "containers": containers}, indent=2)
    found = lint_document(load_json_text("a.json", text), Settings())
    assert sorted(checked) == ["Busybox:1.36", "busybox:1.36", "nginx:1.25"]
    lines = text.splitlines()
    told = [(d.code, lines[d.span.line - 1].strip()) for d in found if d.code == "APL113"]
    assert told == [("APL113", '"image": "Busybox:1.36",')] * 2
    assert [d.span.line for d in found if d.code == "APL113"] == [
        i + 1 for i, line in enumerate(lines) if "Busybox" in line
    ]
