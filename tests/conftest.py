"""Shared helpers: run the CLI the way a user does, and find the bundled examples."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

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
