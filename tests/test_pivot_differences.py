"""Where applc knowingly differs from PIVOT: documented, and what applc does is what the
documentation says (issue 16, item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _appliance(env: dict[str, str], extra: dict[str, object] | None = None) -> str:
    web = {
        "id": "web",
        "type": "service",
        "image": "busybox:1.36",
        "network_mode": "container",
        "resources": {"cpus": 1, "mem": 128},
        "dependencies": ["db"],
        "env": env,
        **(extra or {}),
    }
    db = {
        "id": "db",
        "type": "service",
        "image": "postgres:16.3",
        "network_mode": "container",
        "resources": {"cpus": 1, "mem": 512},
    }
    return json.dumps({"id": "shop", "containers": [db, web]})


def test_targets_page_lists_the_three_differences():
    text = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    assert "`x@db@db`" in text and "`@@db`" in text
    assert '`["hostname","CLUSTER",v]`' in text and '`["cloud","CLUSTER",v]`' in text


def test_adjacent_references_are_both_rewritten(cli, tmp_path):
    path = tmp_path / "shop.appliance.json"
    path.write_text(_appliance({"A": "x@db@db"}), encoding="utf-8")
    run = cli(["build", str(path), "--target", "compose", "-o", "-"])
    assert run.code == 0, run.stderr
    assert "A: xdbdb" in run.stdout  # compose names `@db` by its service name


def test_a_doubled_at_sign_rewrites_the_second_and_warns(cli, tmp_path):
    path = tmp_path / "shop.appliance.json"
    path.write_text(_appliance({"B": "@@db"}), encoding="utf-8")
    lint = cli(["lint", "-f", "json-lines", str(path)])
    codes = [json.loads(line)["code"] for line in lint.stdout.splitlines()]
    assert codes == ["APL203"]
    run = cli(["build", str(path), "--target", "compose", "-o", "-"])
    assert 'B: "@db"' in run.stdout


@pytest.mark.parametrize(("field", "attribute"), [("host", "hostname"), ("cloud", "cloud")])
def test_host_and_cloud_are_ignored_as_pivot_head_does(cli, tmp_path, field, attribute):
    path = tmp_path / "shop.appliance.json"
    path.write_text(_appliance({}, {field: "node-7"}), encoding="utf-8")
    lint = cli(["lint", "-f", "json-lines", str(path)])
    [finding] = [json.loads(line) for line in lint.stdout.splitlines()]
    assert finding["code"] == "APL246"
    assert f'["{attribute}", "CLUSTER", value]' in finding["message"]
    assert "2018" in finding["message"] and "PIVOT HEAD ignores" in finding["message"]
    assert f'"schedule_hints": {{"placement": {{"{field}"' in finding["help"]
    run = cli(["build", str(path), "--target", "marathon", "-o", "-"])
    assert run.code == 0, run.stderr
    assert "node-7" not in run.stdout
    page = (ROOT / "docs" / "rules" / "APL246.md").read_text(encoding="utf-8")
    assert f'`["{attribute}", "CLUSTER", value]`' in page
