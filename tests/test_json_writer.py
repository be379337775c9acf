"""applc's indented JSON writer writes exactly what `json.dumps(indent=...)` writes."""

from __future__ import annotations

import json
import math
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applc.writers import json_writer

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(), inner, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([2, 4]))
def test_same_text_as_json_dumps(value: object, indent: int) -> None:
    assert json_writer.dumps(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)


def test_non_string_keys_tuples_and_subclasses_as_json_writes_them() -> None:
    value = {7: (1, [2, {}]), True: OrderedDict(a=[]), None: 1.5, 2.5: "x\u2028\ud800"}
    assert json_writer.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_non_numbers_are_refused() -> None:
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            json_writer.dumps({"x": [bad]})


def test_a_big_document_written_in_chunks_is_still_the_same_text() -> None:
    apps = [
        {"id": f"/g/app-{i}", "args": ["-x", str(i)], "env": {"K": "v"}, "n": i, "f": i / 3}
        for i in range(3_000)
    ]
    value = {"id": "/g", "apps": apps, "nested": [[list(range(50))] * 200]}
    assert json_writer.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def _without_none(value: object) -> object:
    """The reference for `omit_none`, written here: None-valued keys dropped, recursively."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(values, st.integers(0, 3))
def test_omit_none_writes_what_json_dumps_writes_without_the_none_keys(
    value: object, level: int
) -> None:
    expected = json.dumps(_without_none(value), indent=2, ensure_ascii=False)
    got = json_writer.dumps(value, 2, level, omit_none=True)
    assert got == expected.replace("\n", "\n" + "  " * level)


def test_an_object_whose_every_value_is_omitted_is_empty() -> None:
    assert json_writer.dumps({"a": None}, omit_none=True) == "{}"
    assert json_writer.dumps([{"a": None}, None], omit_none=True) == "[\n  {},\n  null\n]"
    assert json_writer.dumps({"a": {"b": None}, "c": 1}, omit_none=True) == (
        '{\n  "a": {},\n  "c": 1\n}'
    )


def test_tuples_and_dict_subclasses_inside_a_list_as_json_writes_them() -> None:
    value = [(1, (2, "x")), OrderedDict(b=(3,), a=OrderedDict()), [()], "s", 1.5]
    assert json_writer.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
    assert json_writer.dumps(value) == (
        "[\n"
        '  [\n    1,\n    [\n      2,\n      "x"\n    ]\n  ],\n'
        '  {\n    "b": [\n      3\n    ],\n    "a": {}\n  },\n'
        "  [\n    []\n  ],\n"
        '  "s",\n'
        "  1.5\n"
        "]"
    )


def test_refusals_name_what_cannot_be_written() -> None:
    with pytest.raises(ValueError, match=r"^nan cannot be written to JSON for a platform$"):
        json_writer.dumps([math.nan])
    with pytest.raises(ValueError, match=r"^-inf cannot be written to JSON for a platform$"):
        json_writer.dumps({"x": -math.inf})
    with pytest.raises(TypeError, match=r"not object$"):
        json_writer.dumps({object(): 1})
    with pytest.raises(TypeError, match=r"^cannot write a set as JSON$"):
        json_writer.dumps({"x": {1}})


def test_strings_outside_the_fast_path_are_still_json_strings() -> None:
    class Name(str):
        pass

    for value in ("top é", Name("sub"), {"k": Name("v\n")}, [Name("a")]):
        assert json_writer.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
