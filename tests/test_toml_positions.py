"""The TOML position scanner against documents written many ways: every key it reports
sits where the text has it, and every path tomllib reads has a position."""

from __future__ import annotations

import json
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from applc.toml_positions import toml_positions

KEY = st.sampled_from(["a", "b-c", "d_e", "tool", "applc", "with space", "é", "x.y"])
SCALAR = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.text(alphabet=st.sampled_from("ab \"\\#[]{}=.,'\n\té"), max_size=8),
    st.sampled_from([1.5, float("inf")]),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=3),
    max_leaves=6,
)


def _key(k: str) -> str:
    return k if k.replace("-", "").replace("_", "").isalnum() and k.isascii() else json.dumps(k)


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "inf" if v == float("inf") else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[\n  " + ",\n  ".join(_value(x) for x in v) + ",\n]" if v else "[]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    return str(v)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[tuple[str, ...], str]]]:
    """A TOML text and, for each key written, its path and the exact text of the key."""
    lines: list[str] = []
    written: list[tuple[tuple[str, ...], str]] = []
    seen: set[tuple[str, ...]] = set()
    for k in draw(st.lists(KEY, max_size=3, unique=True)):
        lines.append(f"{_key(k)} = {_value(draw(VALUE))}  # c")
        written.append(((k,), _key(k)))
        seen.add((k,))
    for table in draw(st.lists(st.tuples(KEY, KEY), max_size=3, unique=True)):
        if table[:1] in seen or table in seen:
            continue
        seen.add(table)
        spaced = draw(st.booleans())
        sep = " . " if spaced else "."
        lines.append(f"[{' ' if spaced else ''}{sep.join(_key(k) for k in table)}]")
        for k in draw(st.lists(KEY, max_size=2, unique=True)):
            lines.append(f"{_key(k)} = {_value(draw(VALUE))}")
            written.append(((*table, k), _key(k)))
    return "\n".join(lines) + "\n", written


@settings(max_examples=200, deadline=None)
@given(documents())
def test_every_key_is_found_where_the_text_has_it(doc):
    text, written = doc
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # two tables or keys that clash: not a document to read
    positions = toml_positions(text)
    lines = text.split("\n")
    for path, spelled in written:
        line, col = positions.keys[path]
        assert lines[line - 1][col - 1 :].startswith(spelled), (path, text)


def test_arrays_of_tables_and_inline_values_are_numbered():
    text = (
        "[[suppress]]\nfiles = 5\n"
        '[[suppress]]\nrules = [\n  "a",  # one\n  "b",\n]\n'
        'pointer = """x\n"""\nwhen = 1979-05-27 07:32:00Z\nlast = { k = [1, { m = 2 }] }\n'
    )
    tomllib.loads(text)
    p = toml_positions(text)
    assert p.value(("suppress", 0, "files")) == (2, 9)
    assert p.value(("suppress", 1, "rules", 1)) == (6, 3)
    assert p.key(("suppress", 1, "when")) == (10, 1)
    assert p.value(("suppress", 1, "last", "k", 1, "m")) == (11, 24)
    # A path it has no entry for falls back to the nearest parent.
    assert p.key(("suppress", 1, "rules", 7)) == (4, 1)
