"""The template environment takes two lookups the short way (applc/targets/render.py);
what a template reads must be what Jinja's own environment gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

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
