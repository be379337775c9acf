"""`applc graph`: dependency edges and reference edges drawn apart, cycles highlighted."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES, run_cli


def test_dot_draws_dependencies_solid_and_references_dashed():
    run = run_cli(["graph", str(EXAMPLES / "workflow.appliance.json")])
    assert run.code == 0
    out = run.stdout
    assert out.startswith('digraph "workflow" {\n') and out.endswith("}\n")
    assert '  "chronos" -> "zookeeper";\n' in out
    assert '  "chronos" -> "zookeeper" [style=dashed, label="@"];\n' in out
    assert '  "vacuum" -> "db" [style=dashed, label="@"];\n' in out  # a reference only
    assert '  "migrate" [shape=ellipse];\n' in out  # jobs look different
    assert "red" not in out  # no cycle


def test_cycles_and_missing_containers_are_highlighted():
    run = run_cli(["graph", str(EXAMPLES / "broken.appliance.json")])
    assert run.code == 0
    out = run.stdout
    assert '  "api" -> "worker" [color=red, penwidth=2];\n' in out
    assert '  "worker" -> "api" [color=red, penwidth=2];\n' in out
    assert '  "api" [color=red, penwidth=2];\n' in out
    assert '  "api" -> "db";\n' in out  # not on the cycle
    assert '  "auth" [style=dashed, label="auth (missing)"];\n' in out


def test_mermaid(tmp_path):
    run = run_cli(["graph", "--format", "mermaid", str(EXAMPLES / "broken.appliance.json")])
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    ids = {
        line.split("[", 1)[1].split('"')[1]: line.split("[")[0].split("(")[0].strip()
        for line in lines[1:]
        if '["' in line
    }
    api, worker, db = ids["api"], ids["worker"], ids["db"]
    assert f"  {api} --> {worker}" in lines and f"  {worker} --> {api}" in lines
    assert f"  {api} -. @ .-> {db}" in lines
    edges = [line for line in lines if "-->" in line or ".->" in line]
    cyclic = [
        str(i)
        for i, line in enumerate(edges)
        if line in (f"  {api} --> {worker}", f"  {worker} --> {api}")
    ]
    assert f"  linkStyle {','.join(cyclic)} stroke:#d00,stroke-width:3px" in lines
    assert any(
        line.startswith("  class ") and api in line and line.endswith(" cycle") for line in lines
    )
    assert '(["cleanup"])' in run.stdout  # a job


def test_names_are_escaped(tmp_path):
    src = tmp_path / "odd.json"
    src.write_text(
        json.dumps(
            {
                "id": 'we"ird',
                "containers": [{"id": 'a"b', "type": "service", "dependencies": ["x\\y"]}],
            }
        )
    )
    dot = run_cli(["graph", str(src)]).stdout
    assert 'digraph "we\\"ird"' in dot and '"a\\"b" -> "x\\\\y";' in dot
    mermaid = run_cli(["graph", str(src), "-f", "mermaid"]).stdout
    assert 'n0["a#quot;b"]' in mermaid


def test_an_unreadable_file_is_reported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "containers": [,]}')
    run = run_cli(["graph", str(bad)])
    assert run.code == 1 and "error[APL001]" in run.stderr and run.stdout == ""
    run = run_cli(["graph", str(tmp_path / "nope.json")])
    assert run.code == 1 and "does not exist" in run.stderr
