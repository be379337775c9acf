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


# --------------------------------------------------------------------------- valid, then mutated

# Text biased toward what the reference rules read: `@id`, `\\@`, stray `@`, `$`, `$(`.
TRICKY_TEXT = st.lists(
    st.sampled_from(["@", "\\@", "$", "$(", ")", "@x", "a@b.com", " ", "-", "_", "é"]) | SAFE_TEXT,
    max_size=6,
).map("".join)


def _strings(c: dict) -> list[tuple[object, object]]:
    """(holder, key) of every string a reference can be in."""
    out: list[tuple[object, object]] = [(c["env"], k) for k in c["env"]]
    out += [(c["args"], i) for i in range(len(c["args"]))]
    return out


MISTAKES = [
    "unknown-ref",
    "tricky-text",
    "ref-without-dependency",
    "cycle",
    "unknown-dependency",
    "bad-port",
    "duplicate-port",
    "bad-resources",
    "security",
    "wrong-type",
    "drop-field",
    "unknown-field",
]


@st.composite
def mutated_appliances(draw):
    """A valid appliance with two to six mistakes of the kinds users make, so that
    nearly every example reaches the rules (a container with an id and an image) and
    most reach a finding."""
    app = draw(valid_appliances())
    cs = app["containers"]
    ids = [c["id"] for c in cs]
    # A few distinct kinds of mistake, in a random order: drawing one kind per step
    # would let Hypothesis's preference for the first options starve the last ones.
    # The ones that break a container's shape come last, where they break nothing the
    # others need.
    order = draw(st.permutations(MISTAKES))[: draw(st.integers(2, 6))]
    for kind in sorted(order, key=lambda k: k in ("wrong-type", "drop-field", "unknown-field")):
        c = draw(st.sampled_from(cs))
        if kind == "unknown-ref":
            c["env"]["REF"] = "http://@" + draw(LABEL) + "x:80"
        elif kind == "tricky-text":
            holders = _strings(c)
            if holders:
                holder, key = draw(st.sampled_from(holders))
                holder[key] = draw(TRICKY_TEXT)  # type: ignore[index]
            else:
                c["args"].append(draw(TRICKY_TEXT))
        elif kind == "ref-without-dependency":
            c["args"].append("@" + draw(st.sampled_from(ids)))
        elif kind == "cycle" and len(cs) >= 2:
            # A cycle through two or more containers (three or more when there are).
            members = draw(st.permutations(ids).map(lambda p: p[: max(2, min(len(p), 4))]))
            by_id = {x["id"]: x for x in cs}
            for a, b in zip(members, members[1:] + members[:1], strict=True):
                if b not in by_id[a]["dependencies"]:
                    by_id[a]["dependencies"].append(b)
        elif kind == "unknown-dependency":
            c["dependencies"].append(draw(LABEL) + "-gone")
        elif kind == "bad-port":
            c["ports"].append({"container_port": draw(st.sampled_from([0, -1, 65536, 10**6]))})
        elif kind == "duplicate-port":
            c["ports"] += [{"container_port": 8080}, {"container_port": 8080}]
        elif kind == "bad-resources":
            c["resources"][draw(st.sampled_from(["cpus", "mem"]))] = draw(
                st.sampled_from([0, -1, 0.001, 0.01, "2", -0.5])
            )
        elif kind == "security":
            extra = draw(
                st.sampled_from(
                    [
                        ("is_privileged", True),
                        ("image", "nginx"),
                        ("image", "nginx:latest"),
                        ("network_mode", "host"),
                        ("env", {**c["env"], "DB_PASSWORD": "hunter2"}),
                    ]
                )
            )
            c[extra[0]] = extra[1]
        elif kind == "wrong-type":
            c[draw(st.sampled_from(sorted(c)))] = draw(json_values)
        elif kind == "drop-field":
            c.pop(draw(st.sampled_from(sorted(c))))
        elif kind == "unknown-field":
            c[draw(st.sampled_from(["imag", "portz", "enviroment", "x"]))] = 1
    return app


FAMILIES = {
    "structure (APL1xx)": lambda code: code.startswith("APL1"),
    "references (APL201-204)": lambda code: code in ("APL201", "APL202", "APL203", "APL204"),
    "dependencies (APL211-212)": lambda code: code in ("APL211", "APL212"),
    "ports (APL221-224)": lambda code: code.startswith("APL22"),
    "resources (APL231-234)": lambda code: code.startswith("APL23"),
    "security (APL3xx)": lambda code: code.startswith("APL3"),
}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_appliances())
def test_lint_never_crashes_on_mutated_valid_appliances(app):
    _check_diagnostics(json.dumps(app, indent=1))


def family_shares(n: int = 300) -> tuple[dict[str, float], float]:
    """The share of generated examples with a finding of each family, and the share
    with a container that has an id and an image (so the container rules run)."""
    hits = dict.fromkeys([*FAMILIES, "any family"], 0)
    reached = 0
    seen = 0

    # Derandomized: the measurement is the same on every run, so it cannot flake.
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_appliances())
    def sample(app):
        nonlocal reached, seen
        seen += 1
        codes = {d.code for d in lint_text("m.json", json.dumps(app, indent=1))[1]}
        for family, member in FAMILIES.items():
            hits[family] += any(member(code) for code in codes)
        hits["any family"] += any(m(code) for m in FAMILIES.values() for code in codes)
        reached += any(
            isinstance(c, dict) and isinstance(c.get("id"), str) and "image" in c
            for c in app["containers"]
        )

    sample()
    return {f: h / seen for f, h in hits.items()}, reached / seen


def test_mutated_appliances_reach_every_rule_family():
    """Issue 15: arbitrary shapes reached a container with an id and an image in 6 of
    200 examples. Every family must now be reached often (the numbers are in
    docs/testing.md)."""
    shares, reached = family_shares()
    assert reached >= 0.9, reached
    assert shares.pop("any family") >= 0.7, shares
    assert all(share >= 0.1 for share in shares.values()), shares


# Small edits of a valid appliance's text: most still parse, so the rules run on them,
# and the rest are syntax errors next to real content (arbitrary text was a syntax
# error in 297 of 300 examples).
EDIT_CHARS = st.sampled_from(list('{}[],:"@\\$ 0-') + ["\\@", "@x", '"x"', "null"])


@st.composite
def edited_texts(draw):
    text = json.dumps(draw(mutated_appliances()), indent=1)
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "replace"]))
        if how == "insert":
            text = text[:i] + draw(EDIT_CHARS) + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + draw(EDIT_CHARS) + text[i + 1 :]
    return text


@settings(max_examples=200)
@given(edited_texts())
def test_lint_never_crashes_on_edited_appliance_text(text):
    _check_diagnostics(text)


def test_edited_texts_mostly_parse():
    parsed = seen = 0

    @settings(
        max_examples=200,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(edited_texts())
    def sample(text):
        nonlocal parsed, seen
        seen += 1
        parsed += not any(d.code == "APL001" for d in lint_text("e.json", text)[1])

    sample()
    assert parsed / seen >= 0.5, (parsed, seen)
