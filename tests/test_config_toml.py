"""Configuration read as TOML, mistakes reported all at once with positions, and paths
matched as .gitignore matches them (issue 11 items 12, 13 and 15)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLES

BROKEN = (EXAMPLES / "broken.appliance.json").read_text()


def _codes(run) -> set[str]:
    assert run.code in (0, 1), run.stderr
    return {d["code"] for d in json.loads(run.stdout)["diagnostics"]}


def _lint(cli, tmp_path, *args, name="a.json"):
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(BROKEN)
    return cli(["lint", "-f", "json", *args, str(f)])


# Each spelling means `ignore = ["APL3", "unknown-field"]` in tool.applc.
SPELLINGS = {
    "tool table, dotted key": '[tool]\napplc.ignore = ["APL3", "unknown-field"]\n',
    "top-level dotted key": 'tool.applc.ignore = ["APL3", "unknown-field"]\n',
    "spaced header": '[ tool . applc ]\nignore = ["APL3", "unknown-field"]\n',
    "quoted header": '[tool."applc"]\nignore = ["APL3", "unknown-field"]\n',
    "inline table": 'tool = { applc = { ignore = ["APL3", "unknown-field"] } }\n',
}


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_pyproject_every_toml_spelling_of_tool_applc(cli, tmp_path, text):
    # Top-level keys come before the first table, or they would belong to it.
    (tmp_path / "pyproject.toml").write_text(text + '\n[project]\nname = "x"\n')
    codes = _codes(_lint(cli, tmp_path))
    assert "APL201" in codes
    assert not any(c.startswith("APL3") for c in codes) and "APL102" not in codes


def test_a_table_with_a_longer_name_is_not_applc(cli, tmp_path):
    # [tool.applc-extra] is not [tool.applc]: the parent applc.toml stays in force.
    (tmp_path / "applc.toml").write_text('ignore = ["APL3"]\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.applc-extra]\nselect = ["APL1"]\n')
    codes = _codes(_lint(cli, sub))
    assert not any(c.startswith("APL3") for c in codes)
    assert "APL201" in codes


def test_unknown_dotted_key_under_tool_points_at_it(cli, tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool]\nblack.line-length = 3\napplc.slect = ["APL2"]\n')
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert f"{cfg}:3:7: unknown configuration key `tool.applc.slect`" in run.stderr
    assert "did you mean `select`?" in run.stderr


def test_every_mistake_is_reported_at_once_with_its_position(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text(
        "\n".join(
            [
                'select = ["APL2", "APL3xx"]',  # 1
                "fail-level = 3",  # 2
                "[budget]",  # 3
                "cpus = nan",  # 4
                "mem = inf",  # 5
                "disk = -1",  # 6
                "memory = 5",  # 7
                "[[suppress]]",  # 8
                "files = 5",  # 9
                'rules = ["APL301"]',  # 10
                "[[suppress]]",  # 11
                "files = [1, 2]",  # 12
                'rules = ["APL301"]',  # 13
                'pointer = "containers"',  # 14
            ]
        )
        + "\n"
    )
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert run.stdout == ""
    err = run.stderr
    expected = [
        ":1:19: unknown rule selector `APL3xx` in `select`",
        ":2:14: `fail-level` must be one of",
        ":4:8: budget `cpus` must be a finite number of at least 0, found nan",
        ":5:7: budget `mem` must be a finite number of at least 0, found inf",
        ":6:8: budget `disk` must be a finite number of at least 0, found -1",
        ":7:1: unknown budget key `memory`",
        ":9:9: a suppress `files` must be a glob or a list of globs",
        ":12:10: a suppress `files` must be a glob or a list of globs",
        ":12:13: a suppress `files` must be a glob or a list of globs",
        ":14:11: a suppress `pointer` must be a JSON pointer",
    ]
    for e in expected:
        assert f"{cfg}{e}" in err, (e, err)
    # In file order, and counted.
    positions = [err.index(f"{cfg}{e}") for e in expected]
    assert positions == sorted(positions)
    assert f"{len(expected)} mistakes in {cfg}" in err
    assert "did you mean `mem`?" in err
    assert "Traceback" not in err and "internal error" not in err


def test_unknown_default_target_suggests_one(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text('default-target = "kubernets"\n')
    f = tmp_path / "a.json"
    f.write_text((EXAMPLES / "mesos.appliance.json").read_text())
    run = cli(["build", str(f), "-o", str(tmp_path / "out")])
    assert run.code == 2
    assert f"{cfg}:1:18: unknown target `kubernets`" in run.stderr
    assert "did you mean `kubernetes`?" in run.stderr


def test_config_mistake_inside_inline_tables_and_arrays(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text(
        'suppress = [{ rules = ["APL301"], files = "x" }, { rules = ["APL9999"] }]\n'
        'severity = { "APL301" = "warn" }\n'
    )
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert f"{cfg}:1:61: unknown rule selector `APL9999` in a suppress `rules`" in run.stderr
    assert f"{cfg}:2:25: `severity.APL301` must be one of" in run.stderr
    assert 'did you mean "warning"?' in run.stderr


def test_invalid_toml_has_a_position(cli, tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.applc]\nselect = ["APL2"\n')
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert f"{cfg}:3:1: invalid TOML" in run.stderr


@pytest.mark.parametrize(
    "pattern",
    ["./vendor/b.json", "**/b.json", "b.json", "vendor/", "vendor/*.json", "/vendor/b.json"],
)
def test_per_file_ignores_match_as_gitignore_does(cli, tmp_path, pattern):
    (tmp_path / "applc.toml").write_text(f'[per-file-ignores]\n"{pattern}" = ["APL3"]\n')
    codes = _codes(_lint(cli, tmp_path, name="vendor/b.json"))
    assert "APL201" in codes and not any(c.startswith("APL3") for c in codes)


def test_per_file_ignores_with_an_absolute_path(cli, tmp_path):
    target = tmp_path / "vendor" / "b.json"
    (tmp_path / "applc.toml").write_text(f'[per-file-ignores]\n"{target}" = ["APL3"]\n')
    codes = _codes(_lint(cli, tmp_path, name="vendor/b.json"))
    assert not any(c.startswith("APL3") for c in codes)


@pytest.mark.parametrize("pattern", ["*.json", "deploy/b.json", "/b.json", "other/"])
def test_patterns_that_must_not_match(cli, tmp_path, pattern):
    # `*` does not cross `/` in a pattern with a slash; an anchored pattern is anchored.
    (tmp_path / "applc.toml").write_text(
        f'[per-file-ignores]\n"{pattern.replace("*.json", "vendor/*.json")}" = ["APL3"]\n'
    )
    codes = _codes(_lint(cli, tmp_path, name="vendor/deep/b.json"))
    assert any(c.startswith("APL3") for c in codes), pattern


def test_suppress_files_uses_the_same_matching(cli, tmp_path):
    (tmp_path / "applc.toml").write_text(
        '[[suppress]]\nfiles = "./**/b.json"\nrules = ["APL201"]\nreason = "upstream"\n'
    )
    codes = _codes(_lint(cli, tmp_path, name="vendor/b.json"))
    assert "APL201" not in codes and "APL102" in codes


def test_exclude_must_be_a_list_of_globs(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text('exclude = "vendor/"\nextend-exclude = ["ok/", 3, ""]\n')
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert f"{cfg}:1:11: `exclude` must be a list of globs" in run.stderr
    assert 'help: write ["vendor/"]' in run.stderr
    assert f"{cfg}:2:26: `extend-exclude` must be a glob or a list of globs" in run.stderr
    assert f"{cfg}:2:29: invalid glob `` in `extend-exclude`" in run.stderr


def test_tool_applc_table_in_applc_toml_says_where_keys_go(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text('[tool.applc]\nselect = ["APL2"]\n')
    run = _lint(cli, tmp_path)
    assert run.code == 2
    assert f"{cfg}:1:2: unknown configuration key `tool`" in run.stderr
    assert "drop the [tool.applc] header" in run.stderr
