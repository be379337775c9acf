"""The documentation site builds with `mkdocs build --strict`: a broken link, a missing
page or a page left out of the navigation fails the suite (and CI)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from applc import links

ROOT = Path(__file__).resolve().parents[1]


def _require_mkdocs() -> None:
    if importlib.util.find_spec("mkdocs") and importlib.util.find_spec("material"):
        return
    if os.environ.get("CI"):
        pytest.fail("CI must build the docs: install the docs extra (pip install -e '.[docs]')")
    pytest.skip("mkdocs and mkdocs-material are not installed (pip install -e '.[docs]')")


def _mkdocs(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_site_builds_strictly_with_every_page_and_search(tmp_path):
    _require_mkdocs()
    site = tmp_path / "site"
    run = _mkdocs(ROOT / "mkdocs.yml", site)
    assert run.returncode == 0, run.stderr
    for page in ("tutorial", "cli", "configuration", "rules", "rules/APL201", "targets"):
        assert (site / page / "index.html").is_file(), page
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "unknown-reference" in index and "Tutorial" in index
    # A link out of docs/ points at the file in the repository.
    dsl = (site / "dsl" / "index.html").read_text(encoding="utf-8")
    assert f"{links.REPOSITORY_URL}/blob/main/applc/frontends/dsl/grammar.lark" in dsl


def test_a_broken_link_fails_the_build(tmp_path):
    _require_mkdocs()
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "mkdocs_hooks.py", project / "tools")
    (project / "mkdocs.yml").write_text(
        "site_name: t\nstrict: true\nhooks:\n  - tools/mkdocs_hooks.py\nnav:\n  - index.md\n",
        encoding="utf-8",
    )
    page = project / "docs" / "index.md"
    page.write_text("# t\n\nSee [the notes](notes.md).\n", encoding="utf-8")
    assert _mkdocs(project / "mkdocs.yml", tmp_path / "a").returncode != 0
    page.write_text("# t\n\nSee [the file](../no-such-file.txt).\n", encoding="utf-8")
    run = _mkdocs(project / "mkdocs.yml", tmp_path / "b")
    assert run.returncode != 0
    assert "no-such-file.txt" in run.stderr
    (project / "real.txt").write_text("x", encoding="utf-8")
    page.write_text("# t\n\nSee [the file](../real.txt).\n", encoding="utf-8")
    assert _mkdocs(project / "mkdocs.yml", tmp_path / "c").returncode == 0


def _nav_pages(nav: object) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in _nav_pages(item)]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _nav_pages(v)]
    return []


def test_navigation_is_by_task_and_names_existing_pages():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["repo_url"] == links.REPOSITORY_URL
    # Once the site is published, its address is the base of every link applc prints.
    if config.get("site_url"):
        assert config["site_url"] == links.DOCS_BASE_URL
    else:
        assert f"{links.REPOSITORY_URL}/blob/main/docs/" == links.DOCS_BASE_URL
    assert config["theme"]["name"] == "material"
    assert any(p == "search" or (isinstance(p, dict) and "search" in p) for p in config["plugins"])
    sections = [next(iter(item)) for item in config["nav"]]
    assert sections[:4] == ["Home", "Tutorial", "How-to", "Reference"]
    reference = _nav_pages(config["nav"][3])
    for page in ("rules/README.md", "format.md", "dsl.md", "targets.md", "configuration.md"):
        assert page in reference
    assert "cli.md" in reference
    for page in _nav_pages(config["nav"]):
        assert (ROOT / "docs" / page).is_file(), page
