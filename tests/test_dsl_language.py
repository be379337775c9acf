"""The DSL as a user writes it: what a text means, where findings point, and the errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from applc.api import lint_text
from applc.config import Settings
from applc.convert import convert, load
from applc.frontends.dsl import load_dsl_text
from applc.frontends.json_loader import load_json_text
from applc.rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

SKETCH = """\
appliance mesos

# the coordination service the master and agents find through @zookeeper
service zookeeper {
  image "heliumdatacommons/zookeeper"
  resources cpus=1 mem=1024 disk=4096
  network container
  privileged
  port 0:2181/tcp
}

service mesos-master {
  image "heliumdatacommons/mesos-master"
  resources cpus=1 mem=1024
  network container
  privileged
  port 0:5050/tcp
  args "--ip=0.0.0.0" "--zk=zk://@zookeeper:2181/mesos" "--quorum=1"
  depends zookeeper
}
"""


def value_of(text: str) -> object:
    doc = load_dsl_text("x.appl", text)
    assert doc.value is not None, [(f.message, f.span) for f in doc.findings]
    return doc.value


def errors_of(text: str) -> list[tuple[int, int, str, str | None]]:
    doc = load_dsl_text("x.appl", text)
    assert doc.value is None
    return [
        (f.span.line, f.span.column, f.message, f.help) for f in doc.findings if f.span is not None
    ]


def lint_codes(path: str, text: str) -> list[str]:
    return sorted(d.code for d in lint_text(path, text, Settings())[1])


def test_the_sketch_of_the_issue_reads_as_the_tutorial_json() -> None:
    assert value_of(SKETCH) == {
        "id": "mesos",
        "containers": [
            {
                "id": "zookeeper",
                "type": "service",
                "image": "heliumdatacommons/zookeeper",
                "resources": {"cpus": 1, "mem": 1024, "disk": 4096},
                "network_mode": "container",
                "is_privileged": True,
                "ports": [{"container_port": 2181, "host_port": 0, "protocol": "tcp"}],
            },
            {
                "id": "mesos-master",
                "type": "service",
                "image": "heliumdatacommons/mesos-master",
                "resources": {"cpus": 1, "mem": 1024},
                "network_mode": "container",
                "is_privileged": True,
                "ports": [{"container_port": 5050, "host_port": 0, "protocol": "tcp"}],
                "args": ["--ip=0.0.0.0", "--zk=zk://@zookeeper:2181/mesos", "--quorum=1"],
                "dependencies": ["zookeeper"],
            },
        ],
    }
    assert load_dsl_text("x.appl", SKETCH).language == "dsl"


def test_generic_keys_any_value_and_quoted_names() -> None:
    text = (
        '"$schema" = "https://example.com/s.json"\n'
        "appliance a\n"
        "container {\n"
        "  id 5\n"
        '  type "Service"\n'
        '  "my key" = {"a": [1, 2.5, true, null], "b": {}}\n'
        "  cloud = aws\n"
        "  env {\n"
        '    "X Y" = 1\n'
        '    EMPTY = ""\n'
        "  }\n"
        "}\n"
        'service "Web Server" {}\n'
    )
    assert value_of(text) == {
        "$schema": "https://example.com/s.json",
        "id": "a",
        "containers": [
            {
                "id": 5,
                "type": "Service",
                "my key": {"a": [1, 2.5, True, None], "b": {}},
                "cloud": "aws",
                "env": {"X Y": 1, "EMPTY": ""},
            },
            {"id": "Web Server", "type": "service"},
        ],
    }


def test_true_is_not_one_and_absent_is_not_empty() -> None:
    v = value_of(
        "appliance a\nservice x {\n  privileged\n  instances 1\n  args = []\n"
        '  cmd null\n  x = "true"\n}\n'
    )
    c = v["containers"][0]  # type: ignore[index]
    assert c["is_privileged"] is True and c["instances"] == 1 and type(c["instances"]) is int
    assert c["args"] == [] and c["cmd"] is None and c["x"] == "true"
    assert "env" not in c


def test_escapes_and_the_literal_at_sign() -> None:
    v = value_of('a = "admin\\@example.com \\"q\\" \\u00e9 \\ud83d\\ude00 \\\\ \\n"\n')
    assert v == {"a": 'admin\\@example.com "q" é 😀 \\ \n'}


def test_a_literal_at_sign_is_not_a_reference_and_help_says_backslash_at() -> None:
    base = 'appliance a\nservice web {\n  image "nginx:1.25.3"\n  resources cpus=1 mem=128\n'
    clean = lint_text("x.appl", base + '  env {\n    MAIL = "admin\\@example.com"\n  }\n}\n')[1]
    assert not [d for d in clean if d.code in ("APL201", "APL203")]
    diags = lint_text("x.appl", base + '  env {\n    MAIL = "admin@example.com"\n  }\n}\n')[1]
    ref = next(d for d in diags if d.code == "APL201")
    # the finding points at `@example` inside the string, on line 6
    assert (ref.span.line, ref.span.column, ref.span.end_column) == (6, 18, 26)
    assert ref.help is not None and "`\\@`" in ref.help and "\\\\@" not in ref.help


def test_positions_point_into_the_appl_file() -> None:
    text = (EXAMPLES / "broken.appl").read_text()
    diags = lint_text("broken.appl", text, Settings())[1]
    lines = text.splitlines()

    def at(code: str) -> str:
        d = next(d for d in diags if d.code == code)
        line = lines[d.span.line - 1]
        return line[d.span.column - 1 : d.span.end_column - 1]

    assert at("APL201") == "@zookeper"
    assert at("APL102") in ("imgae", "depends_on")
    assert at("APL002") == "mem"
    assert at("APL104") == "overlay"
    assert at("APL221") == "70000"
    assert at("APL103") == '"2"'
    assert at("APL105") == "Web_Server"
    assert at("APL301") == "privileged"
    dup = next(d for d in diags if d.code == "APL002")
    assert dup.labels and dup.labels[0].message == "first defined here"


@pytest.mark.parametrize("name", ["broken", "mesos", "workflow", "spark", "jupyter"])
def test_examples_lint_the_same_in_both_forms(name: str) -> None:
    json_text = (EXAMPLES / f"{name}.appliance.json").read_text()
    dsl_text = (EXAMPLES / f"{name}.appl").read_text()
    assert lint_codes(f"{name}.appl", dsl_text) == lint_codes(f"{name}.json", json_text)


@pytest.mark.parametrize("name", ["broken", "mesos", "workflow", "spark", "jupyter"])
def test_examples_appl_are_what_the_converter_writes(name: str) -> None:
    src = EXAMPLES / f"{name}.appliance.json"
    expected = convert(load(str(src), src.read_bytes()), "dsl")
    assert (EXAMPLES / f"{name}.appl").read_text() == expected


RULE_EXAMPLES = [
    (r.code, kind, text)
    for r in all_rules()
    for kind, text in (("fails", r.fails), ("passes", r.passes))
    if text
]


# A JSON syntax error (APL001's failing example) has no value to write as DSL, and the
# import rules' examples (APL5xx) are compose or Marathon files, not appliances.
IMPORTED = {r.code for r in all_rules() if r.example_importer is not None}
DSL_EXAMPLES = [e for e in RULE_EXAMPLES if e[:2] != ("APL001", "fails") and e[0] not in IMPORTED]


@pytest.mark.parametrize(
    "code,kind,text", DSL_EXAMPLES, ids=[f"{c}-{k}" for c, k, _ in DSL_EXAMPLES]
)
def test_rule_examples_lint_the_same_in_the_dsl(code: str, kind: str, text: str) -> None:
    doc = load_json_text("example.json", text)
    assert isinstance(doc.value, dict), "only APL001's failing example may be unreadable"
    dsl = convert(load("example.json", text.encode()), "dsl")
    assert lint_codes("example.appl", dsl) == lint_codes("example.json", text), dsl


def test_suppressions_have_a_dsl_form() -> None:
    text = (
        'appliance a\nservice web {\n  image "nginx:1.25.3"\n  resources cpus=1 mem=128\n'
        '  privileged\n  ignore APL301 "it manages the host"\n  ignore APL999 "no such"\n}\n'
    )
    diags = lint_text("x.appl", text)[1]
    assert "APL301" not in {d.code for d in diags}
    bad = next(d for d in diags if d.code == "APL091")
    assert (bad.span.line, bad.span.column) == (7, 10)


def test_duplicates_are_apl002_at_the_later_key() -> None:
    text = (
        'appliance a\nservice web {\n  image "a:1"\n  image "b:2"\n  resources cpus=1 mem=128\n}\n'
    )
    doc = load_dsl_text("x.appl", text)
    assert doc.value["containers"][0]["image"] == "b:2"  # type: ignore[index]
    (dup,) = [f for f in doc.findings if f.code == "APL002"]
    assert doc.source.locate(dup.loc.pointer, "key").line == 4
    assert doc.source.locate(dup.loc.pointer, "first_key").line == 3


@pytest.mark.parametrize(
    "text,line,col,words",
    [
        ('service web {\n  imgae "redis:7"\n}\n', 2, 3, "did you mean `image`?"),
        ("service web {\n  depends_on db\n}\n", 2, 3, "did you mean `depends`?"),
        ("service web {\n  5\n}\n", 2, 3, "expected a field such as `image` or `resources`"),
        ("service web {\n  image nginx:1.25\n}\n", 2, 14, 'write "nginx:1.25" in double quotes'),
        ('service web {\n  image: "x"\n}\n', 2, 8, "without `:`"),
        ('service web {\n  image "x\n}\n', 2, 9, "unterminated string"),
        ('service web {\n  image "x"\n', 3, 1, "the block opened at 1:13 is never closed"),
        ("a = [1, 2\nb = 1\n", 2, 1, "separate the items of a list or object with `,`"),
        ("a = 'x'\n", 1, 5, "double quotes"),
        ('a = "\\q"\n', 1, 6, "invalid escape `\\q`"),
        ('service web {\n  args "--zk" @zk:2181\n}\n', 2, 15, 'write "@zk:2181" in double quotes'),
        ("a = 1e999\n", 1, 5, "overflows to infinity"),
        ("a = 01\n", 1, 5, "leading zeros"),
        ("}\n", 1, 1, "no block is open"),
        ("a =\n", 1, 4, "expected a value"),
        ('service web {\n  env {\n    A "1"\n  }\n}\n', 3, 5, "`NAME = value`"),
    ],
)
def test_syntax_errors_say_where_and_what_in_words(
    text: str, line: int, col: int, words: str
) -> None:
    errors = errors_of(text)
    assert errors, text
    ln, c, message, help = errors[0]
    assert (ln, c) == (line, col), errors
    assert words in message + " " + (help or ""), errors
    assert "WORD" not in message and "LSQB" not in message and "_NL" not in message


def test_lark_is_not_imported_for_json() -> None:
    code = (
        "import sys\n"
        "from applc.api import lint_text\n"
        "lint_text('a.json', open(sys.argv[1]).read())\n"
        "assert 'lark' not in sys.modules, 'lark was imported'\n"
        "lint_text('a.appl', open(sys.argv[2]).read())\n"
        "assert 'lark' in sys.modules\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(EXAMPLES / "mesos.appliance.json"),
            # a file with mistakes: the full road, which explains them with lark (a clean
            # file is read without it, tests/test_dsl_fast_paths.py)
            str(EXAMPLES / "broken.appl"),
        ],
        check=True,
    )


def test_json_value_of_every_example_is_the_value_of_its_appl() -> None:
    for name in ["broken", "mesos", "workflow", "spark", "jupyter"]:
        j = json.loads((EXAMPLES / f"{name}.appliance.json").read_text())
        d = load_dsl_text("x.appl", (EXAMPLES / f"{name}.appl").read_text()).value
        assert json.dumps(d, sort_keys=True) == json.dumps(j, sort_keys=True)
