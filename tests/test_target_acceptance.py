"""What lint lets through, every target accepts (issue 11, items 5, 11 and 26).

Each value here was once lint-clean and gave a file its platform refuses (Marathon's
rules, compose-go, Docker): now it is an error with the value's position, and the
build stops. `build --validate` checks the output against the schemas applc ships, so
a check switched off in lint still cannot slip through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, position_of, run_cli
from tests.support.validators import skip_unless_available, validate_compose

TARGETS = ("marathon", "compose", "kubernetes")


def _container(**extra) -> dict:
    return {
        "id": "web",
        "type": "service",
        "image": "nginx:1.25",
        "resources": {"cpus": 1, "mem": 256},
        "network_mode": "BRIDGE",
        "ports": [{"container_port": 80}],
        **extra,
    }


def _write(tmp_path: Path, value: dict, name: str = "shop.appliance.json") -> tuple[Path, str]:
    text = json.dumps(value, indent=2)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def _lint(path: Path, *extra: str) -> list[dict]:
    # The real command: a pointer can hold a lone surrogate, which its standard output
    # writes as a `\udfff` escape.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "applc", "lint", "-f", "json", str(path), *extra],
        capture_output=True,
        env=env,
        check=False,
    )
    return json.loads(proc.stdout)["diagnostics"]


def _at(diags: list[dict], code: str) -> list[tuple[int, int, int, int]]:
    return [
        (d["line"], d["column"], d["end_line"], d["end_column"]) for d in diags if d["code"] == code
    ]


# Each case: the container fields (or appliance fields), the rule, and the source text
# its finding points at (the value token, or the key for an env name).
CASES = [
    (
        {"health_check": {"protocol": "HTTP", "path": "healthz", "port_index": 0}},
        "APL104",
        '"healthz"',
    ),
    ({"image": ""}, "APL113", '""'),
    ({"image": "Nginx:1.25"}, "APL113", '"Nginx:1.25"'),
    ({"image": "nginx:1.25 "}, "APL113", '"nginx:1.25 "'),
    ({"env": {"": "x"}}, "APL114", '""'),
    ({"env": {"A=B": "x"}}, "APL114", '"A=B"'),
    ({"env": {"A": "\ud800"}}, "APL112", '"\\ud800"'),
    ({"env": {"\udfff": "x"}}, "APL112", '"\\udfff"'),
    ({"args": ["a\u0000b"]}, "APL112", '"a\\u0000b"'),
    ({"cmd": "echo \ud83d"}, "APL112", '"echo \\ud83d"'),
    ({"labels_x": 1, "unknown": "\ud800"}, "APL112", '"\\ud800"'),
]


@pytest.mark.parametrize(("fields", "code", "token"), CASES)
def test_a_value_some_target_refuses_is_an_error_at_the_value(tmp_path, fields, code, token):
    path, text = _write(tmp_path, {"id": "shop", "containers": [_container(**fields)]})
    diags = _lint(path)
    assert position_of(text, token) in _at(diags, code), diags
    assert all(d["severity"] == "error" for d in diags if d["code"] == code)
    for target in TARGETS:
        run = run_cli(["build", str(path), "-t", target, "-o", str(tmp_path / target)])
        assert run.code == 1 and f"error[{code}]" in run.stderr, (target, run.stderr)
        assert not (tmp_path / target).exists()


def test_a_surrogate_pair_is_a_character_not_an_error(tmp_path):
    path, _ = _write(
        tmp_path, {"id": "shop", "containers": [_container(env={"SMILE": "\U0001f600"})]}
    )
    text = path.read_text().replace("\U0001f600", "\\ud83d\\ude00")
    path.write_text(text, encoding="utf-8")
    assert not [d for d in _lint(path) if d["code"] == "APL112"]


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "nginx:1.25",
        "library/nginx:1.25-alpine",
        "registry.example.com:5000/team/app_x__y.z-w:v1.2.3_rc",
        "localhost/app@sha256:" + "a" * 64,
        "ghcr.io/org/app:1.0@sha256:" + "0" * 64,
        "[::1]:5000/app:1",
    ],
)
def test_every_form_of_image_reference_passes(tmp_path, image):
    path, _ = _write(tmp_path, {"id": "shop", "containers": [_container(image=image)]})
    assert not [d for d in _lint(path) if d["code"] == "APL113"]


# --------------------------------------------------------------------------- item 5


def _volumes(vid: str, scope: str = "GLOBAL") -> dict:
    return {
        "id": "shop",
        "data_persistence": {"volumes": [{"id": vid, "scope": scope}]},
        "containers": [_container(volumes=[{"src": vid, "dest": "/data"}])],
    }


def test_a_volume_id_that_is_a_host_path_is_an_error_and_a_socket_mount(tmp_path):
    path, text = _write(tmp_path, _volumes("/var/run/docker.sock"))
    diags = _lint(path)
    assert _at(diags, "APL111") == [position_of(text, '"/var/run/docker.sock"', 1)]
    assert _at(diags, "APL302") == [position_of(text, '"/var/run/docker.sock"', 2)]
    for target in TARGETS:
        run = run_cli(["build", str(path), "-t", target, "-o", str(tmp_path / target)])
        assert run.code == 1 and "error[APL111]" in run.stderr


@pytest.mark.parametrize("vid", ["pg data", "-pg", "pg:data", "..", "é"])
def test_a_volume_id_docker_cannot_name_is_an_error(tmp_path, vid):
    path, text = _write(tmp_path, _volumes(vid, "LOCAL"))
    assert _at(_lint(path), "APL111") == [position_of(text, json.dumps(vid), 1)]


def test_every_volume_id_lint_accepts_gives_a_file_compose_accepts(tmp_path):
    skip_unless_available("compose")
    for vid in ("pgdata", "PG.data_1-x", "9lives"):
        for scope in ("LOCAL", "GLOBAL"):
            path, _ = _write(tmp_path, _volumes(vid, scope))
            assert not [d for d in _lint(path) if d["severity"] == "error"]
            run = run_cli(["build", str(path), "-t", "compose", "-o", "-"])
            assert run.code == 0, run.stderr
            assert validate_compose(run.stdout) == [], (vid, scope)


def test_a_huge_cpu_count_still_gives_a_file_compose_accepts(tmp_path):
    skip_unless_available("compose")
    value = {"id": "shop", "containers": [_container(resources={"cpus": 2**63, "mem": 256})]}
    path, _ = _write(tmp_path, value)
    run = run_cli(["build", str(path), "-t", "compose", "-o", "-", "--ignore", "APL2"])
    assert run.code == 0, run.stderr
    assert validate_compose(run.stdout) == []


# --------------------------------------------------------------------------- item 26


def test_validate_passes_what_applc_builds(tmp_path):
    good = [
        p for p in sorted(EXAMPLES.glob("*.appliance.json")) if p.name != "broken.appliance.json"
    ]
    run = run_cli(["build", *map(str, good), "-t", "marathon", "-o", str(tmp_path), "--validate"])
    assert run.code == 0, run.stderr


def test_validate_stops_an_output_that_lint_was_told_to_let_through(tmp_path):
    check = {"protocol": "HTTP", "path": "healthz", "port_index": 0}
    path, _ = _write(tmp_path, {"id": "shop", "containers": [_container(health_check=check)]})
    out = tmp_path / "out"
    plain = run_cli(["build", str(path), "-t", "marathon", "-o", str(out), "--ignore", "APL104"])
    assert plain.code == 0  # lint was told to look away
    out2 = tmp_path / "out2"
    args = ["build", str(path), "-t", "marathon", "-o", str(out2), "--ignore", "APL104"]
    run = run_cli([*args, "--validate"])
    assert run.code == 1
    assert "shop.marathon.json: /apps/0/healthChecks/0/path:" in run.stderr
    assert "nothing was written" in run.stderr and not out2.exists()


def test_validate_reads_dollar_as_the_end_of_the_text(tmp_path):
    # Python's `$` also matches before a final newline; JSON Schema's does not.
    from applc.targets.validate import validate_text

    doc = {"id": "/shop\n", "apps": []}
    assert any("/shop" in p for p in validate_text("marathon-group.schema.json", json.dumps(doc)))
    assert (
        validate_text("marathon-group.schema.json", json.dumps({"id": "/shop", "apps": []})) == []
    )


def test_validate_says_which_targets_it_can_check(tmp_path):
    run = run_cli(
        ["build", str(EXAMPLES / "workflow.appliance.json"), "-t", "compose", "--validate"]
    )
    assert run.code == 2 and "schemas for the marathon target only" in run.stderr


def test_jsonschema_is_loaded_only_when_a_build_validates(tmp_path):
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(\n"
        "    f\"\\nLOADED={'jsonschema' in sys.modules}\\n\"))\n"
        "from applc.cli import main\n"
        "sys.argv = ['applc', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    src = str(EXAMPLES / "workflow.appliance.json")
    for args, loaded in (
        (["lint", src], False),
        (["build", src, "-t", "marathon", "-o", str(tmp_path / "a")], False),
        (["build", src, "-t", "marathon", "-o", str(tmp_path / "b"), "--validate"], True),
    ):
        proc = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert f"LOADED={loaded}" in proc.stderr, (args, proc.stderr)


def test_kubernetes_refuses_env_names_the_api_server_refuses(tmp_path):
    env = {"CAF\u00c9": "x", "A B": "y", "OK_1": "z"}
    path, text = _write(tmp_path, {"id": "shop", "containers": [_container(env=env)]})
    assert not [d for d in _lint(path) if d["code"] == "APL413"]  # no target: no finding
    diags = _lint(path, "--target", "kubernetes")
    found = {(d["severity"], d["line"], d["column"]) for d in diags if d["code"] == "APL413"}
    assert found == {
        ("error", *position_of(text, '"CAF\\u00c9"')[:2]),
        ("warning", *position_of(text, '"A B"')[:2]),
    }
    run = run_cli(["build", str(path), "-t", "kubernetes", "-o", str(tmp_path / "k8s")])
    assert run.code == 1 and "error[APL413]" in run.stderr
    for target in ("marathon", "compose"):
        run = run_cli(["build", str(path), "-t", target, "-o", str(tmp_path / target)])
        assert run.code == 0, run.stderr
