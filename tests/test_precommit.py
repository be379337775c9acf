"""The pre-commit hooks, run for real: pre-commit builds a virtual environment with applc
installed from this working tree (its dependencies come from the package index) and runs
the hooks on a good and a bad appliance.

These tests take a minute or so; deselect them with `-m "not precommit"`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "precommit"

pytestmark = pytest.mark.precommit

GIT_ENV = {
    "GIT_AUTHOR_NAME": "applc tests",
    "GIT_AUTHOR_EMAIL": "tests@applc.invalid",
    "GIT_COMMITTER_NAME": "applc tests",
    "GIT_COMMITTER_EMAIL": "tests@applc.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PRE_COMMIT_COLOR": "never",
}


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **GIT_ENV, **(env or {})}
    full.pop("PRE_COMMIT", None)
    full.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        args, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout, check=False
    )


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = run(["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=.git/hooks", *args], cwd)
    return proc


def pre_commit(*args: str) -> list[str]:
    return [sys.executable, "-m", "pre_commit", *args]


def test_hook_manifest_is_valid_and_matches_appliances_only() -> None:
    import re

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"applc-lint", "applc-build-check"}
    for h in hooks.values():
        assert h["language"] == "python"
        assert h["require_serial"] is True
    assert hooks["applc-lint"]["entry"] == "applc lint --force-exclude"
    assert hooks["applc-build-check"]["entry"] == "applc build --check"
    assert hooks["applc-build-check"]["pass_filenames"] is False
    pattern = re.compile(hooks["applc-lint"]["files"])
    for name in (
        "shop.appliance.json",
        "deploy/shop.appliance.json",
        "appliances/web.json",
        "infra/appliances/db/spec.json",
        "shop.appl",
        "deploy/shop.appl",
    ):
        assert pattern.search(name), name
    for name in (
        "package.json",
        "web/package.json",
        "tsconfig.json",
        "x.appl.bak",
        "appliances.json",
        "not-appliances/x.json",
    ):
        assert not pattern.search(name), name
    proc = run(pre_commit("validate-manifest", ".pre-commit-hooks.yaml"), ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository with applc as this working tree has it (pre-commit clones a
    commit, and the tree's newest files may not be committed yet)."""
    dst = tmp_path_factory.mktemp("applc-repo")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    assert listed.returncode == 0, listed.stderr
    for rel in filter(None, listed.stdout.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    assert (dst / ".pre-commit-hooks.yaml").is_file()
    assert git(dst, "init", "-q").returncode == 0
    assert git(dst, "add", "-A").returncode == 0
    proc = git(dst, "commit", "-q", "-m", "applc under test")
    assert proc.returncode == 0, proc.stderr
    rev = git(dst, "rev-parse", "HEAD").stdout.strip()
    return dst, rev


def user_repo(tmp_path: Path, *names: str) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    assert git(repo, "init", "-q").returncode == 0
    for name in names:
        shutil.copy2(FIXTURES / name, repo / name)
    return repo


def test_try_repo_passes_a_good_appliance_and_skips_package_json(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    repo = user_repo(tmp_path, "good.appliance.json", "package.json")
    git(repo, "add", "-A")
    proc = run(
        pre_commit(
            "try-repo",
            str(hook_repo[0]),
            "applc-lint",
            "--files",
            "good.appliance.json",
            "package.json",
            "--verbose",
        ),
        repo,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "applc lint" in out and "Passed" in out


def test_try_repo_fails_a_bad_appliance(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    repo = user_repo(tmp_path, "bad.appliance.json")
    git(repo, "add", "-A")
    proc = run(
        pre_commit("try-repo", str(hook_repo[0]), "applc-lint", "--files", "bad.appliance.json"),
        repo,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out
    assert "bad.appliance.json:19:45" in out
    assert "APL201" in out and "unknown reference `@dbx`" in out


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def install_hooks(
    repo: Path, hook_repo: tuple[Path, str], home: Path, hooks: list[dict[str, object]]
) -> dict[str, str]:
    config = {"repos": [{"repo": str(hook_repo[0]), "rev": hook_repo[1], "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {"PRE_COMMIT_HOME": str(home)}
    proc = run(pre_commit("install"), repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    run(["git", "add", "-A"], repo, env)
    return run(["git", "-c", "commit.gpgsign=false", "commit", "-m", message], repo, env)


def test_a_commit_with_a_broken_appliance_is_stopped(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = user_repo(tmp_path)
    env = install_hooks(repo, hook_repo, pre_commit_home, [{"id": "applc-lint"}])
    shutil.copy2(FIXTURES / "bad.appliance.json", repo / "shop.appliance.json")
    shutil.copy2(FIXTURES / "package.json", repo / "package.json")
    proc = commit(repo, env, "add the shop")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    # The finding itself, at its place: a hook that failed for another reason (a broken
    # install, a crash) must not pass for a lint finding.
    assert "error[APL201]: unknown reference `@dbx`" in out, out
    assert "--> shop.appliance.json:19:45" in out, out
    assert run(["git", "rev-parse", "--verify", "HEAD"], repo).returncode != 0  # no commit

    shutil.copy2(FIXTURES / "good.appliance.json", repo / "shop.appliance.json")
    proc = commit(repo, env, "add the shop")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert run(["git", "rev-parse", "--verify", "HEAD"], repo).returncode == 0


def test_build_check_hook_stops_stale_manifests(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    repo = user_repo(tmp_path)
    shutil.copy2(FIXTURES / "good.appliance.json", repo / "shop.appliance.json")
    args = ["--target", "compose", "-o", "deploy"]
    # Built by the applc the hook installs (the copy), not the tree, which may have moved on.
    built = run(
        [sys.executable, "-m", "applc", "build", *args, "shop.appliance.json"],
        repo,
        {"PYTHONPATH": str(hook_repo[0])},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    env = install_hooks(
        repo, hook_repo, pre_commit_home, [{"id": "applc-build-check", "args": args}]
    )
    proc = commit(repo, env, "shop with its manifests")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    text = (repo / "shop.appliance.json").read_text(encoding="utf-8")
    (repo / "shop.appliance.json").write_text(
        text.replace("nginx:1.25.3", "nginx:1.25.4"), encoding="utf-8"
    )
    proc = commit(repo, env, "new nginx, manifests not rebuilt")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "stale" in out
