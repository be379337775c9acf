"""`applc build` as a library: lint, render through a target, compare, write atomically.

A build lints every input with the target named (so target findings, APL4xx, come with
the rest), refuses all of them when any has an error, and renders the others only when
every input is clean of errors. Output is a pure function of the inputs: the same files,
byte for byte, on every run. Writing is all or nothing: every file is staged beside its
destination first, then moved into place; when anything fails, the previous files are
restored and no staged file is left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from applc.config import ConfigCache
from applc.diagnostics import Severity
from applc.formatters import Report
from applc.rules.context import Budget, LintOptions
from applc.targets.base import TargetOptions

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


class BuildError(Exception):
    """The build cannot run as asked (exit 2)."""


@dataclass(frozen=True)
class OutputText:
    """One rendered file: its name in the output folder, its text, and its input."""

    name: str
    text: str
    source: str


@dataclass
class BuildResult:
    report: Report
    outputs: list[OutputText] = field(default_factory=list)
    # Files of the built appliances that this target no longer writes (say the
    # appliance lost its jobs): a write removes them, a check counts them as stale.
    obsolete: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(d.severity >= Severity.ERROR for d in self.report.diagnostics)


def compile_paths(
    paths: list[str],
    configs: ConfigCache,
    target_name: str,
    options: TargetOptions | None = None,
    *,
    budget: Budget | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
) -> BuildResult:
    """Lint and, when nothing has an error, render every appliance in `paths`."""
    from applc.api import expand_inputs
    from applc.inputs import parse_document, read_document
    from applc.lint import lint_document
    from applc.targets.registry import TargetError, load_target
    from applc.targets.render import render_outputs

    options = options or TargetOptions()
    try:
        target = load_target(target_name)
    except TargetError as exc:
        raise BuildError(str(exc)) from exc
    if options.namespace is not None and DNS1123_LABEL.fullmatch(options.namespace) is None:
        raise BuildError(
            f"namespace `{options.namespace}` is not a DNS-1123 label "
            "(lower-case letters, digits and `-`, at most 63 characters)"
        )

    report = Report([], {}, 0)
    docs = []
    for f in expand_inputs(paths, configs):
        if f == "-":
            doc = parse_document(stdin_filename or "<stdin>", stdin or b"")
            settings = configs.for_path(stdin_filename or "-")
        else:
            doc = read_document(f)
            settings = configs.for_path(f)
        lint_options = LintOptions(
            budget=budget or settings.budget, target=target_name, namespace=options.namespace
        )
        report.diagnostics.extend(lint_document(doc, settings, lint_options))
        report.sources[doc.source.path] = doc.source
        report.files += 1
        docs.append(doc)
    report.diagnostics.sort(key=lambda d: d.sort_key)

    seen: dict[str, str] = {}
    for doc in docs:
        aid = doc.value.get("id") if isinstance(doc.value, dict) else None
        if isinstance(aid, str):
            if aid in seen:
                raise BuildError(
                    f"{seen[aid]} and {doc.source.path} both define appliance "
                    f"`{aid}`; their outputs would overwrite each other"
                )
            seen[aid] = doc.source.path

    result = BuildResult(report)
    if result.refused:
        return result
    for doc in docs:
        app = doc.appliance
        rendered = render_outputs(target, app, options)
        result.outputs += [OutputText(name, text, doc.source.path) for name, text in rendered]
        written = {name for name, _ in rendered}
        result.obsolete += [
            f"{app.id}.{suffix}"
            for suffix in target.suffixes
            if f"{app.id}.{suffix}" not in written
        ]
    return result


# --------------------------------------------------------------------------- check, diff


@dataclass(frozen=True)
class Change:
    name: str
    kind: str  # "create", "update" or "remove"
    old: str | None
    new: str | None


def changes(out_dir: Path, outputs: Iterable[OutputText], obsolete: Iterable[str]) -> list[Change]:
    """What writing `outputs` (and removing `obsolete`) would change in `out_dir`."""
    found: list[Change] = []
    for o in outputs:
        old = _read(out_dir / o.name)
        if old is None:
            found.append(Change(o.name, "create", None, o.text))
        elif old != o.text:
            found.append(Change(o.name, "update", old, o.text))
    for name in obsolete:
        old = _read(out_dir / name)
        if old is not None:
            found.append(Change(name, "remove", old, None))
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def unified_diff(out_dir: Path, change: Change) -> str:
    from applc.edits import unified_diff as diff

    path = (out_dir / change.name).as_posix()
    return diff(
        change.old or "",
        change.new or "",
        "/dev/null" if change.kind == "create" else f"a/{path}",
        "/dev/null" if change.kind == "remove" else f"b/{path}",
    )


# --------------------------------------------------------------------------- writing


def write_outputs(
    out_dir: Path, outputs: Iterable[OutputText], obsolete: Iterable[str] = ()
) -> list[Change]:
    """Bring `out_dir` to `outputs` (minus `obsolete`), all or nothing; returns what
    changed. Files whose content is already right are not touched."""
    todo = changes(out_dir, outputs, obsolete)
    if not todo:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []  # (staged file, destination)
    backups: list[tuple[Path, Path]] = []  # (copy of the old file, destination)
    placed: list[Path] = []
    try:
        for ch in todo:
            if ch.new is not None:
                staged.append((_stage(out_dir, ch.name, ch.new), out_dir / ch.name))
        for ch in todo:
            dest = out_dir / ch.name
            if ch.old is not None:
                backups.append((_backup(dest), dest))
        for tmp, dest in staged:
            os.replace(tmp, dest)
            placed.append(dest)
        for ch in todo:
            if ch.kind == "remove":
                (out_dir / ch.name).unlink()
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for dest in placed:
            dest.unlink(missing_ok=True)
        for bak, dest in backups:
            os.replace(bak, dest)
            # When `dest` was never replaced it is the same file as `bak`, and the
            # rename does nothing: drop the second name.
            bak.unlink(missing_ok=True)
        raise
    for bak, _ in backups:
        bak.unlink(missing_ok=True)
    return todo


def _mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _stage(out_dir: Path, name: str, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    path = Path(tmp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, _mode())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _backup(dest: Path) -> Path:
    """A second name for the current file, to restore it if the build fails later."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".bak", dir=dest.parent)
    os.close(fd)
    bak = Path(tmp)
    try:
        bak.unlink()
        os.link(dest, bak)
    except OSError:
        shutil.copy2(dest, bak)
    return bak
