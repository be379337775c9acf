"""JSON -> DSL -> JSON gives back an equal value; DSL -> JSON -> DSL the canonical text;
formatting is idempotent; no text makes the DSL front end raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applc.convert import to_json_text
from applc.frontends.dsl import load_dsl_text
from applc.frontends.dsl.formatter import format_text
from applc.frontends.dsl.loader import parse_dsl
from applc.frontends.dsl.parser import comments as comments_of
from applc.frontends.dsl.printer import to_dsl
from applc.frontends.dsl.syntax import Pairs
from applc.model.fields import CONTAINER, IGNORE_KEY, KINDS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.appliance.json"))


def canonical(v: Any) -> str:
    """JSON-value equality: types kept apart (true is not 1, 1 is not 1.0), key order not."""
    return json.dumps(v, sort_keys=True, ensure_ascii=True)


def pairs_of(v: Any) -> Any:
    """Equality that counts duplicate keys too (and ignores key order)."""
    if isinstance(v, dict):
        return sorted(([k, pairs_of(x)] for k, x in v.items()), key=json.dumps)
    if isinstance(v, list):
        return [pairs_of(x) for x in v]
    return json.dumps(v)


def ordered(v: Any) -> str:
    """Key order and duplicate keys too."""
    return json.dumps(v, ensure_ascii=True)


def dsl_to_value(text: str) -> Any:
    parsed = parse_dsl(text, pairs=True)
    assert not parsed.errors, [
        (e.message, e.start, text[e.start : e.end + 20]) for e in parsed.errors
    ]
    return parsed.value


# -- strategies --------------------------------------------------------------------

awkward_chars = st.characters(exclude_categories=())  # surrogates and controls included
awkward_text = st.one_of(
    st.text(awkward_chars, max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "@",
            "\\@",
            "\\\\@",
            "a\\",
            "\\",
            '"',
            "#",
            "# not a comment",
            "{",
            "}",
            "[",
            "true",
            "false",
            "null",
            "1",
            "-1",
            "1.5",
            "8080/tcp",
            "0:80",
            "a=b",
            "x y",
            "user@example.com",
            "@db:5432",
            "\u2028",
            "\ufeff",
            "\x7f",
            "\ud800",
            "😀",
            "service",
            "job",
            "container",
            "appliance",
            "ignore",
            "image",
            "port",
            "=",
        ]
    ),
)
ids = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    st.sampled_from(["Web_Server", "my app", "5", "true", "null", "a.b", "-x", "x-", "ünï"]),
    awkward_text,
)
keys = st.one_of(
    st.sampled_from([f.name for k in KINDS.values() for f in k.fields]),
    st.sampled_from(
        [
            "cloud",
            "host",
            "depends_on",
            "imgae",
            "$schema",
            IGNORE_KEY,
            "a/b",
            "~",
            "x y",
            "",
            "true",
        ]
    ),
    awkward_text,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    awkward_text,
    ids,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def objects(draw: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """An object with some of `fields` (typical values) and some other keys."""
    out: dict[str, Any] = {}
    for name, strategy in fields.items():
        if draw(st.integers(0, 3)):
            out[name] = draw(
                st.one_of(strategy, json_values) if draw(st.integers(0, 9)) == 0 else strategy
            )
    for _ in range(draw(st.integers(0, 2))):
        out[draw(keys)] = draw(json_values)
    order = draw(st.permutations(list(out)))
    if order and draw(st.integers(0, 5)) == 0:
        # a duplicate key, as a JSON text may have (json.loads keeps the later value)
        result = Pairs.from_pairs([(k, out[k]) for k in order])
        again = draw(st.sampled_from(order))
        result.add(again, draw(st.one_of(fields.get(again, json_values), json_values)))
        return result
    return {k: out[k] for k in order}


ports = objects(
    {
        "container_port": st.integers(-1, 70000),
        "host_port": st.integers(0, 65535),
        "protocol": st.sampled_from(["tcp", "udp", "udp,tcp", "TCP", "", "tcp "]),
        "name": st.one_of(st.none(), awkward_text),
    }
)
volumes = st.one_of(
    objects(
        {
            "src": awkward_text,
            "dest": awkward_text,
            "type": st.sampled_from(["HOST", "PERSISTENT", "host"]),
        }
    ),
    objects(
        {
            "container_path": awkward_text,
            "host_path": awkward_text,
            "mode": st.sampled_from(["RW", "RO"]),
        }
    ),
)
numbers = st.one_of(st.integers(-10, 100000), st.floats(0, 1e6))
containers = objects(
    {
        "id": ids,
        "type": st.sampled_from(["service", "job", "Service", ""]),
        "image": awkward_text,
        "resources": objects({"cpus": numbers, "mem": numbers, "disk": numbers, "gpu": numbers}),
        "cmd": st.one_of(st.none(), awkward_text),
        "args": st.lists(st.one_of(awkward_text, scalars), max_size=4),
        "env": st.dictionaries(keys, st.one_of(awkward_text, scalars), max_size=4),
        "volumes": st.lists(volumes, max_size=3),
        "network_mode": st.sampled_from(["HOST", "BRIDGE", "container", "overlay"]),
        "ports": st.lists(ports, max_size=3),
        "is_privileged": st.booleans(),
        "force_pull_image": st.booleans(),
        "dependencies": st.lists(ids, max_size=3),
        "schedule_hints": objects(
            {"preemptible": st.booleans(), "placement": objects({"cloud": ids, "zone": ids})}
        ),
        "instances": st.integers(0, 5),
        "health_check": objects({f.name: scalars for f in KINDS["health_check"].fields}),
        "retries": st.integers(0, 5),
        "interval": awkward_text,
        IGNORE_KEY: st.dictionaries(awkward_text, st.one_of(awkward_text, scalars), max_size=3),
    }
)
appliances = objects(
    {
        "id": ids,
        "containers": st.lists(st.one_of(containers, json_values), max_size=4),
        "data_persistence": objects(
            {
                "volume_type": st.sampled_from(["cephfs", "nfs"]),
                "volumes": st.lists(
                    objects({"id": ids, "scope": st.sampled_from(["local", "global"])}), max_size=2
                ),
            }
        ),
        "scheduler": objects({"name": awkward_text, "config": json_values}),
    }
)


# -- properties --------------------------------------------------------------------

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(appliances)
def test_json_to_dsl_to_json_gives_an_equal_value(value: dict[str, Any]) -> None:
    text = to_dsl(value)
    back = dsl_to_value(text)
    assert pairs_of(back) == pairs_of(value)
    assert canonical(json.loads(ordered(back))) == canonical(json.loads(ordered(value)))
    # and the DSL text is canonical: printing what it reads gives it back
    assert to_dsl(back) == text


@PROPERTY
@given(appliances)
def test_dsl_to_json_to_dsl_gives_the_canonical_form(value: dict[str, Any]) -> None:
    text = to_dsl(value)
    via_json = json.loads(to_json_text(dsl_to_value(text)), object_pairs_hook=Pairs.from_pairs)
    assert to_dsl(via_json) == text


@PROPERTY
@given(
    appliances,
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["# note", "#", "# a # b", '# "quoted" @ref', "#\ttab"]),
            st.booleans(),
        ),
        max_size=6,
    ),
)
def test_format_is_idempotent_and_keeps_comments(
    value: dict[str, Any], comments: list[tuple[int, str, bool]]
) -> None:
    lines = to_dsl(value).splitlines()
    for at, comment, own_line in comments:
        if not lines:
            lines.append(comment)
            continue
        i = at % len(lines)
        if own_line:
            lines.insert(i, comment)
        else:
            lines[i] = lines[i] + "  " + comment
    text = "\n".join(lines) + "\n"
    once, errors = format_text(text)
    assert not errors and once is not None
    twice, _ = format_text(once)
    assert twice == once
    assert pairs_of(dsl_to_value(once)) == pairs_of(dsl_to_value(text))
    assert sorted(c.text.rstrip() for c in comments_of(once)) == sorted(
        c.text.rstrip() for c in comments_of(text)
    )


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.characters(exclude_categories=()), max_size=80)
    | st.lists(
        st.sampled_from(
            [
                "service",
                "x",
                "{",
                "}",
                "[",
                "]",
                "=",
                ",",
                ":",
                "\n",
                '"a"',
                "1",
                "port",
                "8080/tcp",
                "#c",
                " ",
                "@",
                "\\",
                "resources",
                "cpus=1",
                "ignore",
                "env",
                "-",
                "1e999",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_any_text_gives_a_document_or_a_syntax_finding(text: str) -> None:
    doc = load_dsl_text("x.appl", text)
    assert doc.language == "dsl"
    if doc.value is None:
        assert doc.findings and all(f.code == "APL001" for f in doc.findings)
        for f in doc.findings:
            assert f.span is not None and f.span.line >= 1
    else:
        assert isinstance(doc.value, dict)
        assert all(f.code == "APL002" for f in doc.findings)


# -- every example -----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips(path: Path) -> None:
    value = json.loads(path.read_text(), object_pairs_hook=Pairs.from_pairs)
    text = to_dsl(value)
    back = dsl_to_value(text)
    # The same value, with its keys in the same order and duplicates kept.
    assert ordered(back) == ordered(value)
    assert format_text(text)[0] == text


def test_duplicate_keys_survive_conversion_both_ways() -> None:
    text = '{"id": "a", "containers": [{"id": "x", "resources": {"mem": 1, "mem": 2}}]}'
    value = json.loads(text, object_pairs_hook=Pairs.from_pairs)
    dsl = to_dsl(value)
    assert "resources mem=1 mem=2" in dsl
    back = dsl_to_value(dsl)
    assert json.loads(to_json_text(back)) == json.loads(text)
    assert to_json_text(back).count('"mem"') == 2


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "a", "containers": [{"id": "x"}], "containers": [{"id": "y"}]}',
        '{"containers": [{"ports": [{"container_port": 1}], "ports": [{"container_port": 2}],'
        ' "x-applc-ignore": {"APL301": "a"}, "x-applc-ignore": {"APL302": "b"}}]}',
        '{"containers": [{"id": "x", "type": "job", "id": "y", "type": "service"}]}',
        '{"data_persistence": {"volumes": [{"id": "a"}], "volumes": [{"id": "b", "id": "c"}]}}',
    ],
)
def test_duplicated_list_keys_are_not_merged(text: str) -> None:
    value = json.loads(text, object_pairs_hook=Pairs.from_pairs)
    dsl = to_dsl(value)
    back = dsl_to_value(dsl)
    assert ordered(back) == ordered(value), dsl
    assert canonical(json.loads(ordered(back))) == canonical(json.loads(text)), dsl
    assert to_dsl(back) == dsl


def test_deep_nesting_is_a_syntax_finding_not_a_crash() -> None:
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    doc = load_dsl_text("x.appl", deep)
    assert doc.value is None and doc.findings[0].code == "APL001"
    assert "nesting deeper" in doc.findings[0].message
    # as deep as JSON allows is fine, and as deep is refused as JSON refuses it
    ok = "x = " + "[" * 498 + "]" * 498 + "\n"
    assert load_dsl_text("x.appl", ok).value is not None
    too = "x = " + "[" * 500 + "]" * 500 + "\n"
    assert load_dsl_text("x.appl", too).value is None


def test_deep_values_print_and_read_back() -> None:
    v: Any = 1
    for _ in range(490):
        v = [v]
    value = {"id": "a", "x": v}
    assert canonical(dsl_to_value(to_dsl(value))) == canonical(value)


def test_every_field_of_the_table_round_trips_with_odd_values() -> None:
    odd: list[Any] = [None, True, False, 0, -1, 1.5, "", "x y", [], {}, [1, "a"], {"k": [None]}]
    for f in CONTAINER.fields:
        for v in odd:
            value = {"id": "a", "containers": [{"id": "c", "type": "service", f.name: v}]}
            back = dsl_to_value(to_dsl(value))
            assert canonical(back) == canonical(value), (f.name, v, to_dsl(value))
