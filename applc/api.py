"""The library API that the CLI and the language server both stand on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from applc.config import ConfigCache, Settings
from applc.diagnostics import Diagnostic
from applc.formatters import Report
from applc.frontends.document import Document
from applc.inputs import discover, parse_document, read_document
from applc.lint import lint_document
from applc.rules.context import Budget, LintOptions


class UsageError(Exception):
    """The inputs cannot be used as given (exit 2)."""


def expand_inputs(paths: list[str], configs: ConfigCache, force_exclude: bool = False) -> list[str]:
    """Files named stay; folders yield the appliances inside them, minus `exclude`."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            for f in discover(path):
                fs = str(f)
                if not configs.for_path(fs).excluded(fs):
                    out.append(fs)
        elif force_exclude and p != "-" and configs.for_path(p).excluded(p):
            continue
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def options_for(
    settings: Settings, target: str | None = None, budget: Budget | None = None
) -> LintOptions:
    return LintOptions(budget=budget or settings.budget, target=target)


def lint_text(
    path: str, text: str | bytes, settings: Settings | None = None, target: str | None = None
) -> tuple[Document, list[Diagnostic]]:
    """Lint one in-memory document (the language server's entry point)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    doc = parse_document(path, data)
    settings = settings or Settings()
    return doc, lint_document(doc, settings, options_for(settings, target))


def lint_paths(
    paths: list[str],
    configs: ConfigCache,
    *,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    target: str | None = None,
    budget: Budget | None = None,
    force_exclude: bool = False,
) -> Report:
    files = expand_inputs(paths, configs, force_exclude)
    report = Report([], {}, 0)
    for f in files:
        if f == "-":
            name = stdin_filename or "<stdin>"
            doc = parse_document(name, stdin or b"")
            settings = configs.for_path(stdin_filename or "-")
        else:
            doc = read_document(f)
            settings = configs.for_path(f)
        opts = options_for(settings, target, budget)
        report.diagnostics.extend(lint_document(doc, settings, opts))
        report.sources[doc.source.path] = doc.source
        report.files += 1
    report.diagnostics.sort(key=lambda d: d.sort_key)
    return report


def with_budget(settings: Settings, budget: Budget | None) -> Settings:
    return replace(settings, budget=budget) if budget is not None else settings
