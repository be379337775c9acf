"""`applc build` as a library: lint, render through a target, name, compare, write.

A build lints every input with the target named (so target findings, APL4xx, come with
the rest), refuses all of them when any has an error, and renders the others only when
every input is clean of errors. Output is a pure function of the inputs: the same files,
byte for byte, on every run.

Names. An output is `<appliance>.<suffix>`, and the appliance id must be one safe path
component (`SAFE_ID`) whatever lint settings say: an id that could climb out of the
output folder, or hide a NUL or a control character, never names a file. Inputs whose
ids are equal (ignoring case, so nothing overwrites on a case-insensitive file system)
get `<appliance>--<input stem>.<suffix>` instead, and the build says so. The output
folder's manifest (`.applc-manifest.json`) records which input wrote each file, so
building the inputs one at a time gives the same names, and never overwrites another
input's file.

Writing is all or nothing: every file is staged beside its destination first, then moved
into place; when anything fails, the previous files are restored and no staged file is
left behind. A build never reads, writes or removes anything outside its output folder:
a symbolic link there is followed only to a file inside the folder, anything but a
regular file is refused, and a read-only file is refused rather than replaced. Only
files the manifest says applc wrote are ever removed, and only while they still hold
what applc wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from applc.config import ConfigCache
from applc.diagnostics import Severity
from applc.files import (
    StagedFile,
    kind,
    open_regular,
    read_exactly,
    read_only,
    read_regular,
    stage,
    umask_mode,
    write_in_place,
)
from applc.formatters import Report
from applc.rules.context import Budget, LintOptions
from applc.targets.base import TargetOptions

if TYPE_CHECKING:
    from applc.targets.render import PendingFile, Sink

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# What may name an output file: letters, digits, `.`, `_` and `-`, not starting with `.`
# (hidden files, `..`) or `-` (read as an option by the next tool). Short enough that
# `<id>--<stem>.<suffix>` fits the 255 bytes most file systems allow.
SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}")
MANIFEST = ".applc-manifest.json"
MANIFEST_VERSION = 1
_INPUT_SUFFIXES = (".appliance.json", ".json", ".appl")
_NOT_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class BuildError(Exception):
    """The build cannot run as asked (exit 2). `report` holds the lint findings when the
    inputs were read before the problem showed."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


class OutputText:
    """One file of the build: its name in the output folder, its input, and its text,
    rendered when the build writes or compares it (`write_to`, a piece at a time, so a
    big output is never held whole) or when a caller asks for all of it (`text`)."""

    def __init__(self, name: str, content: str | PendingFile, source: str) -> None:
        """`content` is the text, or the file to render it from when it is needed."""
        self.name = name
        self.source = source
        self.file = None if isinstance(content, str) else content
        self._text: str | None = content if isinstance(content, str) else None
        # The SHA-256 of the file's bytes, known once it was written or compared.
        self.sha256: str | None = None

    @property
    def text(self) -> str:
        """The whole text (kept: `--validate` and `--diff` read it, then the write
        uses it instead of rendering again)."""
        if self._text is None:
            assert self.file is not None
            self._text = self.file.text()
        return self._text

    def write_to(self, sink: Sink) -> None:
        if self._text is not None:
            sink.write(self._text)
        else:
            assert self.file is not None
            self.file.write_to(sink)

    def digest(self) -> str:
        if self.sha256 is None:
            hashed = _Hashed()
            self.write_to(hashed)
            self.sha256 = hashed.hash.hexdigest()
        return self.sha256

    def __repr__(self) -> str:
        return f"OutputText({self.name!r}, {self.source!r})"


@dataclass
class Unit:
    """One input's rendering: `files` are (suffix, file to render); `stem` names them."""

    source: str  # the path as given, or "-"
    display: str  # the name diagnostics use
    key: str  # the input's identity in the manifest
    appliance: str
    files: list[tuple[str, PendingFile]]
    stem: str = ""


@dataclass
class BuildResult:
    report: Report
    target: str = ""
    units: list[Unit] = field(default_factory=list)
    outputs: list[OutputText] = field(default_factory=list)
    # Files applc wrote for these inputs that this build no longer writes (say the
    # appliance lost its jobs): a write removes them, a check counts them as stale.
    obsolete: list[str] = field(default_factory=list)
    # What the build wants its user to know (renamed outputs, files it keeps).
    notes: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    # `--validate`: `<file>: <pointer>: <why>` for each way an output fails its schema.
    invalid: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(d.severity >= Severity.ERROR for d in self.report.diagnostics)


def shown(value: object) -> str:
    """A value from an input, quoted so that no control character reaches a terminal."""
    return json.dumps(value, ensure_ascii=True) if isinstance(value, str) else repr(value)


def id_problem(aid: object) -> str | None:
    """Why `aid` cannot name an output file, or None."""
    if not isinstance(aid, str):
        return "the appliance has no id to name its output files"
    if SAFE_ID.fullmatch(aid) is None:
        return (
            f"appliance id {shown(aid)} cannot name an output file: applc names files only "
            "with ids of letters, digits, `.`, `_` and `-` (at most 128, not starting with "
            "`.` or `-`), so that a name never leaves the output folder"
        )
    return None


def compile_paths(
    paths: list[str],
    configs: ConfigCache,
    target_name: str,
    options: TargetOptions | None = None,
    *,
    budget: Budget | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    out_dir: Path | None = None,
    validate: bool = False,
    warn: Any = None,
) -> BuildResult:
    """Lint and, when nothing has an error, render every appliance in `paths`, with the
    names it gets in `out_dir` (None: printed, not written)."""
    from applc.api import expand_inputs
    from applc.inputs import parse_document, read_document
    from applc.lint import lint_document
    from applc.targets.registry import TargetError, load_target
    from applc.targets.render import pending_files

    options = options or TargetOptions()
    try:
        target = load_target(target_name)
    except TargetError as exc:
        raise BuildError(str(exc)) from exc
    if options.namespace is not None and DNS1123_LABEL.fullmatch(options.namespace) is None:
        raise BuildError(
            f"namespace {shown(options.namespace)} is not a DNS-1123 label "
            "(lower-case letters, digits and `-`, at most 63 characters)"
        )
    if validate:
        from applc.targets.validate import VALIDATED_TARGETS

        if target_name not in VALIDATED_TARGETS:
            raise BuildError(
                f"--validate: applc ships schemas for the {', '.join(VALIDATED_TARGETS)} "
                f"target only, none for {target_name}"
            )
    for suffix in target.suffixes:
        if SAFE_NAME.fullmatch(f"x.{suffix}") is None:
            raise BuildError(f"target `{target_name}` declares an unsafe suffix {shown(suffix)}")
    manifest = Manifest.load(out_dir) if out_dir is not None else None

    report = Report([], {}, 0)
    docs = []
    for f in expand_inputs(paths, configs, warn=warn):
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
        forget = getattr(doc.source.locator, "forget", None)
        if forget is not None:
            forget()  # the findings are placed; what found them is not needed any more
        report.sources[doc.source.path] = doc.source
        report.files += 1
        docs.append((f, doc))
    report.diagnostics.sort(key=lambda d: d.sort_key)

    result = BuildResult(report, target_name, manifest=manifest)
    if result.refused:
        return result
    # Checked after lint, whatever it was told to ignore: a name is a path.
    for _, doc in docs:
        aid = doc.value.get("id") if isinstance(doc.value, dict) else None
        why = id_problem(aid)
        if why is not None:
            raise BuildError(f"{doc.source.path}: {why}", report)
    seen: set[str] = set()
    for f, doc in docs:
        key = source_key(f, stdin_filename, out_dir)
        if key in seen:
            continue  # the same file named twice
        seen.add(key)
        app = doc.appliance
        # Rendered when written, a piece at a time (write_outputs).
        files = pending_files(target, app, options)
        for pending in files:
            if pending.suffix not in target.suffixes:
                raise BuildError(
                    f"target `{target_name}` wrote a file with suffix {shown(pending.suffix)}, "
                    "which it does not declare"
                )
        result.units.append(
            Unit(f, doc.source.path, key, str(app.id), [(p.suffix, p) for p in files])
        )
    assign_names(result, out_dir)
    if validate:
        from applc.targets.validate import validate_outputs

        result.invalid = validate_outputs(target_name, result.outputs)
    return result


# --------------------------------------------------------------------------- names


def source_key(path: str, stdin_filename: str | None, out_dir: Path | None) -> str:
    """An input's identity: its real path, relative to the output folder's real path
    when there is one (so a manifest stays the same in every clone)."""
    if path == "-":
        if stdin_filename is None:
            return "-"
        path = stdin_filename
    real = os.path.realpath(path)
    if out_dir is None:
        return Path(real).as_posix()
    return Path(os.path.relpath(real, os.path.realpath(out_dir))).as_posix()


def input_stem(key: str) -> str:
    name = PurePosixPath(key).name
    for suffix in _INPUT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name


def _label_part(text: str) -> str:
    return _NOT_NAME_CHARS.sub("_", text).strip(".-") or "_"


def labels(keys: list[str]) -> dict[str, str]:
    """A short, stable, distinct label for each input of a colliding group: its file
    stem, with as many parent folders as it takes to tell them apart."""
    parts = {
        k: [p for p in PurePosixPath(k).parts[:-1] if p not in ("/", ".", "..")] + [input_stem(k)]
        for k in keys
    }
    longest = max((len(v) for v in parts.values()), default=1)
    for depth in range(1, longest + 1):
        got = {k: "-".join(_label_part(p) for p in v[-depth:]) for k, v in parts.items()}
        if len({g.casefold() for g in got.values()}) == len(got):
            return {k: g[:100] for k, g in got.items()}
    return {
        k: f"{_label_part(input_stem(k))[:80]}-{hashlib.sha256(k.encode()).hexdigest()[:8]}"
        for k in keys
    }


def assign_names(result: BuildResult, out_dir: Path | None) -> None:
    """Choose each unit's stem, and fill in `outputs` and `obsolete`."""
    manifest = result.manifest or Manifest()
    current = {u.key for u in result.units}
    groups: dict[str, list[str]] = {}
    for u in result.units:
        groups.setdefault(u.appliance.casefold(), [])
        if u.key not in groups[u.appliance.casefold()]:
            groups[u.appliance.casefold()].append(u.key)
    recorded_elsewhere = manifest.other_sources(result.target, current, out_dir)
    for key, appliance in recorded_elsewhere.items():
        group = groups.get(appliance.casefold())
        if group is not None and key not in group:
            group.append(key)
    for u in result.units:
        group = groups[u.appliance.casefold()]
        if len(group) == 1:
            u.stem = u.appliance
            continue
        u.stem = f"{u.appliance}--{labels(sorted(group))[u.key]}"
    for aid, group in groups.items():
        if len(group) > 1:
            mine = [u for u in result.units if u.appliance.casefold() == aid]
            others = [k for k in group if k not in current]
            text = ", ".join(f"{u.display} -> {u.stem}.*" for u in mine)
            result.notes.append(
                f"{len(group)} inputs define appliance `{mine[0].appliance}`"
                + (f" ({', '.join(others)} in an earlier build of this folder)" if others else "")
                + f"; their outputs are named apart: {text}"
            )
    names: dict[str, str] = {}
    for u in result.units:
        for suffix, file in u.files:
            name = f"{u.stem}.{suffix}"
            if SAFE_NAME.fullmatch(name) is None or len(name.encode()) > 255:
                raise BuildError(f"{u.display}: the output name {shown(name)} is not safe")
            folded = name.casefold()
            if folded in names:
                raise BuildError(
                    f"{u.display} and {names[folded]} would both write {name} "
                    "(names that differ only in case are the same file on some systems)"
                )
            owner = manifest.owner(name)
            if (
                owner is not None
                and owner not in current
                and manifest.source_exists(owner, out_dir)
            ):
                raise BuildError(
                    f"{u.display} would write {name}, which an earlier build wrote for "
                    f"{owner}; rename one of the appliances"
                )
            names[folded] = u.display
            result.outputs.append(OutputText(name, file, u.display))
    written = {o.name for o in result.outputs}
    result.obsolete = [
        name
        for name, rec in sorted(manifest.entries.items())
        if rec.get("target") == result.target and rec.get("source") in current
        if name not in written
    ]


# --------------------------------------------------------------------------- manifest


class Manifest:
    """`.applc-manifest.json`: for each file applc wrote in the folder, its target,
    appliance, input (relative to the folder) and the SHA-256 of what was written."""

    def __init__(self, entries: dict[str, dict[str, str]] | None = None) -> None:
        self.entries: dict[str, dict[str, str]] = entries or {}

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = out_dir / MANIFEST
        try:
            data = read_regular(path, follow=False, limit=64 << 20)
        except (FileNotFoundError, NotADirectoryError):
            return cls()
        except OSError as exc:
            raise BuildError(f"cannot read {path.as_posix()}: {exc.strerror or exc}") from None
        try:
            value = json.loads(data)
            files = value["files"]
            if value.get("version") != MANIFEST_VERSION or not isinstance(files, dict):
                raise ValueError
            entries = {}
            for name, rec in files.items():
                if SAFE_NAME.fullmatch(name) is None or not isinstance(rec, dict):
                    raise ValueError
                if not all(
                    isinstance(rec.get(k), str) for k in ("target", "appliance", "source", "sha256")
                ):
                    raise ValueError
                entries[name] = {k: rec[k] for k in ("target", "appliance", "source", "sha256")}
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BuildError(
                f"{path.as_posix()} is not a manifest this applc wrote; delete it to start over "
                "(applc then removes no old files until it has written them again)"
            ) from None
        return cls(entries)

    def owner(self, name: str) -> str | None:
        rec = self.entries.get(name)
        if rec is None:
            for other, r in self.entries.items():
                if other.casefold() == name.casefold():
                    rec = r
                    break
        return None if rec is None else rec["source"]

    @staticmethod
    def source_exists(key: str, out_dir: Path | None) -> bool:
        if key == "-" or out_dir is None:
            return False
        return os.path.isfile(os.path.join(os.path.realpath(out_dir), key))

    def other_sources(self, target: str, current: set[str], out_dir: Path | None) -> dict[str, str]:
        """Inputs of earlier builds (still there) for this target: key -> appliance id."""
        out: dict[str, str] = {}
        for rec in self.entries.values():
            key = rec["source"]
            if (
                rec["target"] == target
                and key not in current
                and key not in out
                and self.source_exists(key, out_dir)
            ):
                out[key] = rec["appliance"]
        return out

    def updated(
        self, target: str, units: list[Unit], outputs: list[OutputText], dropped: Iterable[str]
    ) -> Manifest:
        by_display = {u.display: u for u in units}
        entries = {n: dict(r) for n, r in self.entries.items() if n not in set(dropped)}
        for o in outputs:
            u = by_display[o.source]
            entries[o.name] = {
                "target": target,
                "appliance": u.appliance,
                "source": u.key,
                "sha256": o.digest(),
            }
        return Manifest(entries)

    def text(self) -> str:
        value = {
            "comment": "Files `applc build` wrote in this folder; it removes only these.",
            "version": MANIFEST_VERSION,
            "files": dict(sorted(self.entries.items())),
        }
        return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=True) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --------------------------------------------------------------------------- check, diff


@dataclass(frozen=True)
class Change:
    name: str
    kind: str  # "create", "update" or "remove"
    # The texts, for `--diff` (`changes(..., texts=True)`); None otherwise.
    old: str | None
    new: str | None
    # Where the bytes go: `<folder>/<name>`, or the file inside the folder that a
    # symbolic link of that name points to.
    path: Path | None = None
    before: os.stat_result | None = None
    # The new text, complete beside `path`, waiting to be moved into place.
    staged: Path | None = None


@dataclass(frozen=True)
class _Slot:
    path: Path
    before: os.stat_result | None

    @property
    def old(self) -> str | None:
        """The text there (bytes that are not UTF-8 kept as surrogate escapes), read
        when asked: the build itself compares a block at a time (`_Streamed`)."""
        if self.before is None:
            return None
        return _read_text(self.path, self.path.as_posix())


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root and path != root
    except ValueError:
        return False


def _slot(out_dir: Path, name: str, listing: set[str] | None) -> _Slot:
    """What is at `<out_dir>/<name>`, refusing what a build must not read or write."""
    path = out_dir / name
    shown_path = path.as_posix()
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return _Slot(path, None)
    if listing is not None and name not in listing:
        # Found under another spelling: the file system ignores case, and this is
        # another file's name.
        other = next((n for n in listing if n.casefold() == name.casefold()), "?")
        raise BuildError(
            f"{shown_path} is the same file as {(out_dir / other).as_posix()} on this "
            "file system (it ignores case); applc does not overwrite it"
        )
    dest = path
    if stat.S_ISLNK(st.st_mode):
        real = os.path.realpath(path)
        if not _inside(real, os.path.realpath(out_dir)):
            raise BuildError(
                f"{shown_path} is a symbolic link to a file outside the output folder; "
                "applc neither reads nor writes through it"
            )
        dest = Path(real)
        try:
            st = os.lstat(dest)
        except FileNotFoundError:
            return _Slot(dest, None)
    if not stat.S_ISREG(st.st_mode):
        raise BuildError(
            f"{shown_path} is {kind(st.st_mode)}; applc writes only regular files in "
            "the output folder"
        )
    return _Slot(dest, st)


def _read_text(path: Path, shown_path: str) -> str:
    try:
        data = read_regular(path, follow=False)
    except OSError as exc:
        raise BuildError(f"cannot read {shown_path}: {exc.strerror or exc}") from None
    return data.decode("utf-8", "surrogateescape")


def _listing(out_dir: Path) -> set[str] | None:
    try:
        return set(os.listdir(out_dir))
    except OSError:
        return None


# The text is encoded, hashed, compared and written this many characters at a time.
_BLOCK = 1 << 16


class _Hashed:
    """A sink that only hashes what it is given."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, text: str) -> None:
        self.hash.update(text.encode("utf-8", "surrogatepass"))

    def restart(self) -> None:
        self.hash = hashlib.sha256()


class _Streamed:
    """A file's new text as it is rendered, a block at a time: hashed, compared with the
    file already at `path` (if any) and, with `stage`, written to a staged file beside
    `path` from the first block that differs (the blocks before it are the old file's,
    copied from there). Nothing but the current block is held, and a file that is
    already right is only read."""

    def __init__(
        self, path: Path, before: os.stat_result | None, stage: bool, shown_path: str
    ) -> None:
        self.path = path
        self.before = before
        self.stage = stage
        self.staged: StagedFile | None = None
        self.old: int | None = None
        if before is not None:
            try:
                self.old = open_regular(path, follow=False)
            except OSError as exc:
                raise BuildError(f"cannot read {shown_path}: {exc.strerror or exc}") from None
        self.pieces: list[str] = []
        self.size = 0
        self.restart()

    def restart(self) -> None:
        self.pieces.clear()
        self.size = 0
        self.hash = hashlib.sha256()
        self.same = self.old is not None  # the text so far is the old file's start
        self.matched = 0  # bytes of it
        if self.old is not None:
            os.lseek(self.old, 0, os.SEEK_SET)
        if self.staged is not None:
            # Staged again from the first block that differs, if one does.
            staged, self.staged = self.staged, None
            staged.discard()

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        if self.size >= _BLOCK:
            self._flush()

    def _flush(self) -> None:
        data = "".join(self.pieces).encode("utf-8", "surrogatepass")
        self.pieces.clear()
        self.size = 0
        if not data:
            return
        self.hash.update(data)
        if self.same:
            assert self.old is not None
            if read_exactly(self.old, len(data)) == data:
                self.matched += len(data)
                return
            self.same = False
        if self.stage:
            if self.staged is None:
                self._start_staging()
            assert self.staged is not None
            self.staged.write(data)

    def _start_staging(self) -> None:
        self.staged = StagedFile(self.path.parent, self.path.name)
        copied = 0
        while copied < self.matched:
            assert self.old is not None
            block = os.pread(self.old, min(_BLOCK, self.matched - copied), copied)
            if not block:
                raise BuildError(f"{self.path.as_posix()} changed while applc was reading it")
            self.staged.write(block)
            copied += len(block)

    def finish(self) -> str | None:
        """ "create", "update" or None (the file is already right); with `stage`, the
        staged file is complete."""
        self._flush()
        if self.same and self.old is not None and os.read(self.old, 1):
            self.same = False  # the old file goes on after the new text ends
        if self.same:
            self._close_old()
            return None
        if self.stage:
            if self.staged is None:
                self._start_staging()  # nothing differed until the old file went on
            assert self.staged is not None
            mode = stat.S_IMODE(self.before.st_mode) if self.before is not None else umask_mode()
            self.staged.finish(mode, self.before)
        self._close_old()
        return "create" if self.before is None else "update"

    def _close_old(self) -> None:
        if self.old is not None:
            fd, self.old = self.old, None
            os.close(fd)

    def discard(self) -> None:
        self._close_old()
        if self.staged is not None:
            self.staged.discard()


def changes(out_dir: Path, result: BuildResult, *, texts: bool = True) -> list[Change]:
    """What writing the build's outputs (and removing its obsolete files) would change in
    `out_dir`; with `texts`, each change carries the old and new texts (for a diff;
    `--check` compares without holding them). Writes nothing. Raises BuildError for
    what the build must not touch."""
    return _changes(out_dir, result, stage=False, texts=texts)


def _changes(out_dir: Path, result: BuildResult, *, stage: bool, texts: bool) -> list[Change]:
    """`changes`, with the new text of each changed output staged beside it when
    `stage` is set (removed again if anything fails)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir.as_posix()} is not a folder")
    listing = _listing(out_dir)
    manifest = result.manifest or Manifest()
    # Every name is checked before anything is rendered or staged.
    slots = [_slot(out_dir, o.name, listing) for o in result.outputs]
    found: list[Change] = []
    try:
        for o, slot in zip(result.outputs, slots, strict=True):
            if texts:
                o.text  # noqa: B018 - rendered once, for the diff and the comparison
            streamed = _Streamed(slot.path, slot.before, stage, (out_dir / o.name).as_posix())
            try:
                o.write_to(streamed)
                what = streamed.finish()
            except BaseException:
                streamed.discard()
                raise
            o.sha256 = streamed.hash.hexdigest()
            staged = streamed.staged.path if streamed.staged is not None else None
            if what is not None:
                old = None
                if texts and slot.before is not None:
                    old = _read_text(slot.path, (out_dir / o.name).as_posix())
                new = o.text if texts else None
                found.append(Change(o.name, what, old, new, slot.path, slot.before, staged))
    except BaseException:
        _discard(found)
        raise
    for name in result.obsolete:
        path = out_dir / name
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        why = None
        old = None
        if not stat.S_ISREG(st.st_mode):
            why = f"it is now {kind(st.st_mode)}"
        elif read_only(st, path):
            why = "it is read-only"
        else:
            try:
                digest = _file_sha256(path)
                if texts:
                    old = read_regular(path, follow=False).decode("utf-8", "surrogateescape")
            except OSError as exc:
                why = f"it cannot be read ({exc.strerror or exc})"
            else:
                if digest != manifest.entries[name]["sha256"]:
                    why = "it changed since applc wrote it"
        if why is not None:
            note = f"kept {path.as_posix()}, which this build no longer writes: {why}"
            if note not in result.notes:
                result.notes.append(note)
            continue
        found.append(Change(name, "remove", old, None, path, st))
    return found


def _file_sha256(path: Path) -> str:
    fd = open_regular(path, follow=False)
    try:
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    finally:
        os.close(fd)


def _discard(todo: list[Change]) -> None:
    for ch in todo:
        if ch.staged is not None:
            ch.staged.unlink(missing_ok=True)


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


def write_outputs(out_dir: Path, result: BuildResult) -> list[Change]:
    """Bring `out_dir` to the build's outputs (minus its obsolete files), all or nothing,
    and record them in the manifest; returns what changed. Files whose content is
    already right are not touched.

    Each output is rendered straight into a staged file beside its destination, a block
    at a time, and compared with the file there as it goes (an output already right is
    only read): the build never holds a whole output text."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir.as_posix()} is not a folder")
    made = _missing_folders(out_dir)
    todo: list[Change] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        todo = _changes(out_dir, result, stage=True, texts=False)
        for ch in todo:
            if (
                ch.kind == "update"
                and ch.before is not None
                and ch.path is not None
                and read_only(ch.before, ch.path)
            ):
                raise BuildError(
                    f"{(out_dir / ch.name).as_posix()} is read-only; make it writable "
                    "to let applc change it"
                )
        # Files this build no longer writes leave the manifest, removed or kept: a kept
        # one is no longer applc's to touch.
        old_manifest = result.manifest or Manifest()
        manifest = old_manifest.updated(
            result.target, result.units, result.outputs, result.obsolete
        )
        todo_all = list(todo)
        slot = _slot(out_dir, MANIFEST, _listing(out_dir))
        old_text = _read_text(slot.path, slot.path.as_posix()) if slot.before is not None else None
        new_text = manifest.text()
        if old_text != new_text:
            kind_ = "create" if old_text is None else "update"
            todo_all.append(Change(MANIFEST, kind_, old_text, new_text, slot.path, slot.before))
        if not todo_all:
            return []
        _apply(todo_all)
    except BaseException:
        _discard(todo)
        for folder in made:
            try:
                folder.rmdir()  # only when still empty
            except OSError:
                break
        raise
    return [c for c in todo_all if c.name != MANIFEST]


def _missing_folders(out_dir: Path) -> list[Path]:
    """The folders `mkdir(parents=True)` would create for `out_dir`, deepest first."""
    missing = []
    folder = out_dir
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _apply(todo: list[Change]) -> None:
    staged: list[tuple[Path, Path]] = []  # (staged file, destination)
    backups: list[tuple[Path, Path]] = []  # (second name of the old file, destination)
    in_place: list[tuple[Path, bytes]] = []  # rewritten through the inode
    placed: list[Path] = []
    try:
        for ch in todo:
            if ch.path is None or _hard_linked(ch):
                continue
            if ch.staged is not None:
                staged.append((ch.staged, ch.path))
            elif ch.new is not None:
                mode = stat.S_IMODE(ch.before.st_mode) if ch.before is not None else umask_mode()
                data = ch.new.encode("utf-8", "surrogatepass")
                staged.append((stage(ch.path.parent, ch.path.name, data, mode, ch.before), ch.path))
        for ch in todo:
            if ch.kind != "create" and ch.path is not None and not _hard_linked(ch):
                backups.append((_backup(ch.path), ch.path))
        for tmp, dest in staged:
            os.replace(tmp, dest)
            placed.append(dest)
        for ch in todo:
            if _hard_linked(ch) and ch.path is not None and ch.before is not None:
                # The one path that holds texts whole: a file with other names is
                # rewritten through its inode, and its old bytes kept to roll back.
                old = read_regular(ch.path, follow=False)
                if ch.staged is not None:
                    new = read_regular(ch.staged, follow=False)
                else:
                    new = (ch.new or "").encode("utf-8", "surrogatepass")
                write_in_place(ch.path, new, ch.before)
                in_place.append((ch.path, old))
        for ch in todo:
            if ch.kind == "remove" and ch.path is not None:
                ch.path.unlink()
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
        for path, old in in_place:
            write_in_place(path, old, os.stat(path))
        _discard(todo)
        raise
    for bak, _ in backups:
        bak.unlink(missing_ok=True)
    _discard(todo)  # the staged files of hard-linked outputs, copied in place


def _hard_linked(ch: Change) -> bool:
    """An existing file with other names is rewritten in place, so the names stay one
    file (replacing it would split them)."""
    return ch.kind == "update" and ch.before is not None and ch.before.st_nlink > 1


def _backup(dest: Path) -> Path:
    """A second name for the current file, to restore it if the build fails later."""
    import shutil
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".bak", dir=dest.parent)
    os.close(fd)
    bak = Path(tmp)
    try:
        bak.unlink()
        os.link(dest, bak)
    except OSError:
        shutil.copy2(dest, bak)
    return bak
