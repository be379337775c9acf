"""The library API that the CLI and the language server both stand on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from applc.config import ConfigCache, Settings
from applc.diagnostics import Diagnostic
from applc.formatters import Report
from applc.frontends.document import Document
from applc.inputs import Warn, discover, parse_document, read_document
from applc.lint import lint_document
from applc.records import Value, replace
from applc.rules.context import Budget, LintOptions


class UsageError(Exception):
    """The inputs cannot be used as given (exit 2)."""


def expand_inputs(
    paths: list[str],
    configs: ConfigCache,
    force_exclude: bool = False,
    warn: Warn | None = None,
) -> list[str]:
    """Files named stay; folders yield the appliances inside them, minus `exclude`;
    `warn` hears what discovery skipped that may matter (applc/inputs.py)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            for f in discover(path, warn):
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


class Inputs(Value):
    """What a run reads and how: the paths (`-` for standard input), their
    configurations, standard input and the name it goes by, the target whose checks run,
    a budget overriding the configuration's, and whether `exclude` applies to files named
    on the command line too."""

    FIELDS = (
        "paths",
        "configs",
        "stdin",
        "stdin_filename",
        "target",
        "budget",
        "force_exclude",
        "warn",
    )
    paths: Final[list[str]]
    configs: Final[ConfigCache]
    stdin: Final[bytes | None]
    stdin_filename: Final[str | None]
    target: Final[str | None]
    budget: Final[Budget | None]
    force_exclude: Final[bool]
    warn: Final[Warn | None]

    def __init__(
        self,
        paths: list[str],
        configs: ConfigCache,
        stdin: bytes | None = None,
        stdin_filename: str | None = None,
        target: str | None = None,
        budget: Budget | None = None,
        force_exclude: bool = False,
        # Hears what a folder search skipped that the user may have meant.
        warn: Warn | None = None,
    ) -> None:
        self.paths = paths
        self.configs = configs
        self.stdin = stdin
        self.stdin_filename = stdin_filename
        self.target = target
        self.budget = budget
        self.force_exclude = force_exclude
        self.warn = warn

    def documents(self) -> Iterator[tuple[str, Document, Settings]]:
        """Each input read, with the settings that apply to it."""
        from applc.frontends.json_loader import keep_until_exit

        for f in expand_inputs(self.paths, self.configs, self.force_exclude, self.warn):
            if f == "-":
                name = self.stdin_filename or "<stdin>"
                settings = self.configs.for_path(self.stdin_filename or "-")
                doc = parse_document(name, self.stdin or b"")
            else:
                doc, settings = read_document(f), self.configs.for_path(f)
            keep_until_exit(doc)
            yield f, doc, settings

    def options(self, settings: Settings) -> LintOptions:
        return options_for(settings, self.target, self.budget)


def lint_paths(inputs: Inputs) -> Report:
    """Lint every input."""
    report = Report([], {}, 0)
    for _, doc, settings in inputs.documents():
        report.diagnostics.extend(lint_document(doc, settings, inputs.options(settings)))
        report.sources[doc.source.path] = doc.source
        report.files += 1
    report.diagnostics.sort(key=lambda d: d.sort_key)
    return report


class Change(Value):
    """A file whose text `--fix` or `--add-ignore` changed (`path` is "-" for stdin)."""

    FIELDS = ("path", "name", "old", "new", "counts")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self, path: str, name: str, old: str, new: str, counts: Counter[str] | None = None
    ) -> None:
        self.path = path
        self.name = name
        self.old = old
        self.new = new
        self.counts: Counter[str] = Counter() if counts is None else counts


def fix_paths(
    inputs: Inputs, *, unsafe: bool = False, add_ignore: str | None = None
) -> tuple[Report, list[Change]]:
    """Lint and fix every input (or, with `add_ignore` as the reason, add ignore entries
    for its findings): the report is of the new texts, and nothing is written."""
    from applc.fixing import add_ignores, fix_document

    report = Report([], {}, 0)
    changes: list[Change] = []
    for f, doc, settings in inputs.documents():
        opts = inputs.options(settings)
        diags = lint_document(doc, settings, opts)
        counts: Counter[str] = Counter()
        new = doc
        if add_ignore is not None:
            new, added = add_ignores(doc, diags, add_ignore)
            if added:
                counts["ignores"] = added
                diags = lint_document(new, settings, opts)
        else:
            fixed = fix_document(doc, settings, opts, unsafe=unsafe, diagnostics=diags)
            new, diags, counts = fixed.document, fixed.diagnostics, fixed.fixed
        if new.source.text != doc.source.text:
            changes.append(Change(f, doc.source.path, doc.source.text, new.source.text, counts))
        report.diagnostics.extend(diags)
        report.sources[new.source.path] = new.source
        report.files += 1
    report.diagnostics.sort(key=lambda d: d.sort_key)
    return report, changes


def with_budget(settings: Settings, budget: Budget | None) -> Settings:
    return replace(settings, budget=budget) if budget is not None else settings
