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
