"""Output formats: each a pure function from a lint report to text.

A new format is a module here with a `render(report, color) -> str` function, listed in
FORMATS.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from applc.diagnostics import Diagnostic, Severity
from applc.source import Source

FORMATS = ("full", "concise", "json", "sarif", "github")


@dataclass
class Report:
    """What a lint run found: diagnostics, and the sources they point into."""

    diagnostics: list[Diagnostic]
    sources: dict[str, Source] = field(default_factory=dict)
    files: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)


Renderer = Callable[[Report, bool], str]


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise ValueError(name)
    module = importlib.import_module(f"applc.formatters.{name}")
    fn: Renderer = module.render
    return fn
