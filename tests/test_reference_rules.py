"""What the reference and dependency rules (APL201-APL204, APL211, APL212) say: the
message, the help, the labels and notes, the fix and where each points, spelled out by
hand for small appliances (docs/rules and conventions.md say what each must be)."""

from __future__ import annotations

import json

import pytest

from applc.api import lint_text
from applc.source import Span
from tests.conftest import position_of

DEFAULTS = {"type": "service", "image": "x:1", "resources": {"cpus": 1, "mem": 128}}


def _c(cid: str | None, **fields: object) -> str:
    value = {"id": cid} if cid is not None else {}
    return json.dumps({**value, **DEFAULTS, "network_mode": "container", **fields})


def _app(*containers: str) -> str:
    """One container a line, so a test can find each token with `position_of`."""
    return '{"id": "shop", "containers": [\n  ' + ",\n  ".join(containers) + "\n]}\n"


def _found(text: str, code: str):
    return [d for d in lint_text("case.json", text)[1] if d.code == code]


def _span(text: str, needle: str, nth: int = 1) -> Span:
    return Span(*position_of(text, needle, nth))


# --------------------------------------------------------------------------- APL212


def test_a_self_dependency_names_the_container_and_its_entry():
    text = _app(_c("a", dependencies=["a"]))
    [d] = _found(text, "APL212")
    assert d.message == "dependency cycle: `a` depends on itself"
    assert d.help == 'remove "a" from its own dependencies'
    assert d.span == _span(text, '"a"', 2)
    assert d.labels == () and d.notes == ()


def test_a_longer_cycle_labels_each_edge_and_points_at_the_closing_entry():
    text = _app(
        _c("a", dependencies=["x", "b"]),
        _c("b", dependencies=["c"]),
        _c("c", dependencies=["a"]),
        _c("x"),
    )
    [d] = _found(text, "APL212")
    assert d.message == "dependency cycle: a -> b -> c -> a"
    assert d.help == (
        "`c` depends on `a`, which closes the cycle; remove one of these dependencies"
    )
    assert d.notes == ("containers on a cycle never start",)
    line, col, end_line, end_col = position_of(text, '["a"]')
    assert d.span == Span(line, col + 1, end_line, end_col - 1)  # the "a" entry of c
    assert [(lb.message, lb.span) for lb in d.labels] == [
        ("`a` depends on `b`", _span(text, '"b"', 1)),
        ("`b` depends on `c`", _span(text, '"c"', 1)),
    ]
    assert d.pointer == "/containers/2/dependencies/0"


def test_a_cycle_closed_by_a_second_container_with_the_same_id_points_at_its_entry():
    # Both containers with id `b` add their dependencies to the graph; the entry that
    # closes the cycle is in the second one, not in the first (which has none).
    text = _app(_c("a", dependencies=["b"]), _c("b"), _c("b", dependencies=["a"]))
    [d] = _found(text, "APL212")
    assert d.message == "dependency cycle: a -> b -> a"
    assert d.pointer == "/containers/2/dependencies/0"
    assert d.span.line == 4
    assert [(lb.message, lb.span.line) for lb in d.labels] == [("`a` depends on `b`", 2)]


def test_every_cyclic_component_is_reported_once():
    text = _app(
        _c("a", dependencies=["b"]),
        _c("b", dependencies=["a"]),
        _c("c", dependencies=["c"]),
        _c("d", dependencies=["a"]),  # depends on a cycle, is not on one
    )
    assert [d.message for d in _found(text, "APL212")] == [
        "dependency cycle: a -> b -> a",
        "dependency cycle: `c` depends on itself",
    ]


# --------------------------------------------------------------------------- APL211


def test_an_unknown_dependency_suggests_a_close_id_with_a_safe_fix():
    text = _app(_c("db"), _c("web", dependencies=["dbb"]))
    [d] = _found(text, "APL211")
    assert d.message == "unknown dependency `dbb`"
    assert d.help == "did you mean `db`?"
    assert d.span == _span(text, '"dbb"')
    assert d.fix is not None and d.fix.safe
    assert d.fix.message == "replace with `db`"
    assert [(e.span, e.text) for e in d.fix.edits] == [(_span(text, '"dbb"'), '"db"')]


def test_an_unknown_dependency_far_from_every_id_gets_no_guess_and_no_fix():
    text = _app(_c("db"), _c("web", dependencies=["db", 7, "zzzzzz"]))
    [d] = _found(text, "APL211")
    assert d.message == "unknown dependency `zzzzzz`"
    assert d.pointer == "/containers/1/dependencies/2"
    assert d.help is None and d.fix is None


# --------------------------------------------------------------------------- APL201


@pytest.mark.parametrize(
    ("ref", "ids", "help_", "fix_text"),
    [
        ("@dbb", ["db"], "did you mean `@db`?", "@db"),
        ("@DB", ["db"], "did you mean `@db`?", "@db"),  # case only
        ("ops@exampel.com", ["example"], "did you mean `@example`?", "@example"),
        (
            "ops@example.com",
            ["db"],
            "if this is an e-mail address, escape the at sign: `\\\\@`",
            None,
        ),
        (
            "@zzzzzz",
            ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
            "containers in this appliance: c1, c2, c3, c4, c5, c6, c7, c8",
            None,
        ),
    ],
)
def test_an_unknown_reference_helps_as_far_as_it_can(ref, ids, help_, fix_text):
    text = _app(*[_c(i) for i in ids], _c("web", args=[f"--to={ref}"]))
    [d] = _found(text, "APL201")
    at = ref[ref.index("@") :].split(".")[0]
    assert d.message == f"unknown reference `{at}`"
    assert d.help == help_
    assert d.span == _span(text, at)
    if fix_text is None:
        assert d.fix is None
    else:
        assert d.fix is not None and d.fix.message == f"replace with `{fix_text}`"
        assert [(e.span, e.text) for e in d.fix.edits] == [(_span(text, at), fix_text)]


def test_an_unknown_reference_in_an_appliance_without_ids_has_no_help():
    text = _app(_c(None, args=["@zzzzzz"]))
    [d] = _found(text, "APL201")
    assert d.help is None and d.fix is None


# --------------------------------------------------------------------------- APL203


def test_an_email_address_whose_domain_is_a_container_is_ambiguous():
    text = _app(_c("example", dependencies=[]), _c("web", env={"MAIL": "ops@example.com"}))
    found = _found(text, "APL203")
    assert [(d.message, d.help, d.span) for d in found] == [
        (
            "`@example` in what looks like an e-mail address refers to container `example`",
            "if this is an e-mail address, escape the at sign: `\\\\@`",
            _span(text, "@example"),
        )
    ]


def test_a_stray_at_sign_points_at_itself():
    text = _app(_c("web", args=["a @ b"]))
    [d] = _found(text, "APL203")
    assert d.message == "`@` is not followed by a container id"
    assert d.help == "write a literal at sign as `\\\\@`"
    line, col, _, _ = position_of(text, "@ b")
    assert d.span == Span(line, col, line, col + 1)


# --------------------------------------------------------------------------- APL202


def test_a_reference_without_a_dependency_says_which_to_add_once_per_pair():
    text = _app(_c("db"), _c("web", args=["@db", "@db:5432"], dependencies=["x"]), _c("x"))
    [d] = _found(text, "APL202")
    assert d.message == "`web` refers to `@db` but does not depend on it"
    assert d.help == 'add "db" to the dependencies of `web`'
    assert d.notes == ("nothing orders their start, so the name may not resolve yet",)
    assert d.span == _span(text, "@db")
    assert [(lb.message, lb.span) for lb in d.labels] == [
        ("dependencies here", _span(text, '["x"]'))
    ]


def test_a_reference_without_a_dependency_list_has_no_label():
    text = _app(_c("db"), _c("web", args=["@db"]))
    [d] = _found(text, "APL202")
    assert d.labels == ()


@pytest.mark.parametrize(
    "containers",
    [
        [_c("db"), _c("web", args=["@db"], dependencies=["db"])],  # direct
        [_c("db", dependencies=["web"]), _c("web", args=["@db"])],  # the other way
        [  # transitive, both ways
            _c("db"),
            _c("api", dependencies=["db"]),
            _c("web", args=["@db"], dependencies=["api"]),
            _c("cache", dependencies=["web"], args=["@db"]),
            _c("job", args=["@cache"], dependencies=["api"]),  # unrelated: reported
        ],
        [_c("web", args=["@web"])],  # itself
    ],
)
def test_related_containers_may_refer_to_each_other(containers):
    found = _found(_app(*containers), "APL202")
    assert [d.message for d in found] == (
        ["`job` refers to `@cache` but does not depend on it"] if len(containers) == 5 else []
    )


def test_relatedness_is_remembered_per_container():
    # `web` asks about `db` (reached through a chain) and then about `x` (not reached):
    # a cached answer for `web` must still know `db`, and still not know `x`.
    text = _app(
        _c("db"),
        _c("mid", dependencies=["db"]),
        _c("x"),
        _c("web", args=["@x", "@db", "@x:1", "@mid"], dependencies=["mid"]),
    )
    assert [(d.message, d.span) for d in _found(text, "APL202")] == [
        ("`web` refers to `@x` but does not depend on it", _span(text, "@x")),
    ]


# --------------------------------------------------------------------------- APL204


@pytest.mark.parametrize(
    ("mode", "ports", "ref", "listed"),
    [
        (
            "BRIDGE",
            [{"container_port": 5432, "host_port": 15432}, {"container_port": 80}],
            "@db:5433",
            "80, 5432, 15432",
        ),
        ("HOST", [{"container_port": 5432, "host_port": 15432}], "@db:15432", "5432"),
        ("HOST", [], "@db:1", "none"),
    ],
)
def test_a_port_the_target_does_not_expose(mode, ports, ref, listed):
    text = _app(
        _c("db", network_mode=mode, ports=ports),
        _c("web", args=[f"x{ref}/y"], dependencies=["db"]),
    )
    [d] = _found(text, "APL204")
    port = ref.split(":")[1]
    assert d.message == f"`@db:{port}`: `db` runs in {mode} mode and does not expose port {port}"
    assert d.help == f"ports of `db`: {listed}"
    assert d.span == _span(text, ref)
    assert [(lb.message, lb.span) for lb in d.labels] == [
        ("ports declared here", _span(text, json.dumps(ports)))
    ]


def test_a_port_label_falls_back_to_the_id_without_ports():
    text = _app(_c("db", network_mode="BRIDGE"), _c("web", args=["@db:80"], dependencies=["db"]))
    [d] = _found(text, "APL204")
    assert d.help == "ports of `db`: none"
    assert [(lb.message, lb.span) for lb in d.labels] == [
        ("ports declared here", _span(text, '"db"'))
    ]


@pytest.mark.parametrize(
    ("mode", "ports", "ref"),
    [
        ("BRIDGE", [{"container_port": 5432, "host_port": 15432}], "@db:15432"),  # host port
        ("BRIDGE", [{"container_port": 5432}], "@db:5432"),
        ("HOST", [{"container_port": 5432}], "@db:5432"),
        ("CONTAINER", [{"container_port": 5432}], "@db:9"),  # every port is reachable
        ("BRIDGE", [{"container_port": 5432}], "@db:123456"),  # not a port
        ("BRIDGE", [{"container_port": 5432}], "@db:/x"),
    ],
)
def test_reachable_ports_are_not_reported(mode, ports, ref):
    text = _app(
        _c("db", network_mode=mode, ports=ports), _c("web", args=[ref], dependencies=["db"])
    )
    assert _found(text, "APL204") == []


def test_a_host_port_of_a_host_mode_container_is_not_one_it_exposes():
    # In HOST mode the container port is the host's port: `host_port` adds nothing.
    text = _app(
        _c("db", network_mode="HOST", ports=[{"container_port": 5432, "host_port": 6000}]),
        _c("web", args=["@db:6000"], dependencies=["db"]),
    )
    [d] = _found(text, "APL204")
    assert d.help == "ports of `db`: 5432"
