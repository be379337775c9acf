"""Output formats: each a pure function from a lint report to text.

A new format is a module here with a `render(report, color) -> str` function, listed in
FORMATS; a name with a hyphen lives in the module with an underscore (`json-lines` is
`json_lines.py`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from applc.diagnostics import Diagnostic, Severity
from applc.records import Value
from applc.source import Source

FORMATS = (
    "full",
    "concise",
    "json",
    "json-lines",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "rdjson",
)


class Report(Value):
    """What a lint run found: diagnostics, and the sources they point into."""

    FIELDS = ("diagnostics", "sources", "files")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        diagnostics: list[Diagnostic],
        sources: dict[str, Source] | None = None,
        files: int = 0,
    ) -> None:
        self.diagnostics = diagnostics
        self.sources = {} if sources is None else sources
        self.files = files

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)


Renderer = Callable[[Report, bool], str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(name)
    module = importlib.import_module(f"applc.formatters.{name.replace('-', '_')}")
    fn: Renderer = module.render
    return fn
