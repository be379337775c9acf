"""Shared helpers: run the CLI the way a user does, and find the bundled examples."""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))  # tests.support


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


def run_cli(
    args: list[str], stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> Run:
    from applc.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, args, input=stdin, env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli():
    return run_cli


def position_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column) of the n-th occurrence of `needle`."""
    idx = -1
    for _ in range(occurrence):
        idx = text.index(needle, idx + 1)
    line = text.count("\n", 0, idx) + 1
    col = idx - (text.rfind("\n", 0, idx) + 1) + 1
    end = idx + len(needle)
    end_line = text.count("\n", 0, end) + 1
    end_col = end - (text.rfind("\n", 0, end) + 1) + 1
    return line, col, end_line, end_col


# --------------------------------------------------------------------------- hypothesis

# Hypothesis's default 200 ms deadline fails an example because a shared machine was busy,
# not because applc is slow: speed is measured by benchmarks/, never by a unit test.
settings.register_profile("applc", deadline=None)
# Under mutmut (docs/testing.md) a failing example is enough: no shrinking, no database.
settings.register_profile(
    "mutation",
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# mutmut sets MUTANT_UNDER_TEST (to "" for its clean run) in every process it runs tests in.
UNDER_MUTMUT = "MUTANT_UNDER_TEST" in os.environ
settings.load_profile("mutation" if UNDER_MUTMUT else "applc")
#: Under mutmut a property runs at most this many examples, the same ones every run: each
#: surviving mutant runs every test that reaches it, so examples are most of its cost, and
#: a rerun must give the same score. The hand-written cases do the precise killing.
MUTATION_MAX_EXAMPLES = 25


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    for item in items:
        fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        current = getattr(fn, "_hypothesis_internal_use_settings", None)
        if current is None or getattr(fn, "_applc_mutation_capped", False):
            continue
        # Hypothesis reads these settings off the test when it runs; an explicit
        # @settings(max_examples=...) would otherwise win over the profile.
        fn._hypothesis_internal_use_settings = settings(
            current,
            max_examples=min(current.max_examples, MUTATION_MAX_EXAMPLES),
            derandomize=True,
            database=None,
            deadline=None,
        )
        fn._applc_mutation_capped = True


# --------------------------------------------------------------------------- skips in CI

#: Tests CI may skip, as fnmatch patterns of node ids, each with the reason. Under CI
#: (``CI`` set) any other skip fails the run: a skip there hides a missing install step
#: or a regression dressed up as "not applicable".
EXPECTED_SKIPS: dict[str, str] = {
    "tests/test_import_real_compose.py::*": (
        "a real-world compose file that the compose binary itself does not read: "
        "there is nothing to compare applc's build with"
    ),
    "tests/test_file_safety.py::test_an_unreadable_folder_is_reported_by_the_real_command": (
        "CI runs as root, who reads every folder; the test before it covers the same "
        "report with a folder that refuses to be read"
    ),
}


def expected_skip(nodeid: str) -> bool:
    extra = [p for p in os.environ.get("APPLC_EXPECTED_SKIPS", "").split(",") if p]
    return any(fnmatch.fnmatchcase(nodeid, p) for p in [*EXPECTED_SKIPS, *extra])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and os.environ.get("CI")
        and not expected_skip(item.nodeid)
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"unexpected skip under CI ({reason}); install what the test needs, or add "
            "its node id to EXPECTED_SKIPS in tests/conftest.py (or APPLC_EXPECTED_SKIPS) "
            "with the reason"
        )


@pytest.fixture(autouse=True)
def _mutmut_fresh_target_caches() -> Iterator[None]:
    # Under mutmut only: `load_target`, `validator` and `_compiled` are cached, and the
    # caches were filled in mutmut's stats run, before it forks a process per mutant, so
    # a mutant of them would never run (docs/testing.md). Elsewhere the caches stay.
    if os.environ.get("MUTANT_UNDER_TEST"):
        from applc.targets import registry, validate

        registry.load_target.cache_clear()
        validate.validator.cache_clear()
        validate._compiled.cache_clear()
    yield
