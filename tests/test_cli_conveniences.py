"""What linter users expect of the command line (issue 11 items 21 and 22):
--show-settings, --show-files, default and command-line excludes, suggestions."""

from __future__ import annotations

import tomllib

from tests.conftest import EXAMPLES

BROKEN = (EXAMPLES / "broken.appliance.json").read_text()


def _tree(tmp_path, *names):
    for name in names:
        f = tmp_path / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(BROKEN)


def test_show_settings_prints_each_value_and_where_it_came_from(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "applc.toml"
    cfg.write_text('ignore = ["APL3"]\n\n[budget]\ncpus = 8\n')
    _tree(tmp_path, "a.json")
    monkeypatch.chdir(tmp_path)
    run = cli(["lint", "--show-settings", "--select", "APL2", "a.json"])
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "# Settings for a.json"
    assert f"# Configuration file: {cfg}" in lines
    assert 'select = ["APL2"]  # --select (command line)' in lines
    assert f'ignore = ["APL3"]  # {cfg}:1:1' in lines
    assert f"budget = {{ cpus = 8 }}  # {cfg}:3:2" in lines
    assert 'fail-level = "error"  # default' in lines
    # What it prints is TOML a user can paste back into a configuration file.
    data = tomllib.loads(run.stdout)
    assert data["select"] == ["APL2"] and data["budget"] == {"cpus": 8}
    assert data["no-inline-ignores"] is False


def test_show_settings_without_a_config_and_with_budget(cli, tmp_path, monkeypatch):
    _tree(tmp_path, "a.json")
    monkeypatch.chdir(tmp_path)
    run = cli(["lint", "--show-settings", "--budget", "mem=512", "a.json"])
    assert run.code == 0
    assert "# Configuration file: none found (defaults)" in run.stdout
    assert "budget = { mem = 512 }  # --budget (command line)" in run.stdout


def test_show_files_lists_what_would_be_linted(cli, tmp_path, monkeypatch):
    (tmp_path / "applc.toml").write_text('extend-exclude = ["legacy/"]\n')
    _tree(
        tmp_path,
        "a.json",
        "deploy/b.appliance.json",
        "legacy/old.json",
        "node_modules/x/app.json",
        ".venv/lib/app.json",
        "venv/app.json",
        "build/app.json",
        "dist/app.json",
    )
    (tmp_path / "package.json").write_text('{"name": "x"}')
    monkeypatch.chdir(tmp_path)
    run = cli(["lint", "--show-files"])
    assert run.code == 0, run.stderr
    assert run.stdout.splitlines() == ["a.json", "deploy/b.appliance.json"]
    # A folder named on the command line is searched even when its name is excluded
    # by default.
    run = cli(["lint", "--show-files", "build"])
    assert run.stdout.splitlines() == ["build/app.json"]


def test_default_excludes_keep_node_modules_out_of_a_lint(cli, tmp_path, monkeypatch):
    _tree(tmp_path, "node_modules/x/app.json")
    monkeypatch.chdir(tmp_path)
    run = cli(["lint", "-f", "json", "."])
    assert run.json()["summary"]["files"] == 0


def test_exclude_and_extend_exclude_on_the_command_line(cli, tmp_path, monkeypatch):
    (tmp_path / "applc.toml").write_text('exclude = ["a.json"]\n')
    _tree(tmp_path, "a.json", "b.json", "sub/c.json", "sub/d.json")
    monkeypatch.chdir(tmp_path)
    show = lambda *args: cli(["lint", "--show-files", *args]).stdout.splitlines()  # noqa: E731
    assert show() == ["b.json", "sub/c.json", "sub/d.json"]
    # --exclude replaces the configuration's list; patterns with a slash are read from
    # the current folder.
    assert show("--exclude", "sub/c.json") == ["a.json", "b.json", "sub/d.json"]
    # --extend-exclude adds to it; comma-separated.
    assert show("--extend-exclude", "d.json,./sub/c.json") == ["b.json"]
    # A file named on the command line is linted unless --force-exclude.
    assert show("b.json", "--exclude", "b.json") == ["b.json"]
    assert show("b.json", "--exclude", "b.json", "--force-exclude") == []


def test_invalid_command_line_pattern(cli):
    run = cli(["lint", "--exclude", "", "x.json"])
    # An empty pattern after splitting is dropped; one made of nothing but `!` is not.
    assert run.code != 2 or "pattern" in run.stderr
    run = cli(["lint", "--show-files", "--exclude", "!"])
    assert run.code == 2 and "invalid pattern `!` in --exclude" in run.stderr


def test_unknown_command_suggests_the_nearest(cli):
    run = cli(["lnt"])
    assert run.code == 2
    assert "No such command 'lnt'. Did you mean 'lint'?" in run.stderr
    run = cli(["biuld"])
    assert "Did you mean 'build'?" in run.stderr
    run = cli(["zzzz"])
    assert "No such command 'zzzz'." in run.stderr and "Did you mean" not in run.stderr


def test_selector_suggestions_prefer_the_prefix(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    cases = {"APL3xx": "APL3", "apl2XX": "APL2", "APL10*": "APL10"}
    for given, meant in cases.items():
        run = cli(["lint", "--select", given, str(f)])
        assert run.code == 2
        assert f"unknown rule selector `{given}` in --select (did you mean `{meant}`?)" in (
            run.stderr
        )
    (tmp_path / "applc.toml").write_text('ignore = ["APL3xx"]\n')
    run = cli(["lint", str(f)])
    assert "did you mean `APL3`?" in run.stderr
    # A spelling mistake in a full code still gets the nearest code.
    run = cli(["lint", "--select", "APL2011", str(f), "--config", str(tmp_path / "none")])
    assert run.code == 2


def test_unknown_target_suggests_the_nearest(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    run = cli(["lint", "--target", "kubernets", str(f)])
    assert run.code == 2
    assert "unknown target `kubernets` (did you mean `kubernetes`?)" in run.stderr
