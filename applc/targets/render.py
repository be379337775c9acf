"""Rendering a target's view through its Jinja templates.

Values reach the output only through serializers: `tojson` (JSON, not HTML-escaped) and
`toyaml` (applc/writers/yaml_writer.py, which quotes every string a YAML 1.1 or 1.2
reader could take for something else). `compact` drops the keys whose value is None, so
a template can write optional keys in a dict literal. The environment is strict (an
undefined name is an error), does no autoescaping and keeps the template's trailing
newline. Jinja is imported here only, when a build renders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from applc.model.nodes import Appliance
from applc.targets.base import Target, TargetOptions

_ENVIRONMENTS: dict[tuple[str, ...], Any] = {}


def environment(template_dirs: list[Path]) -> Any:
    key = tuple(str(d) for d in template_dirs)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.do"],
        )
        env.filters["tojson"] = to_json
        env.filters["toyaml"] = to_yaml
        env.filters["compact"] = compact
        _ENVIRONMENTS[key] = env
    return env


def render_outputs(target: Target, app: Appliance, options: TargetOptions) -> list[tuple[str, str]]:
    """(file name, text) of every file the target writes for `app`."""
    env = environment([target.template_dir()])
    out = []
    for f in target.outputs(app, options):
        text = env.get_template(f.template).render(**f.context)
        out.append((f"{app.id}.{f.suffix}", text))
    return out


# --------------------------------------------------------------------------- filters


def compact(value: Any) -> Any:
    """`value` with every None-valued key of every mapping dropped, recursively."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [compact(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON text of `value`: keys in the order given, non-ASCII kept as is (a lone
    surrogate, which UTF-8 cannot carry, makes the whole text ASCII with escapes)."""
    if indent is None:
        text = json.dumps(value, ensure_ascii=False)
    else:
        from applc.writers import json_writer

        text = json_writer.dumps(value, indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, indent=indent, ensure_ascii=True)
    return text


def to_yaml(value: Any) -> str:
    """Block-style YAML of `value` (no document markers, no trailing newline), keys in
    the order given."""
    from applc.writers import yaml_writer

    return yaml_writer.dump(value)
