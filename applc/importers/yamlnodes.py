"""YAML read into nodes that remember where they came from.

Compose files are YAML; the import reports problems with the line and column of the
value in the file that gave it, also after `extends` and several `-f` files merged. So
each value is a `YNode` holding its source, its span and its JSON pointer in that file.

PyYAML's SafeLoader composes the node graph (with marks, anchors resolved, merge keys
flattened by its own `flatten_mapping`); the scalars are resolved here with the YAML 1.2
core schema, as compose's Go YAML reader does (`yes` and `on` stay strings). PyYAML is
imported only when a YAML file is imported, so `applc lint` never pays for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from applc.source import Source, Span, join_pointer

# Nesting and alias expansion are bounded: a hostile file ("billion laughs") must not
# exhaust memory or the stack.
MAX_DEPTH = 200
MAX_NODES = 1_000_000

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INF = frozenset({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})
_NINF = frozenset({"-.inf", "-.Inf", "-.INF"})
_NAN = frozenset({".nan", ".NaN", ".NAN"})


@dataclass(eq=False, slots=True)
class YNode:
    """One YAML value. `value` is a dict of YNodes (keys are strings), a list of YNodes,
    or a scalar (str, int, float, bool or None); `text` is a scalar's source text."""

    value: Any
    source: Source
    pointer: str
    start: int
    end: int
    text: str | None = None
    key_start: int | None = None
    key_end: int | None = None
    quoted: bool = False
    # Set by interpolation: the scalar held a `${...}` (so its text is not its value).
    interpolated: bool = field(default=False)

    @property
    def span(self) -> Span:
        return self.source.span(self.start, self.end)

    @property
    def key_span(self) -> Span:
        if self.key_start is None or self.key_end is None:
            return self.span
        return self.source.span(self.key_start, self.key_end)

    def get(self, key: str) -> YNode | None:
        if isinstance(self.value, dict):
            got: YNode | None = self.value.get(key)
            return got
        return None

    def plain(self) -> Any:
        """The value as plain Python data (for values the import keeps as they are)."""
        v = self.value
        if isinstance(v, dict):
            return {k: n.plain() for k, n in v.items()}
        if isinstance(v, list):
            return [n.plain() for n in v]
        return v


class YamlProblem(Exception):
    """The text is not YAML the import can read: a message and where."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def scalar_value(text: str, tag: str, style: str | None) -> Any:
    """A plain scalar resolved with the YAML 1.2 core schema; quoted ones are strings."""
    if style in ("'", '"', "|", ">") or tag == "tag:yaml.org,2002:str":
        return text
    if tag not in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool") and not tag.startswith(
        "tag:yaml.org,2002:"
    ):
        return text  # a custom tag (`!reset`, `!override`): keep the text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _INF:
        return float("inf")
    if text in _NINF:
        return float("-inf")
    if text in _NAN:
        return float("nan")
    return text


def load_yaml(source: Source) -> YNode:
    """The single YAML document of `source` as YNodes; raises YamlProblem."""
    import yaml

    loader = yaml.SafeLoader(source.text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or "not valid YAML"
        if mark is not None:
            start = min(mark.index, len(source.text))
            raise YamlProblem(msg, source.span(start, start + 1)) from None
        raise YamlProblem(msg, source.span(0, 0)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {exc}", source.span(0, 0)) from None
    except RecursionError:
        # PyYAML composes recursively: a file nested deeper than the stack allows.
        raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", source.span(0, 0)) from None
    finally:
        loader.dispose()
    if root is None:
        raise YamlProblem("the file is empty", source.span(0, 0))
    builder = _Builder(source, loader)
    return builder.build(root, "", 0)


class _Builder:
    def __init__(self, source: Source, loader: Any) -> None:
        self.source = source
        self.loader = loader
        self.count = 0
        # An anchored mapping is reached once per alias: flatten and check it once.
        self.flattened: set[int] = set()

    def _node(self, n: Any, value: Any, pointer: str, **kw: Any) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(
                f"the file expands to more than {MAX_NODES:,} values (aliases of aliases?)",
                self.source.span(n.start_mark.index, n.end_mark.index),
            )
        return YNode(value, self.source, pointer, n.start_mark.index, n.end_mark.index, **kw)

    def build(self, n: Any, pointer: str, depth: int) -> YNode:
        import yaml

        if depth > MAX_DEPTH:
            raise YamlProblem(
                f"nesting deeper than {MAX_DEPTH} levels",
                self.source.span(n.start_mark.index, n.end_mark.index),
            )
        if isinstance(n, yaml.ScalarNode):
            value = scalar_value(n.value, n.tag, n.style)
            return self._node(n, value, pointer, text=n.value, quoted=n.style in ("'", '"'))
        if isinstance(n, yaml.SequenceNode):
            items = [
                self.build(c, join_pointer(pointer, i), depth + 1) for i, c in enumerate(n.value)
            ]
            return self._node(n, items, pointer)
        assert isinstance(n, yaml.MappingNode)
        if id(n) not in self.flattened:
            self.flattened.add(id(n))
            self._check_duplicates(n)
            try:
                self.loader.flatten_mapping(n)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark
                at = mark.index if mark is not None else n.start_mark.index
                raise YamlProblem(
                    exc.problem or "bad merge key", self.source.span(at, at + 1)
                ) from None
        out: dict[str, YNode] = {}
        for k, v in n.value:
            if not isinstance(k, yaml.ScalarNode):
                raise YamlProblem(
                    "a mapping key must be a plain value",
                    self.source.span(k.start_mark.index, k.end_mark.index),
                )
            key = k.value if k.style else str(scalar_value(k.value, k.tag, k.style))
            if key in _NULLS and not k.style and k.value != "":
                key = k.value
            child = self.build(v, join_pointer(pointer, key), depth + 1)
            child.key_start, child.key_end = k.start_mark.index, k.end_mark.index
            out[key] = child  # later keys win, as after a merge key
        return self._node(n, out, pointer)

    def _check_duplicates(self, n: Any) -> None:
        seen: set[str] = set()
        for k, _ in n.value:
            if getattr(k, "tag", "") == "tag:yaml.org,2002:merge":
                continue
            key = getattr(k, "value", None)
            if not isinstance(key, str):
                continue
            if key in seen:
                raise YamlProblem(
                    f"mapping key `{key}` is already defined",
                    self.source.span(k.start_mark.index, k.end_mark.index),
                )
            seen.add(key)
