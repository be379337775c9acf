"""The generated pages (rules index, rule pages, CLI reference) are current, and every link
applc prints is built from the one base URL in applc/links.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from applc import links
from applc.docgen import rule_index_markdown, rule_targets
from applc.rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STALE = "is stale: run `python -m applc.docgen` and commit the result"


def test_rules_index_is_current():
    page = DOCS / "rules" / "README.md"
    assert page.read_text(encoding="utf-8") == rule_index_markdown(), f"{page} {STALE}"


def test_cli_reference_is_current():
    # In a fresh interpreter: click caches each command's help option the first time a
    # context asks, so commands other tests ran on their own would show `--help` alone.
    code = "import sys; from applc.docgen import cli_reference_markdown as m; sys.stdout.write(m())"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    page = DOCS / "cli.md"
    assert page.read_text(encoding="utf-8") == run.stdout, f"{page} {STALE}"


def _sections(markdown: str) -> dict[str, str]:
    found = re.findall(r"^## (applc(?: [\w-]+)?)\n\n```text\n(.*?)\n```$", markdown, re.M | re.S)
    return dict(found)


def test_cli_reference_is_what_help_prints_in_a_terminal():
    """Each section is what `applc X --help` prints in a real process on a wide terminal."""
    sections = _sections((DOCS / "cli.md").read_text(encoding="utf-8"))
    assert {"applc", "applc lint", "applc build", "applc rule"} <= set(sections)
    env = {**os.environ, "COLUMNS": "132", "PYTHONPATH": str(ROOT)}
    for title in ("applc", "applc lint", "applc build"):
        args = title.split()[1:]
        run = subprocess.run(
            [sys.executable, "-m", "applc", *args, "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert run.stdout.rstrip("\n") == sections[title]


def test_rules_index_lists_every_rule_once_with_its_facts():
    text = (DOCS / "rules" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| \[(APL\d{3})\]\(\1\.md\) \| `([a-z0-9-]+)` \| (\w+) \| (\w*) \| ([^|]+) \|",
        text,
        re.M,
    )
    assert [r[0] for r in rows] == [r.code for r in all_rules()]
    by_code = {r[0]: r for r in rows}
    # Hand-checked facts, from the rule modules and the targets' own checks.
    assert by_code["APL201"][1:4] == ("unknown-reference", "error", "safe")
    assert by_code["APL102"][3] == "unsafe"
    assert by_code["APL245"][2] == "info"
    assert by_code["APL301"][3] == ""
    assert by_code["APL201"][4].strip() == "all"
    assert by_code["APL406"][4].strip() == "compose"
    assert by_code["APL407"][4].strip() == "kubernetes"
    assert by_code["APL402"][4].strip() == "kubernetes, marathon"
    for code in re.findall(r"\]\((APL\d{3})\.md\)", text):
        assert (DOCS / "rules" / f"{code}.md").is_file()


# Inputs whose findings carry a fix, written by hand: (code, safe?, appliance).
_ZK = json.dumps(
    {"id": "zookeeper", "type": "service", "image": "zookeeper:3.9", "resources": {"cpus": 1}}
)
FIXABLE = [
    ("APL201", True, '{"id": "a", "cmd": "x @zookeper", "dependencies": ["zookeeper"]}'),
    ("APL211", True, '{"id": "a", "dependencies": ["zookeper"]}'),
    ("APL104", True, '{"id": "a", "network_mode": "bridg"}'),
    ("APL102", False, '{"id": "a", "imgae": "x"}'),
    ("APL105", False, '{"id": "Web_Server"}'),
]


def _container(extra: str) -> str:
    base = json.loads(
        '{"type": "service", "image": "busybox:1.36", "resources": {"cpus": 1, "mem": 128}}'
    )
    base.update(json.loads(extra))
    return json.dumps(base)


@pytest.mark.parametrize(("code", "safe", "container"), FIXABLE, ids=[f[0] for f in FIXABLE])
def test_declared_fixes_are_the_fixes_findings_carry(code, safe, container):
    from applc.api import lint_text
    from applc.config import Settings
    from applc.rules.registry import lookup

    text = f'{{"id": "app", "containers": [{_ZK}, {_container(container)}]}}'
    found = [d for d in lint_text("app.json", text, Settings())[1] if d.code == code]
    assert found and found[0].fix is not None and found[0].fix.safe is safe
    rule = lookup(code)
    assert rule is not None and rule.fix == ("safe" if safe else "unsafe")


def test_interval_fix_is_declared_safe():
    from applc.api import lint_text
    from applc.config import Settings

    job = _container('{"id": "j", "type": "job", "interval": "PT10M"}')
    text = f'{{"id": "app", "containers": [{job}]}}'
    found = [d for d in lint_text("app.json", text, Settings())[1] if d.code == "APL243"]
    assert found and found[0].fix is not None and found[0].fix.safe
    assert {r.code: r.fix for r in all_rules()}["APL243"] == "safe"


def test_no_finding_in_the_examples_has_an_undeclared_fix():
    from applc.api import lint_text
    from applc.config import Settings

    declared = {r.code: r.fix for r in all_rules()}
    seen = 0
    for path in sorted((ROOT / "examples").glob("*.appliance.json")):
        for d in lint_text(str(path), path.read_text(encoding="utf-8"), Settings())[1]:
            if d.fix is not None:
                seen += 1
                assert declared[d.code] == ("safe" if d.fix.safe else "unsafe"), d.code
    assert seen >= 3  # broken.appliance.json has a misspelt reference, key and dependency


def test_target_rules_concern_the_targets_their_checks_run_for():
    codes = {r.code: rule_targets(r) for r in all_rules()}
    assert codes["APL201"] == ()
    assert codes["APL409"] == ("marathon",)
    assert all(codes[c] for c in codes if c.startswith("APL4"))


# -- one base URL ---------------------------------------------------------------------------


def test_rule_url_for_the_repository_and_for_a_site():
    repo = "https://example.org/o/r/blob/main/docs/"
    site = "https://docs.example.org/applc/"
    assert links.rule_url("APL201", repo) == repo + "rules/APL201.md"
    assert links.rule_url("APL201", site) == site + "rules/APL201/"
    assert links.docs_url("rules/README.md", site) == site + "rules/"
    assert links.docs_url("index.md", site) == site
    assert links.docs_url("format.md", site) == site + "format/"
    assert links.DOCS_BASE_URL.endswith("/")


def test_every_output_links_rules_through_the_one_setting(cli, monkeypatch):
    base = "https://docs.example.org/applc/"
    monkeypatch.setattr(links, "DOCS_BASE_URL", base)
    broken = str(ROOT / "examples" / "broken.appliance.json")
    sarif = cli(["lint", "-f", "sarif", broken]).json()
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {r["helpUri"] for r in rules if r["id"] == "APL201"} == {base + "rules/APL201/"}
    findings = cli(["lint", "-f", "json", broken]).json()
    items = findings["diagnostics"] if isinstance(findings, dict) else findings
    assert any(d["url"] == base + "rules/APL201/" for d in items)
    rule = cli(["rule", "APL201"])
    assert rule.stdout.rstrip().endswith(f"Online: {base}rules/APL201/")


def test_site_and_package_metadata_agree_with_the_setting():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    urls = meta["project"]["urls"]
    assert urls["Repository"] == links.REPOSITORY_URL
    assert urls["Documentation"] == links.DOCS_BASE_URL
