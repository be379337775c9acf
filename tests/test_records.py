"""The record classes a lint imports are written by hand instead of with `@dataclass`
(applc/records.py, issue 13): they must keep behaving as the dataclasses did."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import applc
from applc.diagnostics import Diagnostic, Finding, Loc, Severity
from applc.records import Record, Value, replace
from applc.source import Span


def _records() -> list[type[Record]]:
    for info in pkgutil.walk_packages(applc.__path__, "applc."):
        if ".server" in info.name or ".frontends.dsl" in info.name:
            continue  # lark and pygls: not record classes, and optional
        try:
            importlib.import_module(info.name)
        except ImportError:
            continue
    out: list[type[Record]] = []
    todo = [Record]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("applc.") and sub.__module__ != "applc.records":
                out.append(sub)
    return out


RECORDS = _records()


def test_the_lint_path_classes_are_records() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in RECORDS}
    for expected in (
        "applc.source.Span",
        "applc.diagnostics.Diagnostic",
        "applc.model.nodes.Container",
        "applc.config.Settings",
        "applc.rules.registry.Rule",
    ):
        assert expected in names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__qualname__)
def test_fields_are_the_init_parameters(cls: type[Record]) -> None:
    # `repr`, equality and `replace` read FIELDS; a field added to __init__ and not
    # there would silently drop out of all three.
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    positional = [p.name for p in params if p.kind is not p.KEYWORD_ONLY]
    assert sorted(cls.FIELDS) == sorted(p.name for p in params)
    assert [f for f in cls.FIELDS if f in positional] == positional
    if issubclass(cls, Value) and cls.COMPARED is not None:
        assert set(cls.COMPARED) <= set(cls.FIELDS)


def test_values_behave_as_the_dataclasses_did() -> None:
    a, b = Span(1, 2, 3, 4), Span(1, 2, 3, 4)
    assert a == b and hash(a) == hash(b) and a != Span(1, 2, 3, 5)
    assert a != (1, 2, 3, 4)  # only the same class compares equal
    assert repr(a) == "Span(line=1, column=2, end_line=3, end_column=4)"
    assert repr(Loc("/x")) == "Loc(pointer='/x', part='value', sub=None)"
    # A mutable record compares by value but cannot be hashed, as with @dataclass.
    f = Finding("APL102", Loc("/x"), "m")
    assert f == Finding("APL102", Loc("/x"), "m")
    with pytest.raises(TypeError):
        hash(f)
    # `suppressed` takes no part in equality.
    d = Diagnostic("APL102", "unknown-field", Severity.ERROR, "m", "a.json", a, "/x")
    assert d == replace(d, suppressed="why") and len({d, replace(d, suppressed="x")}) == 1
    assert replace(d, message="n") != d and replace(d, message="n").message == "n"
    with pytest.raises(TypeError):
        replace(d, bogus=1)


def test_mutable_defaults_are_fresh_per_instance() -> None:
    from applc.model.nodes import Container
    from applc.source import Source

    src = Source("a.json", "{}")
    one, two = Container(src, "/containers/0"), Container(src, "/containers/1")
    one.args.append("x")
    one.env["A"] = "1"
    assert two.args == [] and two.env == {}
    assert repr(one).startswith("Container(source=<applc.source.Source object")
