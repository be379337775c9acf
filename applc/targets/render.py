"""Rendering a target's view through its Jinja templates.

Values reach the output only through serializers: `tojson` (JSON, not HTML-escaped) and
`toyaml` (a safe YAML dumper that quotes every string a YAML 1.1 or 1.2 reader could take
for something else). `compact` drops the keys whose value is None, so a template can
write optional keys in a dict literal. The environment is strict (an undefined name is an
error), does no autoescaping and keeps the template's trailing newline. Jinja and PyYAML
are imported here only, when a build renders.
"""

from __future__ import annotations

import json
import re
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
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, indent=indent, ensure_ascii=True)
    return text


# A string is written plain only when it cannot be read as anything but that string by
# a YAML 1.1 (PyYAML, go-yaml v2) or YAML 1.2 (go-yaml v3) reader; all else is
# double-quoted, with escapes for what is not printable.
_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./-]*")
_SPECIAL_WORDS = frozenset(
    {
        "y",
        "n",
        "yes",
        "no",
        "on",
        "off",
        "true",
        "false",
        "null",
        "nan",
        "inf",
    }
)


def _plain_ok(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and text.lower() not in _SPECIAL_WORDS


_DUMPER: Any = None


def _dumper() -> Any:
    global _DUMPER
    if _DUMPER is None:
        import yaml

        class Dumper(yaml.SafeDumper):
            def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
                # Indent block sequences under their key, as most people write them.
                super().increase_indent(flow, False)

        def represent_str(dumper: Any, data: str) -> Any:
            style = None if _plain_ok(data) else '"'
            return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

        def represent_float(dumper: Any, data: float) -> Any:
            return dumper.represent_scalar("tag:yaml.org,2002:float", _float_text(data))

        Dumper.add_representer(str, represent_str)
        Dumper.add_representer(float, represent_float)
        _DUMPER = Dumper
    return _DUMPER


def _float_text(x: float) -> str:
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(f"{x} cannot be written to YAML for a platform")
    text = repr(x)
    if "e" in text or "E" in text:
        from applc.targets.base import decimal_text

        text = decimal_text(x)
        if "." not in text:
            text += ".0"
    return text


def to_yaml(value: Any) -> str:
    """Block-style YAML of `value` (no document markers, no trailing newline), keys in
    the order given."""
    import yaml

    text = yaml.dump(
        value,
        Dumper=_dumper(),
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 30,
        indent=2,
    )
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return text.rstrip("\n")
