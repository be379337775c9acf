"""Docs that are executed: every shell example in README.md and docs/ that runs applc is
run here, and the output a page shows is compared with what applc prints.

The rules pages follow are in tests/support/docblocks.py (and docs/contributing.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.docblocks import (
    SHELL,
    Block,
    commands,
    normalize,
    read_blocks,
    runnable,
    runs_applc,
    shows,
    steps,
)

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
KNOWN_NEEDS = {"docker"}
TIMEOUT = 600


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _pages_with_examples() -> list[Path]:
    return [p for p in PAGES if any(runs_applc(b) for b in read_blocks(p))]


def _engine_reason() -> str | None:
    """Why no Docker engine can run a `needs: docker` block, or None when one can."""
    try:
        from tests.support import engine  # the engine tests' own check, when present
    except ImportError:
        engine = None
    if engine is not None and hasattr(engine, "engine_unavailable_reason"):
        return engine.engine_unavailable_reason()
    if shutil.which("docker") is None:
        return "no `docker` client on PATH"
    proc = subprocess.run(["docker", "version"], capture_output=True, text=True, check=False)
    return None if proc.returncode == 0 else "no Docker engine answers at DOCKER_HOST"


class Session:
    """One page's run: a temporary copy of examples/, and an `applc` on PATH that runs the
    applc under test."""

    def __init__(self, tmp: Path) -> None:
        self.root = self.cwd = tmp / "work"
        shutil.copytree(ROOT / "examples", self.cwd / "examples")
        bindir = tmp / "bin"
        bindir.mkdir()
        shim = bindir / "applc"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m applc "$@"\n')
        shim.chmod(0o755)
        home = tmp / "home"
        home.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("APPLC_")},
            "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "PYTHONPATH": str(ROOT),
            "HOME": str(home),
            "NO_COLOR": "1",
            "COLUMNS": "80",
        }

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        cd = re.fullmatch(r"cd\s+(\S+)", command.strip())
        if cd:  # a page's later commands run where it went, as in the reader's shell
            target = (self.cwd / cd.group(1)).resolve()
            assert target.is_dir() and target.is_relative_to(self.cwd.parent), command
            self.cwd = target
            return subprocess.CompletedProcess(["cd"], 0, "", "")
        return subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


def run_page(page: Path, tmp: Path) -> list[str]:
    """Run a page's examples in order; returns what was skipped and why."""
    session = Session(tmp)
    skipped: list[str] = []
    blocks = read_blocks(page)
    if not any(runs_applc(b) for b in blocks):
        return skipped
    for block in blocks:
        if block.info not in SHELL:
            continue
        where = f"{_rel(page)}:{block.line}"
        if "not-run" in block.marks:
            continue
        if block.marks.get("needs") == "docker":
            reason = _engine_reason()
            if reason is not None:
                if os.environ.get("CI"):
                    pytest.fail(f"{where} needs a Docker engine in CI: {reason}")
                skipped.append(f"{where}: {reason}")
                continue
        expected_exit = int(block.marks["exit"]) if "exit" in block.marks else None
        for command, shown in steps(block):
            todo = runnable(command)
            if todo is None:
                continue
            run = session.run(todo)
            allowed = {0, 1} if runs_applc(Block(page, 0, "sh", todo)) else {0}
            if expected_exit is not None:
                allowed = {expected_exit}
            assert run.returncode in allowed, (
                f"{where}: `{todo}` exited {run.returncode}\n"
                f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
            )
            if shown is not None:
                actual = normalize(run.stdout + run.stderr, session.root)
                assert shows(normalize(shown), actual), (
                    f"{where}: the output shown is not what `{todo}` prints.\n"
                    f"--- shown\n{shown}--- printed\n" + "\n".join(actual)
                )
    return skipped


@pytest.mark.parametrize("page", _pages_with_examples(), ids=_rel)
def test_page_examples_run_and_print_what_the_page_shows(page, tmp_path):
    skipped = run_page(page, tmp_path)
    if skipped:
        pytest.skip("ran the rest; skipped " + "; ".join(skipped))


def test_the_collector_finds_the_readme_examples():
    blocks = [b for b in read_blocks(ROOT / "README.md") if runs_applc(b)]
    assert len(blocks) >= 3
    assert any(b.output is not None for b in blocks)
    assert "applc lint examples/mesos.appliance.json" in blocks[0].text


def test_marks_are_known_and_say_why():
    for page in PAGES:
        for block in read_blocks(page):
            where = f"{_rel(page)}:{block.line}"
            if "not-run" in block.marks:
                assert len(block.marks["not-run"]) >= 10, f"{where}: say why it is not run"
            if "needs" in block.marks:
                assert block.marks["needs"] in KNOWN_NEEDS, where
            if block.marks:
                assert block.info in SHELL, f"{where}: a mark above a block that is not shell"


# -- the collector itself -------------------------------------------------------------------


def test_commands_keep_continuations_and_here_documents():
    text = (
        "$ applc lint \\\n  a.json\ncat > x.json <<'EOF'\n{\n  \"id\": 1\n}\nEOF\n"
        "# a comment\napplc rule APL201\n"
    )
    assert commands(text) == [
        "applc lint \\\n  a.json",
        "cat > x.json <<'EOF'\n{\n  \"id\": 1\n}\nEOF",
        "applc rule APL201",
    ]


def test_setup_commands_are_left_to_the_environment():
    assert runnable("python3 -m pip install -e . && applc lint x") == "applc lint x"
    assert runnable("python3 -m pip install -e '.[test]' && python3 -m pytest") is None
    assert runnable("python3 -m pip install applc") is None
    assert runnable("applc build x") == "applc build x"


def test_shown_output_must_be_printed_in_order():
    actual = ["a", "b", "c", "d"]
    assert shows(["b", "c"], actual)
    assert shows(["a", "...", "d"], actual)
    assert not shows(["c", "b"], actual)
    assert not shows(["b", "d"], actual)
    assert normalize("applc 0.1.0 at /tmp/x/y", Path("/tmp/x")) == ["applc <version> at y"]


def test_a_page_that_shows_the_wrong_output_fails(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\napplc rule APL201\n```\n\n```\n# APL201 unknown-dependency\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="the output shown is not what"):
        run_page(page, tmp_path / "run")
    page.write_text(
        "```sh\napplc rule APL201\n```\n\n```\n# APL201 unknown-reference\n```\n",
        encoding="utf-8",
    )
    assert run_page(page, tmp_path / "run2") == []


def test_a_command_that_cannot_run_fails_unless_marked(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```sh\napplc lint --no-such-option\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="exited 2"):
        run_page(page, tmp_path / "run")
    page.write_text("<!-- exit: 2 -->\n```sh\napplc lint --no-such-option\n```\n", encoding="utf-8")
    assert run_page(page, tmp_path / "run2") == []


def test_console_blocks_compare_each_command_with_the_lines_under_it(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ applc rule APL201 | head -1\n# APL201 unknown-reference\n"
        "$ applc rule APL211 | head -1\n# APL211 unknown-dependency\n```\n",
        encoding="utf-8",
    )
    assert run_page(page, tmp_path / "run") == []
    page.write_text(
        "```console\n$ applc rule APL201 | head -1\n# APL211 unknown-dependency\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match="the output shown is not what"):
        run_page(page, tmp_path / "run2")
