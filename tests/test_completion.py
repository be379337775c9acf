"""Shell completion (issue 11 item 23): `applc completion SHELL` prints a script, and
the values a shell asks for complete through the protocol that script speaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES, ROOT


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _complete(words: str, cword: int, pythonpath: str | None = None) -> list[str]:
    """What bash's completion function gets back for the command line `words`, with the
    cursor on word `cword`, as `applc completion bash` sets it up."""
    env = _env(COMP_WORDS=words, COMP_CWORD=str(cword), _APPLC_COMPLETE="bash_complete")
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), pythonpath])
    run = subprocess.run(
        [sys.executable, "-m", "applc"], env=env, capture_output=True, text=True, check=True
    )
    return [line.split(",", 1)[1] for line in run.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_command_prints_a_script(cli, shell):
    run = cli(["completion", shell])
    assert run.code == 0
    assert "_APPLC_COMPLETE" in run.stdout
    assert f"{shell}_complete" in run.stdout


def test_unknown_shell_is_a_usage_error(cli):
    run = cli(["completion", "tcsh"])
    assert run.code == 2 and "tcsh" in run.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_loads_the_script():
    script = subprocess.run(
        [sys.executable, "-m", "applc", "completion", "bash"],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    run = subprocess.run(
        ["bash", "--norc", "-c", script + "\ncomplete -p applc"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "_applc_completion" in run.stdout


def test_commands_complete():
    assert _complete("applc comp", 1) == ["completion"]
    assert "lint" in _complete("applc l", 1)


def test_targets_complete_with_installed_plug_ins(tmp_path):
    dist = tmp_path / "applc_extra-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: applc-extra\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[applc.targets]\nnomad = applc_extra:TARGET\n")
    got = _complete("applc build -t ", 3, pythonpath=str(tmp_path))
    assert got == ["marathon", "compose", "kubernetes", "nomad"]
    assert _complete("applc lint --target k", 3) == ["kubernetes"]


def test_output_formats_complete():
    assert _complete("applc lint -f j", 3) == ["json", "json-lines", "junit"]
    assert _complete("applc lint --output-format sarif=", 3) == []


def test_selectors_complete_codes_names_and_lists():
    got = _complete("applc lint --select APL20", 3)
    assert "APL201" in got and "APL202" in got
    assert all(v.startswith("APL20") for v in got)
    assert "unknown-reference" in _complete("applc lint --ignore unknown-r", 3)
    # The last item of a comma-separated list, the earlier ones kept.
    assert "APL3,unknown-reference" in _complete("applc lint --select APL3,unknown-r", 3)
    assert "APL3" in _complete("applc build --extend-select APL", 3)
    assert "unknown-field" in _complete("applc rule unknown-f", 2)


def test_a_clean_lint_does_not_import_completion():
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "applc", "lint", "-q"]
        + [str(EXAMPLES / "mesos.appliance.json")],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    # The probe works: it lists what `import` statements loaded (modules loaded with
    # importlib.import_module, such as the command's own, are not listed).
    assert "applc.lint" in imported and "applc.cli.common" in imported
    assert "click.shell_completion" not in imported
