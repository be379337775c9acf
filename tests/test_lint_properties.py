"""Properties of lint over generated input: it never crashes, and valid appliances are clean."""

from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applc.api import lint_text
from applc.diagnostics import Severity

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "id",
    "type",
    "image",
    "resources",
    "cmd",
    "args",
    "env",
    "volumes",
    "network_mode",
    "ports",
    "dependencies",
    "health_check",
    "instances",
    "interval",
    "x-applc-ignore",
    "cpus",
    "mem",
    "container_port",
    "host_port",
    "src",
    "mode",
]
field_keys = st.sampled_from(FIELDS) | st.text(max_size=8)
shaped = st.recursive(
    json_values,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(field_keys, children, max_size=6)
    ),
    max_leaves=30,
)


def _check_diagnostics(text: str) -> None:
    doc, diags = lint_text("fuzz.json", text)
    lines = text.split("\n")
    for d in diags:
        assert 1 <= d.span.line <= len(lines)
        assert 1 <= d.span.column <= len(lines[d.span.line - 1]) + 1
        assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column)
        assert d.message
    assert [d.sort_key for d in diags] == sorted(d.sort_key for d in diags)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["id", "containers", "data_persistence", "scheduler"])
        | st.text(max_size=6),
        shaped,
        max_size=4,
    )
)
def test_lint_never_crashes_on_arbitrary_appliance_shapes(value):
    _check_diagnostics(json.dumps(value, indent=1))


@settings(max_examples=200, deadline=None)
@given(st.lists(shaped, max_size=4))
def test_lint_never_crashes_on_arbitrary_containers(containers):
    _check_diagnostics(json.dumps({"id": "a", "containers": containers}))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_lint_never_crashes_on_arbitrary_text(text):
    _check_diagnostics(text)


LABEL = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5})?", fullmatch=True)
SAFE_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_=/:.,", max_size=20)


@st.composite
def valid_appliances(draw):
    ids = draw(st.lists(LABEL, min_size=1, max_size=8, unique=True))
    containers = []
    for i, cid in enumerate(ids):
        earlier = ids[:i]
        deps = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        is_job = draw(st.booleans()) and i > 0
        refs = [f"@{d}" for d in deps]
        args = [draw(SAFE_TEXT) + r for r in refs] + draw(st.lists(SAFE_TEXT, max_size=2))
        c = {
            "id": cid,
            "type": "job" if is_job else "service",
            "image": f"registry.example/{cid}:{draw(st.integers(1, 9))}.0",
            "resources": {
                "cpus": draw(st.sampled_from([1, 2, 4])),
                "mem": draw(st.integers(128, 8192)),
            },
            "network_mode": "bridge" if is_job else "container",
            "args": args,
            "env": {
                f"VAR_{k}": v for k, v in enumerate(draw(st.lists(SAFE_TEXT, max_size=3))) if v
            },
            "dependencies": deps,
            "ports": [
                {"container_port": p}
                for p in draw(st.lists(st.integers(1, 65535), unique=True, max_size=3))
            ],
        }
        if is_job:
            c["interval"] = draw(st.sampled_from(["T10M", "1D", "T1H"]))
        containers.append(c)
    return {"id": draw(LABEL), "containers": containers}


@settings(max_examples=150, deadline=None)
@given(valid_appliances())
def test_valid_appliances_lint_clean(app):
    diags = lint_text("ok.json", json.dumps(app, indent=2))[1]
    assert [d for d in diags if d.severity >= Severity.WARNING] == []
