"""The suite's own rules (docs/testing.md), run on a throwaway test file with this
suite's conftest: under CI an unexpected skip fails the run, an expected one does not,
and outside CI a skip stays a skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
SAMPLE = """
import pytest

def test_skips():
    pytest.skip("validator missing")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False

def test_passes():
    pass
"""


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "APPLC_EXPECTED_SKIPS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "test_sample.py"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_unexpected_skip_fails_under_ci(tmp_path: Path) -> None:
    proc = run(tmp_path, CI="true")
    assert proc.returncode == 1, proc.stdout
    assert "FAILED test_sample.py::test_skips" in proc.stdout
    assert "unexpected skip under CI (Skipped: validator missing)" in proc.stdout
    assert "1 failed, 1 passed, 1 xfailed" in proc.stdout


def test_an_expected_skip_passes_under_ci(tmp_path: Path) -> None:
    proc = run(tmp_path, CI="true", APPLC_EXPECTED_SKIPS="test_sample.py::test_skip*")
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in proc.stdout


@pytest.mark.parametrize("ci", [None, ""])
def test_outside_ci_a_skip_is_a_skip(tmp_path: Path, ci: str | None) -> None:
    proc = run(tmp_path, **({} if ci is None else {"CI": ci}))
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in proc.stdout


PROPERTY = """
from hypothesis import given, settings, strategies as st

SEEN = []

@settings(max_examples=300)
@given(st.integers())
def test_counts(n):
    SEEN.append(n)

def test_report():
    print("examples:", len(SEEN), "distinct:", len(set(SEEN)))
"""


@pytest.mark.parametrize(("env", "examples"), [({}, 300), ({"MUTANT_UNDER_TEST": ""}, 25)])
def test_properties_run_25_examples_under_mutmut(tmp_path: Path, env, examples) -> None:
    # docs/testing.md: under mutmut each property is capped, whatever its own settings say.
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_prop.py").write_text(PROPERTY, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "-q", "test_prop.py"],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout
    assert f"examples: {examples} " in proc.stdout
