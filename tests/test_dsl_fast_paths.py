"""The DSL's fast road: the line reader (fast.py) and the lazy locator.

What the fast reader accepts it must read exactly as the full road (parser.py and
builder.py) does: the same JSON value, key order and types included, and the same
position for every pointer. What it declines goes the full road. These tests hold the
two roads together on the examples, generated appliances, random appliances and
mutated texts, and pin the paths that make the DSL front end fast: a clean file is read
without the LALR parser, and a finding parses only the statement it points into.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from applc.frontends.dsl import fast, load_dsl_text, parser
from applc.frontends.dsl.loader import parse_dsl
from applc.frontends.dsl.locator import DslLocator, LazyDslLocator
from applc.frontends.dsl.printer import to_dsl
from applc.source import escape_token, lone_cr_as_lf
from tests.test_dsl_roundtrip import appliances

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.appl"))


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks/generate.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generated(n: int, findings: bool = False) -> str:
    gen = _generator()
    app = gen.generate(n)
    if findings:
        gen.add_findings(app)
    return to_dsl(json.loads(gen.dump_json(app)))


def pointers(value: Any, base: str = "") -> list[str]:
    out = [base]
    if isinstance(value, dict):
        for k, v in value.items():
            out += pointers(v, base + "/" + escape_token(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += pointers(v, f"{base}/{i}")
    return out


def same_positions(text: str, lazy: LazyDslLocator, eager: DslLocator, value: Any) -> None:
    extra = ["/nope", "/containers/99", "/containers/01", "/containers/x", "/id/0"]
    for p in pointers(value) + extra:
        assert lazy.value_range(p) == eager.value_range(p), p
        assert lazy.key_range(p) == eager.key_range(p), p
        assert lazy.first_key_range(p) == eager.first_key_range(p), p
        node = eager._find(p)[2]
        width = node[1] - node[0] if type(node) is tuple else 1
        for i in range(width + 1):
            assert lazy.string_offset(p, i) == eager.string_offset(p, i), (p, i)


def both_roads(text: str, positions: bool = True) -> bool:
    """True when the fast reader took `text`; then it must agree with the full road."""
    lf = lone_cr_as_lf(text)
    got = fast.read(lf)
    if got is None:
        return False
    full = parse_dsl(text)
    assert not full.errors, [(e.message, e.start) for e in full.errors]
    assert not full.duplicates
    # json.dumps tells key order, true from 1 and 1 from 1.0
    assert json.dumps(got.value) == json.dumps(full.value)
    if positions:
        assert full.root is not None
        same_positions(lf, LazyDslLocator(lf, got.tops), DslLocator(lf, full.root), full.value)
    return True


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_read_the_same_on_both_roads(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    taken = both_roads(text)
    # broken.appl has mistakes only the full road explains; the others read fast
    assert taken == (path.name != "broken.appl")


def test_generated_appliances_read_the_same_on_both_roads() -> None:
    assert both_roads(generated(40))
    assert both_roads(generated(120, findings=True))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(appliances)
def test_random_appliances_read_the_same_on_both_roads(value: dict[str, Any]) -> None:
    both_roads(to_dsl(value))


# Layouts the printer never writes, each read by one road or the other, never wrongly.
HAND_WRITTEN = [
    "",
    "\n\n# only a comment\n",
    "appliance x",
    'appliance x\r\nservice a {\r\n  image "i"\r\n}\r\n',
    'appliance x\rservice a {\r  image "i"\r}\r',
    'service a {\n  image "x" }\n',
    "service a { }\n",
    "service a{\n}\n",
    'service "a b" {\n  image "x"#c\n}\n',
    "service a {\n  resources cpus = 1 mem= 2\n}\n",
    "service a {\n  resources cpus=1 {\n    mem 2\n  }\n}\n",
    "service a {\n  port 80 {\n    name x\n  }\n  port 0:81/udp,tcp name=y\n}\n",
    "service a {\n  port 8080x\n}\n",
    "service a {\n  port 80.5\n  port -1\n  port 1e2\n}\n",
    "service a {\n  image 8080/tcp\n}\n",
    'service a {\n  args 1 true null x "y"\n  depends\n}\n',
    'service a {\n  args = [1, [2, {a: 3, "b": [ ], }], ]\n}\n',
    "service a {\n  args = [\n    1, # one\n    2\n  ]\n"
    '  env {\n    A = {\n      "k": 1,\n    }\n  }\n}\n',
    "service a {\n  args = [1 2]\n}\n",
    "service a {\n  args = [1,,2]\n}\n",
    "service a {\n  args = [,]\n}\n",
    "service a {\n  env = {a: 1, a: 2}\n}\n",
    "service a {\n  env { A = 1\n  }\n}\n",
    'service a {\n  env {\n    image "x"\n  }\n}\n',
    'service a {\n  imgae "x"\n}\n',
    'service a {\n  image "x"\n  image "y"\n}\n',
    "service a {\n  privileged\n  privileged false\n}\n",
    "service a {\n  is_privileged x=1\n}\n",
    "service a {\n  volume a\n  volume a b mode=RO\n}\n",
    'service a {\n  volume container_path="/a" host_path="/b"\n}\n',
    "service a b {\n}\n",
    "job 5 {\n}\ncontainer c\n",
    'ignore APL301 "why"\nignore "APL302" 5\nservice a {\n  ignore APL245 "r"\n}\n',
    'ignore 301 "why"\n',
    'ignore APL301 "why"\nignore APL301 "again"\n',
    'x-applc-ignore = {}\nignore APL301 "why"\n',
    '"$schema" = "s"\n"id" = "x"\ncloud = aws\n',
    "data_persistence {\n  volume_type cephfs\n  volume v1 scope=local\n  volume v2\n}\n",
    "n = 1e999\n",
    "n = -0\nm = 0.0\nk = 01\n",
    "n = " + "9" * 5000 + "\n",
    's = "\\u00e9\\@x\\\\@y\\n"\n',
    's = "\\ud800"\n',
    "a = b = c\n",
    "a == 1\n",
    "}\n",
    "service a {\n",
    "service a {\n  x = [\n",
    "x = " + "[" * 70 + "]" * 70 + "\n",
    "x = " + "[{a: " * 20 + "1" + "}]" * 20 + "\n",
    "a\u00a0= 1\n",
    "a = 'x'\n",
    "\ufeffa = 1\n",
    "appliance x\nappliance y\n",
    "service a {\n}\nscheduler {\n  name x\n  config = {a: [1]}\n}\ncontainers = []\n",
]


@pytest.mark.parametrize("text", HAND_WRITTEN)
def test_hand_written_layouts(text: str) -> None:
    both_roads(text)


def _mutate(rng: random.Random, text: str) -> str:
    pieces = ['"', "\\", "{", "}", "[", "]", "=", ",", ":", "#", "\n", " ", "x", "1", "@", "-"]
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(4)
        if op == 0:
            text = text[:i] + rng.choice(pieces) + text[i:]
        elif op == 1:
            text = text[:i] + text[i + 1 :]
        elif op == 2:
            lines = text.split("\n")
            j = rng.randrange(len(lines))
            lines.insert(j, lines[rng.randrange(len(lines))])
            text = "\n".join(lines)
        else:
            j = rng.randrange(len(text) + 1)
            a, b = sorted((i, j))
            text = text[:a] + text[b:]
    return text


def test_mutated_texts_read_the_same_on_both_roads() -> None:
    rng = random.Random(13)
    seeds = [p.read_text(encoding="utf-8") for p in EXAMPLES] + [
        generated(6),
        *HAND_WRITTEN[8:20],
    ]
    taken = 0
    for _ in range(1500):
        taken += both_roads(_mutate(rng, rng.choice(seeds)), positions=rng.random() < 0.2)
    assert taken > 100  # many mutations keep a text the fast reader takes


def test_token_patterns_are_the_grammars() -> None:
    grammar = (ROOT / "applc/frontends/dsl/grammar.lark").read_text(encoding="utf-8")
    written = dict(re.findall(r"(?m)^([A-Z]+)(?:\.\d+)?: /(.*)/$", grammar))
    for name in ("STRING", "NUMBER", "PORT", "WORD", "WS"):
        assert written[name] == getattr(fast, name) + ("+" if name == "WS" else ""), name


# -- the paths that keep it fast ------------------------------------------------------


class _Count:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = parser.parse

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(parser, "parse", counting)


def test_a_clean_document_is_read_without_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    count = _Count(monkeypatch)
    text = generated(200)
    doc = load_dsl_text("big.appl", text)
    assert doc.value is not None and len(doc.value["containers"]) >= 200
    assert isinstance(doc.source.locator, LazyDslLocator)
    assert count.calls == 0


def test_a_finding_parses_only_its_container(monkeypatch: pytest.MonkeyPatch) -> None:
    from applc.api import lint_text

    text = generated(200)
    value = json.loads(json.dumps(load_dsl_text("a.appl", text).value))
    victim = value["containers"][57]
    lines = text.split("\n")
    at = lines.index(f"{'job' if victim.get('type') == 'job' else 'service'} {victim['id']} {{")
    lines.insert(at + 1, '  imgae = "typo"')
    count = _Count(monkeypatch)
    doc, diags = lint_text("a.appl", "\n".join(lines))
    typo = [d for d in diags if d.code == "APL102"]
    assert len(typo) == 1 and typo[0].span.line == at + 2
    # Only the containers that hold a finding are read again for positions (the typo's,
    # and those of the legacy volumes' infos), each once: not the file; and by the line
    # reader, not the LALR parser.
    held = {d.pointer.split("/")[2] for d in diags}
    assert all(d.pointer.startswith("/containers/") for d in diags)
    assert "57" in held and len(held) < 50
    assert isinstance(doc.source.locator, LazyDslLocator)
    assert doc.source.locator.parsed == len(held)
    assert count.calls == 0


def test_lint_of_a_clean_appl_file_does_not_import_lark(tmp_path: Path) -> None:
    path = tmp_path / "big.appl"
    path.write_text(generated(30), encoding="utf-8")
    driver = (
        "import sys; from applc.cli import main; sys.argv = ['applc', 'lint', sys.argv[1]]\n"
        "try:\n    main()\nfinally:\n"
        "    print('LARK' if any(m.split('.')[0] == 'lark' for m in sys.modules) else 'NONE')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", driver, str(path)], capture_output=True, text=True, timeout=120
    )
    assert "APL245" in proc.stdout  # it linted, with findings that needed positions
    assert proc.stdout.rstrip().endswith("NONE"), proc.stdout[-300:]


def test_a_document_with_a_mistake_takes_the_full_road() -> None:
    text = generated(20).replace("service", "servic", 1)
    doc = load_dsl_text("a.appl", text)
    assert doc.value is None
    assert [f.code for f in doc.findings] == ["APL001"]
    assert not isinstance(doc.source.locator, LazyDslLocator)


def test_suppressions_are_collected_only_from_texts_that_can_hold_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import applc.lint
    from applc.api import lint_text

    walks = 0
    real = applc.lint.collect_directives

    def counting(value: Any) -> Any:
        nonlocal walks
        walks += 1
        return real(value)

    monkeypatch.setattr(applc.lint, "collect_directives", counting)
    typo = (
        'appliance a\nservice a {\n  image "nginx:1.25"\n  resources cpus=1 mem=512\n'
        '  imgae = "x"\n'
    )
    # No `ignore` anywhere: no walk over the value, and the finding stays.
    _, diags = lint_text("a.appl", typo + "}\n")
    assert walks == 0 and [d.code for d in diags] == ["APL102"]
    # Each way of writing the suppression is found: a statement, the key, and the key
    # spelt with an escape, in the DSL and in JSON.
    for text in (
        typo + '  ignore APL102 "why"\n}\n',
        typo + '  x-applc-ignore = {APL102: "why"}\n}\n',
        typo + '  "x-applc-ign\\u006fre" = {APL102: "why"}\n}\n',
    ):
        _, diags = lint_text("a.appl", text)
        assert diags == [], text
    c = {"id": "a", "type": "service", "image": "nginx:1.25", "resources": {"cpus": 1, "mem": 512}}
    value = {"id": "a", "containers": [c]}
    c["imgae"] = "x"
    c["x-applc-ignore"] = {"APL102": "why"}
    escaped = json.dumps(value).replace("ign" + "ore", "ign\\u006fre")
    assert "x-applc-ignore" not in escaped
    _, diags = lint_text("a.appliance.json", escaped)
    assert diags == []
    assert walks == 4


# -- the language server's re-read after an edit ---------------------------------------


def test_an_edit_re_reads_the_same_as_reading_the_whole_text() -> None:
    rng = random.Random(5)
    base = generated(30)
    old = fast.read(base)
    assert old is not None
    taken = 0
    for _ in range(400):
        i = rng.randrange(len(base))
        j = min(len(base), i + rng.choice((0, 0, 1, 3, 40)))
        text = (
            base[:i]
            + rng.choice(["", "x", "1", '"', "}", "\n", " ", "@a", "\n  cmd x\n"])
            + base[j:]
        )
        again = fast.reread(base, old, text)
        if again is None:
            continue
        taken += 1
        full = parse_dsl(text)
        assert not full.errors and not full.duplicates
        assert json.dumps(again.value) == json.dumps(full.value)
        assert full.root is not None
        if taken % 10 == 0:
            same_positions(
                text, LazyDslLocator(text, again.tops), DslLocator(text, full.root), full.value
            )
        else:  # the statements' starts are enough to tell the tops apart
            assert again.tops == fast.read(text).tops  # type: ignore[union-attr]
    assert taken > 80  # most edits that keep the text clean stay in one statement


def test_the_server_reads_again_only_the_container_typed_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from applc.server.analysis import ConfigStore, analyse

    text = generated(200)
    path = str(tmp_path / "big.appl")
    store = ConfigStore()
    first = analyse("file://big", 1, path, text, store)
    at = text.index("@", len(text) // 2) + 1
    edited = text[:at] + "x" + text[at:]  # `@db` becomes `@xdb`, an unknown reference
    read: list[int] = []
    real = fast._read

    def counting(t: str) -> Any:
        read.append(len(t))
        return real(t)

    monkeypatch.setattr(fast, "_read", counting)
    second = analyse("file://big", 2, path, edited, store, first)
    assert len(read) == 1 and read[0] < 2000  # one container's text, not the file's
    monkeypatch.setattr(fast, "_read", real)
    whole = analyse("file://big", 2, path, edited, store)
    assert second.diagnostics == whole.diagnostics
    assert any(d.code == "APL201" for d in second.diagnostics)
    assert second.lsp_diagnostics("utf-16") == whole.lsp_diagnostics("utf-16")
