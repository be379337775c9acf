"""What the fuzzer (tests/fuzz/fuzz.py) and the benchmark (benchmarks/run.py) found.

Each test pins one finding. The old behaviour was quadratic or worse, so each test times
the operation on an input and on one four times its size and bounds the ratio
(tests/support/growth.py): no wall-clock limit, which a shared machine would break. The
inputs of the growth measurements stay under a few MB, where memory itself still
costs the same per byte; the real sizes are checked for the right answer.
"""

from __future__ import annotations

import json

import pytest

from applc.api import lint_text
from applc.config import Settings
from applc.frontends.json_scanner import JsonIndex, JsonSyntaxError, scan
from applc.rules.context import Suggester, did_you_mean
from tests.conftest import EXAMPLES
from tests.support.growth import assert_linear


def _app(containers: list[dict], **top) -> str:
    return json.dumps({"id": "app", **top, "containers": containers}, indent=1)


def _svc(cid: str, **extra) -> dict:
    return {
        "id": cid,
        "type": "service",
        "image": "nginx:1.25",
        "resources": {"cpus": 1, "mem": 256},
        "network_mode": "CONTAINER",
        **extra,
    }


# --- found by the fuzzer ----------------------------------------------------------------


def test_string_offsets_in_a_huge_string_are_found_without_rescanning_it():
    """A 50 MB string with 50,000 stray `@` never finished: each finding's column was
    found by walking the string from its start in Python."""

    def make(k: int) -> tuple[JsonIndex, range]:
        text = '{"cmd": "' + ("x" * 999 + "@") * k + '"}'  # k findings, 1,000 apart
        index = JsonIndex(text)
        index.string_offset("/cmd", 0)  # the one scan of the string is not what is timed
        return index, range(999, len(text) - 11, 1000)

    def offsets(case: tuple[JsonIndex, range]) -> list[int | None]:
        index, indexes = case
        return [index.string_offset("/cmd", i) for i in indexes]

    body = ("x" * 999 + "@") * 5_000  # 5 MB, 5,000 findings
    text = '{"cmd": "' + body + '"}'
    indexes = range(999, len(body), 1000)
    for index in (JsonIndex(text), scan(text)):
        assert [index.string_offset("/cmd", i) for i in indexes] == [9 + i for i in indexes]
    assert_linear(make, offsets, 1_000)


def test_string_offsets_count_escapes_and_surrogate_pairs():
    value = 'a\\"b\\u00e9\\ud83d\\ude00c\\\\@d'
    text = '{"k": "' + value + '"}'
    decoded = json.loads('"' + value + '"')
    assert decoded == 'a"bé\U0001f600c\\@d'
    index = JsonIndex(text)
    expected = [7, 8, 10, 11, 17, 29, 30, 32, 33, 34]  # each decoded character, then past
    assert [index.string_offset("/k", i) for i in range(len(decoded) + 1)] == expected
    assert [scan(text).string_offset("/k", i) for i in range(len(decoded) + 1)] == expected


def test_scanning_a_huge_string_keeps_no_backtracking_state():
    """The scanner (which explains syntax errors) matched strings with a regex that kept
    a frame per character: a 50 MB string took 6 GB and 15 s."""

    def make(n: int) -> str:
        return '{"a": "' + "x" * n + '", }'

    def explain(text: str) -> str:
        with pytest.raises(JsonSyntaxError) as err:
            scan(text)
        return err.value.message

    assert "trailing comma" in explain(make(20_000_000))
    assert_linear(make, explain, 100_000)


def test_a_huge_invalid_value_is_not_compared_with_every_option():
    """difflib on a 50 MB `network_mode` (or key, or reference) took seconds per call;
    no option can be that close to something that long."""

    def make(n: int) -> str:
        value = "x" * n
        return _app([_svc("web", network_mode=value, env={"U": "@" + value})])

    _, diags = lint_text("huge.json", make(20_000_000))
    assert {d.code for d in diags} >= {"APL104", "APL201"}
    assert_linear(make, lambda text: lint_text("huge.json", text), 100_000)
    assert did_you_mean("x" * 1000, ["HOST", "BRIDGE"]) is None
    assert did_you_mean("BRIGDE", ["HOST", "BRIDGE"]) == "BRIDGE"


@pytest.mark.parametrize(
    "text, spans",
    [
        # A duplicate inside a value that a later duplicate of its parent key replaced: only
        # the full scan still sees it, and the finding points at it, not at its parent.
        ('{"id": "a", "containers": [], "x": {"k": 1, "k": 2}, "x": 3}', {(1, 45), (1, 54)}),
        ('[{"": {"": null, "": null}, "": null}]', {(1, 18), (1, 29)}),
    ],
)
def test_duplicate_keys_inside_a_replaced_value_point_at_the_key(text, spans):
    diags = lint_text("dup.json", text)[1]
    assert {(d.span.line, d.span.column) for d in diags if d.code == "APL002"} == spans


def test_reference_scanning_is_linear_in_the_string():

    def make(k: int) -> str:
        body = ("x" * 95 + " @db ") * k  # k references
        return _app([_svc("db"), _svc("api", env={"DB": body}, dependencies=["db"])])

    assert lint_text("refs.json", make(2_000))[1] == []
    assert_linear(make, lambda text: lint_text("refs.json", text), 2_000)


def test_full_output_of_a_finding_on_a_huge_value_is_quick():
    from applc.formatters import Report
    from applc.formatters.full import render

    def make(n: int) -> Report:
        text = _app([_svc("web", resources={"cpus": "1" * n, "mem": 256})])
        doc, diags = lint_text("big.json", text)
        return Report(diags, {doc.source.path: doc.source}, 1)

    assert "APL103" in render(make(10_000_000), False)
    assert_linear(make, lambda report: render(report, False), 100_000)


@pytest.mark.parametrize("fmt", ["full", "rdjson", "junit"])
def test_many_findings_on_one_huge_line_render_in_linear_time(fmt):
    """`applc lint --fix` of a 100 MB file never finished: `full` copied the whole 50 MB
    line for each of its 50,000 findings (rdjson did the same to count bytes, junit
    checked every character of every message in Python)."""
    import importlib

    from applc.formatters import Report

    def make(k: int) -> Report:
        body = ("é" + "x" * 998 + "@") * k  # k findings on one line of 1,000k characters
        text = _app([_svc("web", cmd=body)])  # indented: the long line is a part of the text
        doc, diags = lint_text("big.json", text)
        assert sum(d.code == "APL203" for d in diags) == k
        return Report(diags, {doc.source.path: doc.source}, 1)

    render = importlib.import_module(f"applc.formatters.{fmt}").render
    assert render(make(8_000), False).count("APL203") >= 8_000
    assert_linear(make, lambda report: render(report, False), 100)


def test_explaining_a_bad_escape_at_the_end_of_a_huge_string_is_quick():
    """A 50 MB string of escapes with a bad one at its end: the scanner that explains
    the syntax error walked it one character at a time in Python (6 s)."""

    def make(n: int) -> str:
        return '{"id": "a", "cmd": "' + "\\\\n" * n + '\\q"}'

    text = make(2_000_000)
    _, [diag] = lint_text("big.json", text)
    assert diag.message == "invalid escape `\\q` in a string"
    assert (diag.span.line, diag.span.column) == (1, text.index("\\q") + 1)
    assert_linear(make, lambda text: lint_text("big.json", text), 100_000)


# --- found by the benchmark ------------------------------------------------------------


def test_references_along_a_long_dependency_chain_stay_linear():
    """Each job of a 20,000-long chain refers to its database two hops away; a
    depth-first search walked the whole chain behind it first (quadratic)."""

    def make(n: int) -> str:
        containers = []
        previous = None
        for i in range(n):
            containers.append(_svc(f"db{i}"))
            deps = [f"db{i}"] + ([previous] if previous else [])
            containers.append(_svc(f"migrate{i}", dependencies=deps))
            containers.append(
                _svc(f"backup{i}", cmd=f"pg_dump -h @db{i}", dependencies=[f"migrate{i}"])
            )
            previous = f"migrate{i}"
        return _app(containers)

    _, diags = lint_text("chain.json", make(1_000))
    assert not [d for d in diags if d.code == "APL202"]
    assert_linear(make, lambda text: lint_text("chain.json", text), 750)


def test_suggestions_for_misspelt_ids_stay_linear_in_the_containers():

    def make(n: int) -> Suggester:
        return Suggester([f"svc-{i}-api" for i in range(n)])

    words = [f"svc-{i}-apj" for i in range(0, 7_500, 75)]  # 100 distinct typos

    def guess(suggest: Suggester) -> list[str | None]:
        return [suggest.closest(w) for w in words]

    assert guess(make(30_000)) == [w[:-1] + "i" for w in words]
    assert_linear(make, guess, 7_500)
    small = Suggester(["zookeeper", "kafka"])
    assert small.closest("zookeper") == did_you_mean("zookeper", ["zookeeper", "kafka"])


def test_many_suppressions_stay_linear():
    """Every container with its own `x-applc-ignore` and a finding it suppresses: each
    finding was checked against every directive in the file."""

    def make(n: int) -> str:
        containers = [
            _svc(
                f"agent{i}",
                is_privileged=True,
                **{"x-applc-ignore": {"APL301": "a Mesos agent needs the host"}},
            )
            for i in range(n)
        ]
        return _app(containers)

    settings = Settings(select=("APL301", "APL090"))
    assert lint_text("ignored.json", make(2_000), settings)[1] == []
    assert_linear(make, lambda text: lint_text("ignored.json", text, settings), 1_000)


def test_the_examples_lint_the_same_through_the_position_index(monkeypatch):
    """Positions come from the on-demand index now; the full scan gives the same."""
    import applc.frontends.json_loader as loader

    texts = {p: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.json"))}
    indexed = {p: lint_text(str(p), t)[1] for p, t in texts.items()}
    monkeypatch.setattr(loader, "JsonIndex", lambda text, duplicates=False: scan(text))
    for p, t in texts.items():
        assert lint_text(str(p), t)[1] == indexed[p], p.name
