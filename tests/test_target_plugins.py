"""A third-party target, installed with pip from tests/fixtures/applc-listing, reports
its own check through `applc lint --target` and `applc build`, like a built-in one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "applc-listing"

# The cmd of `web` spans lines: LST001 points at its value, line 4, columns 26-43.
APPLIANCE = """{
  "id": "shop",
  "containers": [
    {"id": "web", "cmd": "serve\\n--port 80", "type": "service",
     "image": "shop/web:1.0", "resources": {"cpus": 1, "mem": 256},
     "network_mode": "bridge", "dependencies": ["db"]},
    {"id": "db", "type": "service", "image": "postgres:16",
     "resources": {"cpus": 1, "mem": 512}, "network_mode": "bridge"}
  ]
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder the fixture package is pip-installed into (its build backend comes from
    the package index, as for any user)."""
    where = tmp_path_factory.mktemp("plugin") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(where), str(FIXTURE)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert (where / "applc_listing" / "templates" / "list.txt.j2").is_file()
    return where


def _applc(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    return subprocess.run(
        [sys.executable, "-m", "applc", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def appliance(tmp_path) -> Path:
    path = tmp_path / "shop.appliance.json"
    path.write_text(APPLIANCE, encoding="utf-8")
    return path


def test_lint_with_an_installed_target_reports_its_check(site, appliance, tmp_path):
    run = _applc(site, "lint", "--target", "listing", "-f", "json", str(appliance), cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    (d,) = json.loads(run.stdout)["diagnostics"]
    assert (d["code"], d["name"], d["severity"]) == ("LST001", "multi-line-command", "error")
    assert d["message"] == (
        "the command of `web` spans lines; a listing shows one line per container"
    )
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (4, 26, 4, 44)
    assert d["target"] == "listing"
    assert d["url"] == "https://example.org/applc-listing/LST001"


def test_the_installed_target_check_runs_only_for_its_target(site, appliance, tmp_path):
    plain = _applc(site, "lint", "-f", "json", str(appliance), cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["diagnostics"] == []
    other = _applc(site, "lint", "--target", "compose", "-f", "json", str(appliance), cwd=tmp_path)
    assert "LST001" not in {d["code"] for d in json.loads(other.stdout)["diagnostics"]}


def test_an_installed_target_rule_can_be_ignored_by_code_or_prefix(site, appliance, tmp_path):
    for selector in ("LST001", "LST", "multi-line-command"):
        run = _applc(
            site, "lint", "--target", "listing", "--ignore", selector, str(appliance), cwd=tmp_path
        )
        assert run.returncode == 0, (selector, run.stdout, run.stderr)
    # A full code is more specific than its prefix, as for APL codes.
    both = ("--ignore", "LST", "--extend-select", "LST001")
    run = _applc(site, "lint", "--target", "listing", *both, str(appliance), cwd=tmp_path)
    assert run.returncode == 1 and "LST001" in run.stdout, (run.stdout, run.stderr)


def test_build_with_an_installed_target_stops_at_its_check(site, appliance, tmp_path):
    out = tmp_path / "out"
    refused = _applc(
        site, "build", "--target", "listing", "-o", str(out), str(appliance), cwd=tmp_path
    )
    assert refused.returncode == 1
    assert "LST001" in refused.stderr and "spans lines" in refused.stderr
    assert not out.exists() or not any(out.iterdir())
    appliance.write_text(APPLIANCE.replace("\\n", " "), encoding="utf-8")
    built = _applc(site, "build", "--target", "listing", "-o", "-", str(appliance), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # Start order: db before web, which depends on it.
    assert built.stdout == "db -\nweb serve --port 80\n"


def test_rule_and_rules_show_an_installed_target_rules(site, tmp_path):
    page = _applc(site, "rule", "LST001", "--target", "listing", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert page.stdout.startswith("# LST001 multi-line-command")
    assert "Online: https://example.org/applc-listing/LST001" in page.stdout
    listed = _applc(site, "rules", "--target", "listing", "-f", "json", cwd=tmp_path)
    (lst,) = [r for r in json.loads(listed.stdout) if r["code"] == "LST001"]
    assert (lst["targets"], lst["severity"]) == (["listing"], "error")
    # Without the target named, applc's catalogue does not load it.
    unknown = _applc(site, "rule", "LST001", cwd=tmp_path)
    assert unknown.returncode == 2 and "no rule `LST001`" in unknown.stderr


def test_docs_show_the_fixture_target_as_it_is():
    """docs/targets.md "Adding a target" quotes the package these tests install."""
    docs = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Adding a target") :]
    source = (FIXTURE / "applc_listing" / "__init__.py").read_text(encoding="utf-8")
    template = (FIXTURE / "applc_listing" / "templates" / "list.txt.j2").read_text()
    assert f"```python\n{source}```" in section
    assert f"```jinja\n{template.rstrip()}\n```" in section
    assert 'listing = "applc_listing:Listing"' in section
