"""SARIF as GitHub code scanning reads it.

Every field code scanning uses is checked against values written here by hand: the rule
(`ruleId`, and `ruleIndex` into the driver's rules), `level`, `message`, the location
(a `uri` relative to `%SRCROOT%`, the region's start and end), `relatedLocations`,
`partialFingerprints` (the same across runs and when lines move, distinct for equal
findings), and the rule metadata (`helpUri`, and for security rules `security-severity`
and the `security` tag, by which code scanning ranks alerts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import position_of, run_cli
from tests.support.validators import available, validate_sarif

SHOP = """\
{
  "id": "shop",
  "containers": [
    {
      "id": "db",
      "type": "service",
      "image": "postgres:15.4",
      "resources": {"cpus": 1, "mem": 512},
      "network_mode": "BRIDGE"
    },
    {
      "id": "web",
      "type": "service",
      "image": "shop/web:1.0",
      "resources": {"cpus": 1, "mem": 256},
      "network_mode": "BRIDGE",
      "is_privileged": true,
      "env": {"A": "@dbx and @dbx", "B": "x"},
      "env": {"A": "@dbx and @dbx", "B": "x"}
    }
  ]
}
"""


def sarif(args: list[str]) -> dict[str, Any]:
    run = run_cli(["lint", "-f", "sarif", *args])
    assert run.code == 1, run.stderr
    log = json.loads(run.stdout)
    if available("sarif"):
        assert validate_sarif(log) == []
    return log


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    (run,) = log["runs"]
    return run["results"]


def rules(log: dict[str, Any]) -> list[dict[str, Any]]:
    return log["runs"][0]["tool"]["driver"]["rules"]


def region(text: str, needle: str, occurrence: int = 1) -> dict[str, int]:
    line, col, end_line, end_col = position_of(text, needle, occurrence)
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "my apps").mkdir()
    path = tmp_path / "my apps" / "shop.appliance.json"
    path.write_text(SHOP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def by_code(log: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [r for r in results(log) if r["ruleId"] == code]


def test_results_name_their_rule_level_and_message(shop: Path) -> None:
    log = sarif(["my apps/shop.appliance.json"])
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "applc"
    codes = sorted(r["ruleId"] for r in results(log))
    assert codes == ["APL002", "APL201", "APL201", "APL301"]
    for r in results(log):
        assert rules(log)[r["ruleIndex"]]["id"] == r["ruleId"]
    (dup,) = by_code(log, "APL002")
    (priv,) = by_code(log, "APL301")
    refs = by_code(log, "APL201")
    assert dup["level"] == "error"
    assert priv["level"] == "warning"
    assert [r["level"] for r in refs] == ["error", "error"]
    assert refs[0]["message"]["text"].startswith("unknown reference `@dbx`")
    assert "did you mean `@db`?" in refs[0]["message"]["text"]


def test_locations_are_relative_to_the_checkout_with_exact_regions(shop: Path) -> None:
    # An absolute path inside the working directory is written relative to it, too.
    for arg in ("my apps/shop.appliance.json", str(shop)):
        log = sarif([arg])
        (priv,) = by_code(log, "APL301")
        (loc,) = priv["locations"]
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "my%20apps/shop.appliance.json", "uriBaseId": "%SRCROOT%"}
        assert loc["physicalLocation"]["region"] == region(SHOP, "true")  # the value that is wrong
    refs = by_code(log, "APL201")
    # The second `env` wins (JSON's last-key rule): its two references, in order.
    assert [r["locations"][0]["physicalLocation"]["region"] for r in refs] == [
        region(SHOP, "@dbx", 3),
        region(SHOP, "@dbx", 4),
    ]
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_a_file_outside_the_checkout_is_an_absolute_uri_without_a_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "elsewhere" / "shop.appliance.json"
    path.parent.mkdir()
    path.write_text(SHOP, encoding="utf-8")
    (tmp_path / "checkout").mkdir()
    monkeypatch.chdir(tmp_path / "checkout")
    log = sarif([str(path)])
    artifact = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": path.as_uri()}


def test_related_locations_point_at_the_other_place(shop: Path) -> None:
    log = sarif(["my apps/shop.appliance.json"])
    (dup,) = by_code(log, "APL002")
    main = dup["locations"][0]["physicalLocation"]["region"]
    assert main == region(SHOP, '"env"', 2)  # the duplicate is the finding
    (related,) = dup["relatedLocations"]
    assert related["id"] == 1
    assert related["message"]["text"] == "first defined here"
    assert related["physicalLocation"]["region"] == region(SHOP, '"env"', 1)
    assert related["physicalLocation"]["artifactLocation"]["uri"] == (
        "my%20apps/shop.appliance.json"
    )
    (priv,) = by_code(log, "APL301")
    assert "relatedLocations" not in priv


def fingerprints(log: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (r["ruleId"], r["partialFingerprints"]["applcFingerprint/v1"]) for r in results(log)
    )


def test_fingerprints_are_stable_across_runs_and_line_moves(shop: Path) -> None:
    first = fingerprints(sarif(["my apps/shop.appliance.json"]))
    assert fingerprints(sarif(["my apps/shop.appliance.json"])) == first
    # The same appliance moved down and re-indented: every finding is on another line.
    moved = "\n\n\n" + SHOP.replace("\n      ", "\n        ")
    shop.write_text(moved, encoding="utf-8")
    log = sarif(["my apps/shop.appliance.json"])
    assert fingerprints(log) == first
    assert by_code(log, "APL301")[0]["locations"][0]["physicalLocation"]["region"] == region(
        moved, "true"
    )
    # Two equal findings in one value are two alerts, not one.
    assert len({fp for _, fp in first}) == len(first)


def test_fingerprints_change_with_what_is_found(shop: Path) -> None:
    first = dict(fingerprints(sarif(["my apps/shop.appliance.json"])))
    shop.write_text(SHOP.replace('"is_privileged": true', '"cmd": "@dbz"'), encoding="utf-8")
    log = sarif(["my apps/shop.appliance.json"])
    assert by_code(log, "APL301") == []
    new = {r["partialFingerprints"]["applcFingerprint/v1"] for r in by_code(log, "APL201")}
    assert first["APL201"] in new
    assert len(new) == 3


def test_rules_carry_help_and_security_rules_their_severity() -> None:
    log = json.loads(run_cli(["lint", "-f", "sarif", "-"], stdin="{}").stdout)
    by_id = {r["id"]: r for r in rules(log)}
    assert [r["id"] for r in rules(log)] == sorted(by_id)
    for code, r in by_id.items():
        assert r["helpUri"].startswith("https://") and code in r["helpUri"]
        assert r["shortDescription"]["text"]
        assert r["help"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    # Hand-written: what each security rule is worth to code scanning (critical 9+,
    # high 7+, medium 4+, low below).
    ranks = {"APL301": "high", "APL302": "high", "APL303": "medium", "APL304": "low"}
    ranks["APL305"] = "high"
    for code, rank in ranks.items():
        props = by_id[code]["properties"]
        score = float(props["security-severity"])
        got = (
            "critical"
            if score >= 9
            else "high"
            if score >= 7
            else "medium"
            if score >= 4
            else "low"
        )
        assert got == rank, (code, score)
        assert "security" in props["tags"]
        assert any(t.startswith("external/cwe/cwe-") for t in props["tags"])
    security = {c for c, r in by_id.items() if "security-severity" in r.get("properties", {})}
    assert security == set(ranks)  # anything else would show up as a security alert
    assert all(
        "security" not in r["properties"]["tags"] for c, r in by_id.items() if c not in ranks
    )
