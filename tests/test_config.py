"""Configuration as users write it: discovery, every key, and mistakes pointed at."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES

BROKEN = (EXAMPLES / "broken.appliance.json").read_text()


def _codes(run) -> set[str]:
    return {d["code"] for d in json.loads(run.stdout)["diagnostics"]}


def test_applc_toml_is_found_walking_up(cli, tmp_path):
    (tmp_path / "applc.toml").write_text('ignore = ["APL3", "unknown-field"]\n')
    sub = tmp_path / "deploy" / "prod"
    sub.mkdir(parents=True)
    (sub / "b.appliance.json").write_text(BROKEN)
    codes = _codes(cli(["lint", "-f", "json", str(sub / "b.appliance.json")]))
    assert "APL201" in codes
    assert not any(c.startswith("APL3") for c in codes) and "APL102" not in codes


def test_pyproject_tool_table(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.applc]\nselect = ["APL2"]\n'
        '[tool.applc.severity]\n"reference-without-dependency" = "error"\n'
    )
    f = tmp_path / "b.appliance.json"
    f.write_text(BROKEN)
    data = json.loads(cli(["lint", "-f", "json", str(f)]).stdout)
    assert {d["code"][:4] for d in data["diagnostics"]} == {"APL2"}
    sev = {d["code"]: d["severity"] for d in data["diagnostics"]}
    assert sev["APL202"] == "error"


def test_per_file_ignores_and_pointer_scoped_suppressions(cli, tmp_path):
    (tmp_path / "applc.toml").write_text(
        '[per-file-ignores]\n"vendor/*.json" = ["APL3"]\n\n'
        '[[suppress]]\nfiles = ["vendor/*.json"]\npointer = "/containers/1"\n'
        'rules = ["APL201"]\nreason = "upstream file"\n'
    )
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "b.json").write_text(BROKEN)
    codes = _codes(cli(["lint", "-f", "json", str(vendor / "b.json")]))
    assert not any(c.startswith("APL3") for c in codes)
    data = json.loads(cli(["lint", "-f", "json", str(vendor / "b.json")]).stdout)
    refs = [d for d in data["diagnostics"] if d["code"] == "APL201"]
    assert [d["pointer"] for d in refs] == ["/containers/10/env/GF_SMTP_FROM_ADDRESS"]


def test_fail_level_and_budget_from_config(cli, tmp_path):
    (tmp_path / "applc.toml").write_text('fail-level = "warning"\n[budget]\ncpus = 1\n')
    f = tmp_path / "m.json"
    f.write_text((EXAMPLES / "mesos.appliance.json").read_text())
    run = cli(["lint", "-f", "concise", str(f)])
    assert run.code == 1
    assert "APL233 [error] the appliance needs 6 cpus, over the budget of 1" in run.stdout


def test_unknown_key_points_at_the_key_with_a_suggestion(cli, tmp_path):
    cfg = tmp_path / "applc.toml"
    cfg.write_text('select = ["APL2"]\n\nignroe = ["APL3"]\n')
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    run = cli(["lint", str(f)])
    assert run.code == 2
    assert f"{cfg}:3:1: unknown configuration key `ignroe`" in run.stderr
    assert "did you mean `ignore`?" in run.stderr
    assert run.stdout == ""


def test_bad_values_are_config_errors(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    cases = [
        ('fail-level = "fatal"\n', "`fail-level` must be one of"),
        ('select = ["APL2011"]\n', "did you mean `APL211`?"),
        ("[budget]\nmemory = 4\n", "did you mean `mem`?"),
        ('[severity]\nAPL301 = "loud"\n', "`severity.APL301` must be one of"),
        ("select = [\n", "invalid TOML"),
        ('[[suppress]]\nrules = ["APL3"]\npointr = "/a"\n', "did you mean `pointer`?"),
    ]
    for text, expected in cases:
        (tmp_path / "applc.toml").write_text(text)
        run = cli(["lint", str(f)])
        assert run.code == 2, text
        assert expected in run.stderr, (text, run.stderr)


def test_pyproject_unknown_key_position(cli, tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[project]\nname = "x"\nselect = 1\n\n[tool.applc]\n  slect = ["APL2"]\n')
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    run = cli(["lint", str(f)])
    assert run.code == 2
    assert f"{cfg}:6:3: unknown configuration key `tool.applc.slect`" in run.stderr
    assert "did you mean `select`?" in run.stderr


def test_explicit_config_replaces_discovery(cli, tmp_path):
    (tmp_path / "applc.toml").write_text('select = ["APL2"]\n')
    other = tmp_path / "other.toml"
    other.write_text('select = ["APL3"]\n')
    f = tmp_path / "a.json"
    f.write_text(BROKEN)
    codes = _codes(cli(["lint", "-f", "json", "--config", str(other), str(f)]))
    assert {c[:4] for c in codes} == {"APL3"}
    missing = cli(["lint", "--config", str(tmp_path / "none.toml"), str(f)])
    assert missing.code == 2


def test_exclude_applies_to_folders_and_with_force_exclude(cli, tmp_path):
    (tmp_path / "applc.toml").write_text('exclude = ["legacy/*"]\n')
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "x.appliance.json").write_text(BROKEN)
    assert json.loads(cli(["lint", "-f", "json", str(tmp_path)]).stdout)["summary"]["files"] == 0
    run = cli(["lint", "--force-exclude", "-f", "json", str(legacy / "x.appliance.json")])
    assert json.loads(run.stdout)["summary"]["files"] == 0
