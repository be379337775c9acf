"""applc's YAML writer: whatever plain data goes in is what a YAML reader reads back."""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Iterator

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from applc.writers import yaml_writer


@pytest.fixture(autouse=True)
def _no_remembered_quotes() -> Iterator[None]:
    """Every test starts with an empty quote cache, so that it checks the quoting and not
    an answer remembered from earlier: under mutmut each mutant's tests run in a process
    forked after a clean run had filled the cache with the unmutated code's answers."""
    yaml_writer._QUOTED.clear()
    yield
    yaml_writer._QUOTED.clear()


# Strings that YAML readers are known to turn into something else when unquoted, plus
# characters that are line breaks or not allowed raw in YAML 1.1.
TRICKY = [
    "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "~", "", " ", "NaN",
    ".inf", "-.inf", "1", "-1", "0x1f", "0o17", "017", "1_000", "1e3", "1.0", "12:30",
    "2026-11-26", "<<", "=", "- a", "a: b", "a #b", "#c", "&x", "*x", "!t", "|", ">",
    "%x", "@x", "`x", "'q'", '"q"', "{a}", "[a]", "a,b", "?", ":", "a\nb", "\t", "\r",
    "x\x85y", "x\u2028y", "x\u2029y", "\ufeffbom", "\x7f", "\x00", "\x1b[31m", "\ud800",
    "\ufffe", "é", "名前", "🙂", "$HOME", "$$(x)", "/", "a/b", "trailing ", " leading",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(TRICKY),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(), st.sampled_from(TRICKY)), inner, max_size=4),
    ),
    max_leaves=20,
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None)
@given(values)
def test_round_trips_through_a_yaml_reader(value: object) -> None:
    text = yaml_writer.dump(value)
    assert _same(yaml.safe_load(text), value), text


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_stay_strings(text: str) -> None:
    doc = yaml_writer.dump({"key": text, text: "value"})
    assert yaml.safe_load(doc) == {"key": text, text: "value"}


def test_plain_words_cannot_mean_anything_else_in_yaml_1_2() -> None:
    # YAML 1.2's core schema: what a go-yaml v3 reader takes for null, bool or number.
    core = re.compile(
        r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
        r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
        r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
        r"|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN"
    )
    for text in TRICKY:
        if yaml_writer.plain_ok(text):
            assert not core.fullmatch(text), text


def test_layout_is_block_style_with_sequences_under_their_key() -> None:
    doc = {"a": {"b": [1, {"c": "d", "e": []}, [2, 3]], "f": {}}, "g": "yes"}
    assert yaml_writer.dump(doc) == "\n".join(
        [
            "a:",
            "  b:",
            "    - 1",
            "    - c: d",
            "      e: []",
            "    - - 2",
            "      - 3",
            "  f: {}",
            'g: "yes"',
        ]
    )


def test_a_key_too_long_for_an_implicit_key_is_written_explicitly() -> None:
    key = "K" * 2000
    doc = {"env": {key: "v", "short": {"x": 1}}, key: [1]}
    text = yaml_writer.dump(doc)
    assert f"? {key}" in text
    assert yaml.safe_load(text) == doc


def test_floats_are_decimal_and_non_numbers_refused() -> None:
    assert yaml_writer.dump(1e-7) == "0.0000001"
    assert yaml.safe_load(yaml_writer.dump([1e20, 2.5])) == [1e20, 2.5]
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            yaml_writer.dump({"x": bad})


def _without_none(value: object) -> object:
    """The reference for `omit_none`, written here: None-valued keys dropped, recursively."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(values)
def test_omit_none_leaves_out_none_keys_and_nothing_else(value: object) -> None:
    text = yaml_writer.dump(value, omit_none=True)
    assert text == yaml_writer.dump(_without_none(value))
    assert _same(yaml.safe_load(text), _without_none(value)), text


def test_a_mapping_whose_every_value_is_omitted_is_empty() -> None:
    assert yaml_writer.dump({"a": None}, omit_none=True) == "{}"
    doc = {"a": {"b": None}, "c": [{"d": None}, None, {"e": 1, "f": None}]}
    assert yaml_writer.dump(doc, omit_none=True) == "\n".join(
        ["a: {}", "c:", "  - {}", "  - null", "  - e: 1"]
    )


def test_repeated_strings_quote_the_same_each_time() -> None:
    # Short strings are quoted once and remembered: the second writing must agree.
    for text in TRICKY:
        assert yaml_writer.dump([text, text]) == yaml_writer.dump([text]) + "\n" + (
            yaml_writer.dump([text])
        )


def test_negative_zero_keeps_its_sign() -> None:
    # YAML reads `-0.0` back as negative zero; `0.0` would lose the sign.
    assert yaml_writer.dump([-0.0, 0.5, 3.0]) == "- -0.0\n- 0.5\n- 3.0"
    back = yaml.safe_load(yaml_writer.dump({"x": -0.0}))
    assert math.copysign(1, back["x"]) == -1


def test_refusals_name_the_value() -> None:
    with pytest.raises(ValueError, match=r"^nan cannot be written to YAML for a platform$"):
        yaml_writer.dump([math.nan])
    with pytest.raises(ValueError, match=r"^inf cannot be written to YAML for a platform$"):
        yaml_writer.dump({"x": math.inf})
    with pytest.raises(TypeError, match=r"^cannot write a set as YAML$"):
        yaml_writer.dump({"x": {1}})


def test_scalars_are_written_in_their_canonical_lower_case_form() -> None:
    # What kubectl and compose write, and what every YAML 1.1 and 1.2 reader agrees on.
    doc = {"a": None, "b": True, "c": False, "d": 7, "e": -3, "f": [None, True, False]}
    assert yaml_writer.dump(doc) == "\n".join(
        [
            "a: null",
            "b: true",
            "c: false",
            "d: 7",
            "e: -3",
            "f:",
            "  - null",
            "  - true",
            "  - false",
        ]
    )


def test_keys_that_are_not_strings_are_written_as_their_scalars() -> None:
    value = {7: "a", None: "b", True: "c", 2.5: {"x": 1}}
    text = yaml_writer.dump(value)
    assert text == "7: a\nnull: b\ntrue: c\n2.5:\n  x: 1"
    assert yaml.safe_load(text) == value


def test_a_scalar_or_an_empty_collection_alone_is_written_on_its_own() -> None:
    assert yaml_writer.dump("name") == "name"
    assert yaml_writer.dump("yes") == '"yes"'
    assert yaml_writer.dump("a: b") == '"a: b"'
    assert yaml_writer.dump(None) == "null"
    assert yaml_writer.dump(False) == "false"
    assert yaml_writer.dump(-12) == "-12"
    assert yaml_writer.dump({}) == "{}"
    assert yaml_writer.dump([]) == "[]"
    assert yaml_writer.dump(()) == "[]"


class _Word(str):
    """A string subclass (an enum value, a marked-up string) is still a string."""


def test_subclasses_of_mappings_and_strings_and_tuples_are_written_as_their_kind() -> None:
    value = OrderedDict(
        [
            ("a", OrderedDict([("x", 1), ("w", _Word("yes"))])),
            ("b", (1, _Word("two"))),
            ("c", [OrderedDict(z=2), (3, (4,)), _Word("on"), OrderedDict(), ()]),
            ("d", OrderedDict()),
            ("e", ()),
            ("f", _Word("plain")),
        ]
    )
    text = yaml_writer.dump(value)
    assert text == "\n".join(
        [
            "a:",
            "  x: 1",
            '  w: "yes"',
            "b:",
            "  - 1",
            "  - two",
            "c:",
            "  - z: 2",
            "  - - 3",
            "    - - 4",
            '  - "on"',
            "  - {}",
            "  - []",
            "d: {}",
            "e: []",
            "f: plain",
        ]
    )
    assert yaml.safe_load(text) == {
        "a": {"x": 1, "w": "yes"},
        "b": [1, "two"],
        "c": [{"z": 2}, [3, [4]], "on", {}, []],
        "d": {},
        "e": [],
        "f": "plain",
    }
    assert yaml_writer.dump((OrderedDict(k=_Word("null")),)) == '- k: "null"'


def test_omit_none_reaches_into_sequences_at_every_depth() -> None:
    value = [{"a": None, "b": 1}, [{"c": None, "d": 2}, [{"e": None}]], {"f": None}, None]
    text = yaml_writer.dump(value, omit_none=True)
    assert text == "\n".join(["- b: 1", "- - d: 2", "  - - {}", "- {}", "- null"])
    assert yaml.safe_load(text) == [{"b": 1}, [{"d": 2}, [{}]], {}, None]
    assert yaml_writer.dump(({"a": None},), omit_none=True) == "- {}"


def test_a_key_stays_implicit_up_to_1000_characters() -> None:
    # YAML limits an implicit key to 1024 characters; applc writes one of more than 1000
    # as an explicit `? key`, the value on the next line after `: `.
    short, long = "k" * 1000, "k" * 1001
    assert yaml_writer.dump({short: "v"}) == f"{short}: v"
    assert yaml_writer.dump({long: "v"}) == f"? {long}\n: v"
    assert yaml_writer.dump([{long: {"x": [1]}}]) == f"- ? {long}\n  :\n    x:\n      - 1"
    assert yaml.safe_load(yaml_writer.dump({short: "v", long: "w"})) == {short: "v", long: "w"}


def test_short_strings_are_quoted_once_and_long_ones_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = yaml_writer._quote

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(yaml_writer, "_quote", counting)
    short, long = "s" * 64, "l" * 65
    words = [_Word("on"), _Word("on")]  # written through `scalar`
    value = {short: [short, short, "yes", "yes"], "k": {short: long}, long: [long], "w": words}
    text = yaml_writer.dump(value)
    assert yaml.safe_load(text) == {**value, "w": ["on", "on"]}
    # Each short string (key or value) is worked out once; a long one every time.
    assert sorted(calls) == sorted([short, "yes", "k", "w", "on", long, long, long])


def test_the_quote_cache_is_bounded() -> None:
    # A language server writes for hours: at most 2,048 strings of at most 64 characters
    # are remembered, whatever it writes.
    words = [f"w{i}" for i in range(3000)]
    text = yaml_writer.dump(words + ["x" * 65])
    assert yaml.safe_load(text) == words + ["x" * 65]
    assert len(yaml_writer._QUOTED) == 2048
    assert set(yaml_writer._QUOTED) == set(words[:2048])
    yaml_writer._QUOTED.clear()
    yaml_writer.dump(["y" * 65, "z" * 64])
    assert set(yaml_writer._QUOTED) == {"z" * 64}
