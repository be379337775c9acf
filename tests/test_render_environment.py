"""The template environment takes two lookups the short way (applc/targets/render.py);
what a template reads must be what Jinja's own environment gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from applc.targets.render import environment

TEMPLATES = [
    "{{ d.name }}|{{ d['name'] }}",
    "{{ d.items is defined }}|{{ d.items() | list | length }}",
    # A view key that is also a dict method: Jinja gives the method, not the key.
    "{{ h.update is callable }}|{{ h['update'] }}",
    "{{ d.nested.inner }}",
    "{% set x = [] %}{% do x.append(d.name) %}{% do x.extend([1, 2]) %}{{ x }}",
    "{% set m = {} %}{% do m.update({'k': d.name}) %}{% do m.setdefault('j', 2) %}{{ m }}",
    "{{ ctx_name() }}|{{ env_name() }}",
    "{% for k, v in d.nested.items() %}{{ k }}={{ v }};{% endfor %}",
]


@jinja2.pass_context
def _ctx_name(context: Any) -> str:
    return str(context["d"]["name"])


@jinja2.pass_environment
def _env_name(env: Any) -> str:
    return type(env.undefined).__name__


def _render(env: Any, source: str) -> str:
    template = env.from_string(source)
    return str(
        template.render(
            d={"name": "web", "nested": {"inner": 1, "b": None}},
            h={"update": "a value"},
            ctx_name=_ctx_name,
            env_name=_env_name,
        )
    )


@pytest.mark.parametrize("source", TEMPLATES)
def test_templates_read_what_jinja_itself_reads(source: str, tmp_path: Path) -> None:
    ours = environment([tmp_path])
    reference = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, extensions=["jinja2.ext.do"]
    )
    assert _render(ours, source) == _render(reference, source)


@pytest.mark.parametrize("source", ["{{ d.missing }}", "{{ d.nested.missing.x }}"])
def test_a_missing_key_is_still_an_error(source: str, tmp_path: Path) -> None:
    with pytest.raises(jinja2.UndefinedError):
        _render(environment([tmp_path]), source)


# Each template folder gets its own environment, made once: what follows asks for a fresh
# folder, so the environment is built (not taken from an earlier test's cache).

# Calls into built-ins (taken the short way) and into Python callables (Jinja's way),
# with positional and keyword arguments, inside loops and blocks, where Jinja passes its
# `_loop_vars` and `_block_vars` markers along.
CALLS = [
    "{% set x = [] %}{% for i in [1, 2] %}{% do x.append(i) %}{% endfor %}{{ x }}",
    "{% set x = [] %}{% block b %}{% do x.append(3) %}{% endblock %}{{ x }}",
    "{% set x = [] %}{% block b %}{% for i in [4] %}{% do x.append(i) %}{% endfor %}"
    "{% endblock %}{{ x }}",
    "{{ 'a-b-c'.split(sep='-', maxsplit=1) }}|{{ 'a-b-c'.split('-') }}",
    "{{ range(3) | list }}|{{ dict(a=1, b=d.name) }}|{{ cycler('p', 'q').next() }}",
    "{% for k in [1] %}{{ ctx_name() }}{% endfor %}|{% block c %}{{ env_name() }}{% endblock %}",
    "{{ 'x'.upper() }}|{{ [3, 1].index(1) }}|{{ d.get('name') }}|{{ d.get('none', 7) }}",
]


@pytest.mark.parametrize("source", CALLS)
def test_calls_get_what_jinja_itself_passes(source: str, tmp_path: Path) -> None:
    ours = environment([tmp_path])
    reference = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, extensions=["jinja2.ext.do"]
    )
    assert _render(ours, source) == _render(reference, source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # StrictUndefined's own wording (Jinja's documented undefined types).
        ("{{ d.missing }}", "'dict object' has no attribute 'missing'"),
        ("{{ d.nested.missing ~ 'x' }}", "'dict object' has no attribute 'missing'"),
        ("{{ nothing }}", "'nothing' is undefined"),
        ("{{ [1].missing }}", "'list object' has no attribute 'missing'"),
    ],
)
def test_an_undefined_value_is_an_error_in_jinjas_words(
    source: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(jinja2.UndefinedError) as ours:
        _render(environment([tmp_path]), source)
    assert str(ours.value) == message


def test_a_missing_key_that_is_tested_or_defaulted_is_not_an_error(tmp_path: Path) -> None:
    source = "{{ d.missing is defined }}|{{ d.missing | default('x') }}|{{ d.name is defined }}"
    assert _render(environment([tmp_path]), source) == "False|x|True"


def test_the_environment_is_made_once_per_template_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = environment([tmp_path])
    assert environment([tmp_path]) is first
    assert environment([tmp_path / "a"]) is not first
    assert environment([tmp_path / "a"]) is environment([tmp_path / "a"])


def test_templates_load_from_the_folders_in_order_and_keep_their_last_newline(
    tmp_path: Path,
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.j2").write_text("one {{ v }}\n", encoding="utf-8")
    (two / "a.j2").write_text("two\n", encoding="utf-8")
    (two / "b.j2").write_text("b\n\n", encoding="utf-8")
    env = environment([one, two])
    assert env.get_template("a.j2").render(v=1) == "one 1\n"
    assert env.get_template("b.j2").render() == "b\n\n"
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("c.j2")


def test_nothing_is_html_escaped(tmp_path: Path) -> None:
    source = "{{ s }}|{{ s | tojson }}|{{ {'k': s} | toyaml }}"
    out = environment([tmp_path]).from_string(source).render(s="<a & 'b'>")
    assert out == "<a & 'b'>|\"<a & 'b'>\"|k: \"<a & 'b'>\""


def test_the_filters_are_applcs_serializers(tmp_path: Path) -> None:
    env = environment([tmp_path])

    def render(source: str) -> str:
        return str(env.from_string(source).render(v={"b": "é", "a": None, "c": [1, None]}))

    # Jinja's own `tojson` sorts keys and escapes `<`, `&`, `'` and non-ASCII; applc's
    # keeps the order given and the text as it is.
    assert render("{{ v | tojson }}") == '{"b": "é", "a": null, "c": [1, null]}'
    assert render("{{ v | tojson(2) }}") == (
        '{\n  "b": "é",\n  "a": null,\n  "c": [\n    1,\n    null\n  ]\n}'
    )
    assert render("{{ v | compact | tojson }}") == '{"b": "é", "c": [1, null]}'
    assert render("{{ v | tojson(omit_none=true) }}") == '{"b": "é", "c": [1, null]}'
    assert yaml.safe_load(render("{{ v | toyaml }}")) == {"b": "é", "a": None, "c": [1, None]}
    assert yaml.safe_load(render("{{ v | toyaml(omit_none=true) }}")) == {"b": "é", "c": [1, None]}
    assert yaml.safe_load(render("{{ v | compact | toyaml }}")) == {"b": "é", "c": [1, None]}
