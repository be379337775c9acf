"""Which files are appliances, and reading them into documents by their language."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from applc.diagnostics import Finding, Loc
from applc.frontends.document import Document
from applc.source import Source, Span

DSL_SUFFIX = ".appl"
_CONTAINERS_KEY = re.compile(r'"containers"\s*:')
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
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and _CONTAINERS_KEY.search(text) is not None


def _git_listing(folder: Path) -> list[Path] | None:
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
    return [folder / p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]


def discover(folder: Path) -> Iterator[Path]:
    """Appliance files under a folder: hidden folders and git-ignored files skipped."""
    listed = _git_listing(folder)
    if listed is not None:
        candidates = sorted(p for p in listed if p.is_file())
    else:
        found: list[Path] = []
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in DEFAULT_EXCLUDES)
            found.extend(Path(root) / f for f in files)
        candidates = sorted(found)
    for p in candidates:
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        if looks_like_appliance(p):
            yield p
