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
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol

from applc.model.nodes import Appliance
from applc.targets.base import OutputFile, Target, TargetOptions

_ENVIRONMENTS: dict[tuple[str, ...], Any] = {}

# Set while a file is rendered again in ASCII: a template that writes its document a
# member at a time found a lone surrogate in one member, and UTF-8 cannot carry it.
_ASCII = ContextVar("applc_render_ascii", default=False)


class _NotUtf8(Exception):
    """A member of a document written piece by piece cannot be UTF-8."""


def environment(template_dirs: list[Path]) -> Any:
    key = tuple(str(d) for d in template_dirs)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        import jinja2

        env = _environment_class()(
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
    """(file name, text) of every file the target writes for `app`, named
    `<appliance>.<suffix>` (`applc build` chooses the names it writes: applc/build.py)."""
    return [(f"{app.id}.{suffix}", text) for suffix, text in render_files(target, app, options)]


def render_files(target: Target, app: Appliance, options: TargetOptions) -> list[tuple[str, str]]:
    """(suffix, text) of every file the target writes for `app`."""
    return [(f.suffix, f.text()) for f in pending_files(target, app, options)]


class Sink(Protocol):
    """Where a rendered file goes, a piece at a time."""

    def write(self, text: str) -> None: ...

    def restart(self) -> None:
        """Forget every piece so far: the file is written again from its start."""


def pending_files(target: Target, app: Appliance, options: TargetOptions) -> list[PendingFile]:
    """Every file the target writes for `app`, not rendered yet."""
    return [PendingFile(f.suffix, target, app, options, f) for f in target.outputs(app, options)]


class PendingFile:
    """One file a target writes for an appliance. `write_to` renders it into a sink a
    piece at a time (a Kubernetes object, a Marathon app), so a build can stream it to
    disk without ever holding the whole text; `text` renders it whole."""

    def __init__(
        self,
        suffix: str,
        target: Target,
        app: Appliance,
        options: TargetOptions,
        first: OutputFile | None = None,
    ) -> None:
        self.suffix = suffix
        self._target = target
        self._app = app
        self._options = options
        self._first = first  # the views made with the list, for the first rendering

    def _output(self) -> OutputFile:
        # Views are generators, used up by a rendering: each one after the first gets
        # them made again.
        f, self._first = self._first, None
        if f is None:
            f = {g.suffix: g for g in self._target.outputs(self._app, self._options)}[self.suffix]
        return f

    def write_to(self, sink: Sink) -> None:
        env = environment([self._target.template_dir()])
        f = self._output()
        template = env.get_template(f.template)
        try:
            for piece in template.generate(**f.context):
                sink.write(piece)
        except _NotUtf8:
            # The whole file goes ASCII with escapes, as one `tojson` of it would.
            sink.restart()
            again = self._output()
            token = _ASCII.set(True)
            try:
                for piece in template.generate(**again.context):
                    sink.write(piece)
            finally:
                _ASCII.reset(token)

    def text(self) -> str:
        pieces = _Pieces()
        self.write_to(pieces)
        return "".join(pieces)


class _Pieces(list[str]):
    def write(self, text: str) -> None:
        self.append(text)

    def restart(self) -> None:
        self.clear()


def _environment_class() -> Any:
    """jinja2.Environment with the same semantics, and two lookups the templates make
    hundreds of thousands of times taken the short way (a Kubernetes build of 10,000
    containers spent a fifth of its render in them):

    - `view.key` on a plain dict: Jinja tries the attribute first, raising and catching
      an AttributeError for every key; a key that is no attribute of `dict` is looked
      up directly (the same answer);
    - calling a built-in method (`{% do list.append(x) %}`): a built-in cannot carry
      Jinja's pass-context markers, so it is called without looking for them.
    """
    import types

    import jinja2
    from jinja2.runtime import Context

    dict_attributes = frozenset(dir(dict))
    builtin = types.BuiltinMethodType

    class _Context(Context):
        def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            if __obj.__class__ is builtin:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
                return __obj(*args, **kwargs)
            return super().call(__obj, *args, **kwargs)

    class _Environment(jinja2.Environment):
        context_class = _Context

        def getattr(self, obj: Any, attribute: str) -> Any:
            if obj.__class__ is dict and attribute not in dict_attributes:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return _Environment


# --------------------------------------------------------------------------- filters


def compact(value: Any) -> Any:
    """`value` with every None-valued key of every mapping dropped, recursively."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [compact(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = None, level: int = 0, omit_none: bool = False) -> str:
    """JSON text of `value`: keys in the order given, non-ASCII kept as is (a lone
    surrogate, which UTF-8 cannot carry, makes the whole file ASCII with escapes).
    `level` writes `value` as it reads that many levels deep inside an indented
    document, for templates that write a document one member at a time."""
    if omit_none and (indent is None or _ASCII.get()):
        value = compact(value)
    if _ASCII.get():
        text = json.dumps(value, indent=indent, ensure_ascii=True)
        return text.replace("\n", "\n" + " " * (indent or 0) * level) if level else text
    if indent is None:
        text = json.dumps(value, ensure_ascii=False)
    else:
        from applc.writers import json_writer

        text = json_writer.dumps(value, indent, level, omit_none)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _NotUtf8 from None  # PendingFile.write_to writes the file again in ASCII
    return text


def to_yaml(value: Any, omit_none: bool = False) -> str:
    """Block-style YAML of `value` (no document markers, no trailing newline), keys in
    the order given; `omit_none` leaves out None-valued keys as `compact` would."""
    from applc.writers import yaml_writer

    return yaml_writer.dump(value, omit_none)
