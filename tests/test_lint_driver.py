"""The lint driver (applc/lint.py): which rules run, at what severity, what
`x-applc-ignore` entries and `[[suppress]]` settings silence, and what they say about
themselves. Each expectation is written out by hand from docs/configuration.md and
conventions.md ("Configuration")."""

from __future__ import annotations

import json

import pytest

from applc import lint as lint_module
from applc.api import lint_text
from applc.config import Settings, Suppression
from applc.diagnostics import Severity
from applc.rules.context import Budget
from applc.rules.registry import load_rules
from applc.source import Span
from tests.conftest import position_of

IGNORE = "x-applc-ignore"


def _c(cid: str, **fields: object) -> dict:
    return {
        "id": cid,
        "type": "service",
        "image": "x:1",
        "resources": {"cpus": 1, "mem": 128},
        "network_mode": "container",
        **fields,
    }


def _text(*containers: dict, **top: object) -> str:
    """One container a line, so a test can find each token with `position_of`."""
    head = json.dumps({"id": "shop", **top})[:-1]
    body = ",\n  ".join(json.dumps(c) for c in containers)
    return head + ', "containers": [\n  ' + body + "\n]}\n"


# web: privileged (APL301) with an unpinned image (APL304); db: privileged too, with an
# empty env value (APL248), so that rules of another family are there to be selected.
PLAIN = (
    _c("web", image="nginx:latest", is_privileged=True),
    _c("db", is_privileged=True, env={"A": ""}),
)


def _codes(text: str, settings: Settings | None = None, name: str = "case.json", **kw):
    return [(d.code, d.pointer) for d in lint_text(name, text, settings, **kw)[1]]


def _only(text: str, settings: Settings | None = None, name: str = "case.json"):
    return sorted({code for code, _ in _codes(text, settings, name)})


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize(
    ("select", "ignore", "extend", "expected"),
    [
        (("ALL",), (), (), ["APL248", "APL301", "APL304"]),
        (("APL3",), ("APL301",), (), ["APL304"]),
        (("APL301",), ("APL3",), (), ["APL301"]),  # the more specific selector wins
        (("APL301",), ("APL301",), (), []),  # a tie goes to ignore
        (("APL304",), ("APL3",), ("privileged",), ["APL301", "APL304"]),  # names count as codes
        (("unpinned-image",), ("APL30",), (), ["APL304"]),
        (("APL2",), (), (), ["APL248"]),
    ],
)
def test_select_ignore_and_extend_select(select, ignore, extend, expected):
    s = Settings(select=select, ignore=ignore, extend_select=extend)
    assert _only(_text(*PLAIN), s) == expected


def test_per_file_ignores_apply_to_the_files_they_name():
    s = Settings(per_file_ignores=(("case.json", ("APL304",)), ("other.json", ("APL301",))))
    assert _only(_text(*PLAIN), s, "case.json") == ["APL248", "APL301"]
    assert _only(_text(*PLAIN), s, "other.json") == ["APL248", "APL304"]
    assert _only(_text(*PLAIN), s, "third.json") == ["APL248", "APL301", "APL304"]


def test_rules_that_are_always_on_cannot_be_deselected():
    s = Settings(select=("APL3",), ignore=("APL0",))
    assert _only('{"id": "shop", "containers": [,]}', s) == ["APL001"]


# --------------------------------------------------------------------------- severity


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ((), {"APL301": Severity.WARNING, "APL304": Severity.WARNING}),
        (
            (("APL3", Severity.ERROR), ("APL301", Severity.INFO)),
            {"APL301": Severity.INFO, "APL304": Severity.ERROR},
        ),
        # the most specific selector wins whatever its place
        (
            (("APL301", Severity.INFO), ("APL3", Severity.ERROR)),
            {"APL301": Severity.INFO, "APL304": Severity.ERROR},
        ),
        # equally specific: the later one wins
        (
            (("APL301", Severity.INFO), ("apl301", Severity.ERROR)),
            {"APL301": Severity.ERROR, "APL304": Severity.WARNING},
        ),
        ((("ALL", Severity.INFO),), {"APL301": Severity.INFO, "APL304": Severity.INFO}),
    ],
)
def test_severity_overrides(severity, expected):
    diags = lint_text("case.json", _text(PLAIN[0]), Settings(severity=severity))[1]
    assert {d.code: d.severity for d in diags} == expected


# --------------------------------------------------------------------------- inline ignores


def test_an_ignore_covers_its_object_and_below_and_nothing_beside_it():
    web = _c("web", image="nginx:latest", is_privileged=True, **{IGNORE: {"APL301": "needs it"}})
    text = _text(web, PLAIN[1])
    assert _codes(text) == [
        ("APL304", "/containers/0/image"),
        ("APL301", "/containers/1/is_privileged"),
        ("APL248", "/containers/1/env/A"),
    ]


def test_an_ignore_inside_a_list_item_is_found():
    port = {"container_port": 80, "host_port": 70000, IGNORE: {"APL221": "on purpose"}}
    text = _text(_c("web", network_mode="bridge", ports=[{"container_port": 81}, port]))
    assert _codes(text) == []
    # and without it, the finding is there
    del port[IGNORE]
    assert _codes(
        _text(_c("web", network_mode="bridge", ports=[{"container_port": 81}, port]))
    ) == [("APL221", "/containers/0/ports/1/host_port")]


def test_an_ignore_whose_key_is_spelt_with_escapes_still_counts():
    web = _c("web", is_privileged=True)
    text = _text(web).replace(
        '"is_privileged"', '"x-applc-\\u0069gnore": {"APL301": "why"}, "is_privileged"'
    )
    assert "x-applc-ignore" not in text
    assert _codes(text) == []


def test_an_ignore_at_the_top_covers_the_file():
    text = _text(*PLAIN, **{IGNORE: {"APL3": "a lab appliance"}})
    assert _codes(text) == [("APL248", "/containers/1/env/A")]


def test_a_name_or_a_prefix_selects_what_an_ignore_covers():
    web = _c("web", image="nginx:latest", is_privileged=True, **{IGNORE: {"privileged": "why"}})
    assert _only(_text(web)) == ["APL304"]


def test_an_unused_ignore_is_reported_at_its_key():
    web = _c("web", **{IGNORE: {"APL301": "not privileged any more"}})
    text = _text(web)
    [d] = lint_text("case.json", text)[1]
    assert d.code == "APL090"
    assert d.message == "unused suppression of `APL301`: nothing here reports it"
    assert d.help == "remove the `APL301` entry"
    assert d.span == Span(*position_of(text, '"APL301"'))
    assert d.pointer == f"/containers/0/{IGNORE}/APL301"


def test_an_unused_ignore_of_a_rule_that_does_not_run_is_not_reported():
    web = _c("web", **{IGNORE: {"APL301": "not privileged any more"}})
    assert _codes(_text(web), Settings(ignore=("APL301",))) == []
    assert _codes(_text(web), Settings(ignore=("APL090",))) == []


def test_an_ignore_that_is_not_an_object():
    text = _text(_c("web", **{IGNORE: ["APL301"]}))
    [d] = lint_text("case.json", text)[1]
    assert (d.code, d.pointer) == ("APL103", f"/containers/0/{IGNORE}")
    assert d.message == f"`{IGNORE}` must be an object of rule = reason"
    assert d.help == f'write "{IGNORE}": {{"APL301": "why this is fine"}}'
    assert d.span == Span(*position_of(text, '["APL301"]'))


@pytest.mark.parametrize(
    ("selector", "help_"),
    [
        ("APL3010", "did you mean `APL301`?"),
        ("privilegd", "did you mean `privileged`?"),
        ("nothing-like-any-rule-at-all", "run `applc rules` for the list"),
    ],
)
def test_an_ignore_of_no_rule(selector, help_):
    text = _text(_c("web", **{IGNORE: {selector: "why"}}))
    [d] = lint_text("case.json", text)[1]
    assert (d.code, d.pointer) == ("APL091", f"/containers/0/{IGNORE}/{selector}")
    assert d.message == f"`{selector}` in `{IGNORE}` names no rule"
    assert d.help == help_
    assert d.span == Span(*position_of(text, f'"{selector}"'))


def test_a_reason_that_is_not_a_string_is_reported_and_still_suppresses():
    web = _c("web", is_privileged=True, **{IGNORE: {"APL301": 1}})
    text = _text(web)
    [d] = lint_text("case.json", text)[1]
    assert (d.code, d.pointer) == ("APL103", f"/containers/0/{IGNORE}/APL301")
    assert d.message == "the reason of a suppression must be a string"
    assert d.help == 'write "APL301": "why this is fine"'
    line, col, _, _ = position_of(text, ": 1}")
    assert d.span == Span(line, col + 2, line, col + 3)


def test_findings_about_reading_and_about_suppressions_cannot_be_suppressed():
    # `APL0` would cover APL001-APL091; none of those may be silenced, so it covers
    # nothing and is itself unused.
    text = _text(_c("web"), **{IGNORE: {"APL0": "everything", "APL9999": "typo"}})
    assert _codes(text) == [
        ("APL090", f"/{IGNORE}/APL0"),
        ("APL091", f"/{IGNORE}/APL9999"),
    ]


def test_inline_ignores_can_be_turned_off():
    web = _c("web", is_privileged=True, **{IGNORE: {"APL301": "why", "APL9999": "typo"}})
    assert _codes(_text(web), Settings(inline_ignores=False)) == [
        ("APL301", "/containers/0/is_privileged"),
    ]


DSL = """appliance shop

service web {
  ignore APL301 "needs the host's devices"
  image "x:1"
  resources cpus=1 mem=128
  network container
  privileged
}

service db {
  image "x:1"
  resources cpus=1 mem=128
  network container
  privileged
}
"""


def test_dsl_ignore_lines_suppress_like_json_entries():
    assert _codes(DSL, name="case.appl") == [("APL301", "/containers/1/is_privileged")]


# --------------------------------------------------------------------------- [[suppress]]


@pytest.mark.parametrize(
    ("files", "pointer", "rules", "expected"),
    [
        (
            ("case.json",),
            "/containers/1",
            ("APL301",),
            ["/containers/0/image", "/containers/0/is_privileged", "/containers/1/env/A"],
        ),
        (("*.json",), "", ("privileged",), ["/containers/0/image", "/containers/1/env/A"]),
        (
            ("case.json",),
            "/containers/0",
            ("APL3",),
            ["/containers/1/env/A", "/containers/1/is_privileged"],
        ),
        (
            ("other.json",),
            "",
            ("APL3",),
            [
                "/containers/0/image",
                "/containers/0/is_privileged",
                "/containers/1/env/A",
                "/containers/1/is_privileged",
            ],
        ),
        (
            ("case.json",),
            "/containers/0",
            ("APL2",),
            [
                "/containers/0/image",
                "/containers/0/is_privileged",
                "/containers/1/env/A",
                "/containers/1/is_privileged",
            ],
        ),
        (
            ("case.json",),
            "/containers/1",
            ("APL2",),
            ["/containers/0/image", "/containers/0/is_privileged", "/containers/1/is_privileged"],
        ),
        (
            ("case.json",),
            "/containers/1/env",
            ("APL248", "APL3"),
            ["/containers/0/image", "/containers/0/is_privileged", "/containers/1/is_privileged"],
        ),
        # `/containers/1` does not cover `/containers/0`
        (
            ("case.json",),
            "/containers/1",
            ("APL304",),
            [
                "/containers/0/image",
                "/containers/0/is_privileged",
                "/containers/1/env/A",
                "/containers/1/is_privileged",
            ],
        ),
    ],
)
def test_config_suppressions_by_file_pointer_and_rule(files, pointer, rules, expected):
    s = Settings(suppress=(Suppression(files, pointer, rules, "reason"),))
    assert sorted(p for _, p in _codes(_text(*PLAIN), s)) == expected


def test_config_suppressions_cannot_silence_reading_errors():
    s = Settings(suppress=(Suppression(("case.json",), "", ("ALL",), "reason"),))
    assert _only('{"id": "shop", "containers": [,]}', s) == ["APL001"]


# --------------------------------------------------------------------------- the driver


def test_diagnostics_come_sorted_by_position_then_code():
    text = _text(
        _c("web", image="nginx:latest", is_privileged=True, env={"A": ""}),
        _c("db", is_privileged=True),
    )
    diags = lint_text("case.json", text)[1]
    keys = [(d.span.line, d.span.column, d.code) for d in diags]
    assert [(d.code, d.pointer) for d in diags] == [
        ("APL304", "/containers/0/image"),
        ("APL301", "/containers/0/is_privileged"),
        ("APL248", "/containers/0/env/A"),
        ("APL301", "/containers/1/is_privileged"),
    ]
    assert keys == sorted(keys)


def test_a_file_that_does_not_parse_gets_only_its_reading_errors():
    text = '{"id": "shop", "containers": [{"id": "web", "is_privileged": true,}]}'
    assert _only(text) == ["APL001"]


def test_a_failing_check_is_an_internal_error_naming_the_check_and_the_file(monkeypatch):
    from applc.rules.registry import CHECKS, Check

    def boom(ctx):
        raise ValueError("boom")

    i, broken = next((i, c) for i, c in enumerate(CHECKS) if "APL301" in c.codes)
    monkeypatch.setattr(
        lint_module,
        "CHECKS",
        [*CHECKS[:i], Check(broken.codes, boom, broken.target), *CHECKS[i + 1 :]],
    )
    with pytest.raises(lint_module.InternalError) as info:
        lint_text("case.json", _text(*PLAIN))
    assert str(info.value) == (
        f"check {boom.__module__}.boom failed on case.json: ValueError: boom"
    )


def test_a_check_whose_rules_are_all_off_does_not_run(monkeypatch):
    from applc.rules.registry import CHECKS, Check

    def boom(ctx):
        raise ValueError("boom")

    i, broken = next((i, c) for i, c in enumerate(CHECKS) if "APL301" in c.codes)
    monkeypatch.setattr(
        lint_module,
        "CHECKS",
        [*CHECKS[:i], Check(broken.codes, boom, broken.target), *CHECKS[i + 1 :]],
    )
    assert set(broken.codes) == {"APL301", "APL302", "APL303", "APL304"}
    assert _only(_text(*PLAIN), Settings(ignore=("APL3",))) == ["APL248"]
    # one of its rules on is enough for it to run
    with pytest.raises(lint_module.InternalError):
        lint_text("case.json", _text(*PLAIN), Settings(select=("APL302",)))


def test_a_target_adds_its_own_checks():
    # A container id that starts with a digit cannot name a Kubernetes Service (APL407);
    # only the kubernetes target's checks say so.
    text = _text(_c("1web"))
    assert "APL407" not in _only(text)
    assert "APL407" in [c for c, _ in _codes(text, target="kubernetes")]


def test_budget_comes_from_the_settings_unless_options_say_otherwise():
    s = Settings(budget=Budget(cpus=1))
    assert "APL233" in _only(_text(*PLAIN), s)
    assert "APL233" not in _only(_text(*PLAIN))


def test_a_finding_with_its_own_severity_keeps_it_unless_the_settings_say_otherwise():
    # APL232 is a warning below Marathon's floor and info below PIVOT's documented minimum.
    low = _text(_c("web", resources={"cpus": 0.5, "mem": 128}))
    lower = _text(_c("web", resources={"cpus": 0.005, "mem": 128}))
    assert [d.severity for d in lint_text("case.json", low)[1]] == [Severity.INFO]
    assert [d.severity for d in lint_text("case.json", lower)[1]] == [Severity.WARNING]
    s = Settings(severity=(("APL232", Severity.ERROR),))
    assert [d.severity for d in lint_text("case.json", low, s)[1]] == [Severity.ERROR]


def test_entries_after_one_that_names_no_rule_still_count():
    web = _c("web", is_privileged=True, **{IGNORE: {"APL3010": "typo", "APL301": "why"}})
    assert _codes(_text(web)) == [("APL091", f"/containers/0/{IGNORE}/APL3010")]


def test_lint_document_without_options_takes_the_budget_from_the_settings():
    doc = lint_text("case.json", _text(*PLAIN))[0]
    codes = {d.code for d in lint_module.lint_document(doc, Settings(budget=Budget(cpus=1)))}
    assert "APL233" in codes
    assert "APL233" not in {d.code for d in lint_module.lint_document(doc)}


def test_a_plug_in_rule_links_to_its_own_page(monkeypatch):
    # A plug-in's rules document themselves elsewhere (applc_listing's LST001 does);
    # applc's own rules link to its docs.
    from applc.diagnostics import Finding, Loc
    from applc.rules import registry

    r = registry.Rule(
        "XYZ901", "xyz-thing", Severity.WARNING, "s", "d", docs_url="https://example.org/XYZ901"
    )
    monkeypatch.setitem(registry.RULES, r.code, r)
    monkeypatch.setitem(registry.BY_NAME, r.name, r)

    def check_xyz(ctx):
        yield Finding("XYZ901", Loc("/id"), "a plug-in finding")

    checks = [*registry.CHECKS, registry.Check(("XYZ901",), check_xyz)]
    monkeypatch.setattr(lint_module, "CHECKS", checks)
    diags = lint_text("case.json", _text(PLAIN[0]))[1]
    assert {d.code: d.url for d in diags} == {
        "XYZ901": "https://example.org/XYZ901",
        "APL301": registry.RULES["APL301"].url,
        "APL304": registry.RULES["APL304"].url,
    }
    assert "example.org" not in registry.RULES["APL301"].url


def test_a_selection_adds_the_rules_it_enables_to_the_set_it_is_given():
    load_rules()
    given = {"XYZ901"}  # e.g. a plug-in rule its caller enabled already
    sel = lint_module.Selection(Settings(select=("APL301",)), "case.json", given)
    assert sel.enabled is given
    assert {"XYZ901", "APL301"} <= given
    assert "APL304" not in given


def test_collected_ignore_entries_start_unused_and_say_where_they_are():
    load_rules()
    value = {"id": "shop", "containers": [{"id": "web", IGNORE: {"APL301": "why"}}]}
    directives, bad = lint_module.collect_directives(value)
    assert bad == []
    [d] = directives
    assert (d.scope, d.selector, d.key_pointer, d.rules, d.used) == (
        "/containers/0",
        "APL301",
        f"/containers/0/{IGNORE}/APL301",
        ("APL301",),
        False,
    )
    assert lint_module.Directive("", "APL301", "/x", ("APL301",), used=True).used is True
