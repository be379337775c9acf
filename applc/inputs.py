"""Which files are appliances, and reading them into documents by their language."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from applc.diagnostics import Finding, Loc
from applc.files import kind, read_regular
from applc.frontends.document import Document
from applc.patterns import lazy
from applc.source import Source, Span

DSL_SUFFIX = ".appl"
_CONTAINERS_KEY = lazy(r'"containers"\s*:')
Warn = Callable[[str], None]
# Folders never searched outside a git work tree (inside one, .gitignore decides):
# dependencies, virtual environments and build output hold JSON that is not the
# project's. A folder named on the command line is still searched.
DEFAULT_EXCLUDES = frozenset({"node_modules", ".venv", "venv", "build", "dist"})


def is_dsl(path: str) -> bool:
    return path.endswith(DSL_SUFFIX)


def parse_document(path: str, data: bytes) -> Document:
    """Bytes -> Document, by the file's language."""
    if is_dsl(path):
        from applc.frontends.dsl import load_dsl

        return load_dsl(path, data)
    from applc.frontends.json_loader import load_json

    return load_json(path, data)


def read_document(path: str) -> Document:
    """Read a file; a file that cannot be read is a document with an APL003 finding."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        return _unreadable(path, "is a directory")
    except FileNotFoundError:
        return _unreadable(path, "does not exist")
    except PermissionError:
        return _unreadable(path, "cannot be read: permission denied")
    except OSError as exc:
        return _unreadable(path, f"cannot be read: {exc.strerror or exc}")
    return parse_document(path, data)


def _unreadable(path: str, why: str) -> Document:
    return Document(
        Source(path, ""),
        None,
        [Finding("APL003", Loc(""), f"{path} {why}", span=Span(1, 1, 1, 1))],
    )


def looks_like_appliance(path: Path) -> bool:
    """`*.appl`, `*.appliance.json`, or a `*.json` whose top level has `containers`."""
    name = path.name
    if name.endswith((DSL_SUFFIX, ".appliance.json")):
        return True
    if not name.endswith(".json"):
        return False
    try:
        head = read_regular(path, limit=1 << 20)
    except OSError:
        return False
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and _CONTAINERS_KEY.search(text) is not None


def _may_be_appliance(name: str) -> bool:
    return name.endswith((DSL_SUFFIX, ".json"))


def _git_listing(folder: Path, warn: Warn) -> list[Path] | None:
    """Files git does not ignore under `folder`, or None outside a work tree."""
    import subprocess  # only a folder argument asks git

    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=folder,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        # git goes on past a folder it cannot open; say which one was skipped.
        if "could not open directory" in line:
            warn(f"{line.removeprefix('warning: ')}; skipped")
    return [folder / p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]


def _walk(folder: Path, warn: Warn) -> list[Path]:
    def unreadable(exc: OSError) -> None:
        where = exc.filename if exc.filename is not None else folder
        warn(f"cannot read folder {where}: {exc.strerror or exc}; skipped")

    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in DEFAULT_EXCLUDES)
        found.extend(Path(root) / f for f in files)
    return found


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


def _regular_inside(p: Path, root: str, warn: Warn) -> bool:
    """Whether discovery may read `p`: a regular file, or a symbolic link to one inside
    the folder searched. Anything else is skipped without being opened (a fifo would
    block, a device never end); a name that could be an appliance is skipped aloud."""
    try:
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            if not _inside(os.path.realpath(p), root):
                if _may_be_appliance(p.name):
                    warn(f"skipped {p}: a symbolic link to a file outside the folder searched")
                return False
            st = os.stat(p)
    except OSError:
        return False  # a dangling link, or gone since it was listed
    if not stat.S_ISREG(st.st_mode):
        if _may_be_appliance(p.name) and not stat.S_ISDIR(st.st_mode):
            warn(f"skipped {p}: it is {kind(st.st_mode)}, not a regular file")
        return False
    return True


def _ignore(_message: str) -> None:
    pass


def discover(folder: Path, warn: Warn | None = None) -> Iterator[Path]:
    """Appliance files under a folder: hidden folders and git-ignored files skipped, and
    only regular files (links to them inside the folder) read. `warn` hears about what
    was skipped that the user may have meant: unreadable folders, fifos, devices,
    links out of the folder."""
    warn = warn or _ignore
    listed = _git_listing(folder, warn)
    candidates = sorted(listed if listed is not None else _walk(folder, warn))
    root = os.path.realpath(folder)
    for p in candidates:
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        if not (p.name.endswith((DSL_SUFFIX, ".json"))):
            continue
        if _regular_inside(p, root, warn) and looks_like_appliance(p):
            yield p
