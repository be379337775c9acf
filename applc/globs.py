"""File patterns as `.gitignore` writes them, for `exclude`, `extend-exclude`,
`per-file-ignores` and `[[suppress]] files`.

Relative patterns are read from the configuration file's folder, with gitignore's rules
(pathspec's `GitIgnoreSpec`): `*` does not cross `/`, `**` does; a pattern without a
slash (`b.json`, `*.appl`) matches at any depth; one with a slash (`vendor/*.json`,
`/b.json`) is anchored at that folder; a trailing `/` (`vendor/`) matches everything
under a folder; `!` re-includes. Leading `./` is dropped, since gitignore has no such
form and users write it. A pattern starting with `/` is also read as an absolute path,
so `/home/me/repo/vendor/b.json` matches that file wherever the config is.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import PathSpec


class PatternError(ValueError):
    """A pattern gitignore cannot read."""


def _normalise(pattern: str) -> str:
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    while body.startswith("./"):
        body = body[2:]
    return ("!" if negate else "") + body


@functools.lru_cache(maxsize=256)
def _specs(patterns: tuple[str, ...], root: str) -> tuple[PathSpec | None, PathSpec | None]:
    """(patterns relative to `root`, absolute patterns), each compiled once."""
    from pathspec import GitIgnoreSpec

    rel: list[str] = []
    absolute: list[str] = []
    for p in patterns:
        p = _normalise(p)
        negate = "!" if p.startswith("!") else ""
        body = p[len(negate) :]
        if not body.startswith("/"):
            rel.append(p)
            continue
        # `/x` is gitignore's "x in the config's folder" and also an absolute path: a
        # file matches either way (the absolute reading is kept anchored at `/`).
        absolute.append(negate + body)
        inside = os.path.relpath(body, root).replace(os.sep, "/")
        if inside == "." or inside == ".." or inside.startswith("../"):
            rel.append(p)
        else:
            rel.append(negate + "/" + inside + ("/" if body.endswith("/") else ""))
    return (
        GitIgnoreSpec.from_lines(rel) if rel else None,
        GitIgnoreSpec.from_lines(absolute) if absolute else None,
    )


def matches_any(patterns: tuple[str, ...], root: str, file: str) -> bool:
    """Whether `file` is matched by the patterns read from folder `root`."""
    if not patterns:
        return False
    rel_spec, abs_spec = _specs(tuple(patterns), root)
    absolute = os.path.abspath(file)
    if rel_spec is not None:
        rel = os.path.relpath(absolute, root).replace(os.sep, "/")
        if not rel.startswith("../") and rel != ".." and rel_spec.match_file(rel):
            return True
    return abs_spec is not None and abs_spec.match_file(absolute.lstrip("/"))


def validate_pattern(pattern: str) -> None:
    """Raise PatternError when gitignore cannot read `pattern`."""
    if not pattern.strip() or _normalise(pattern) in ("", "!"):
        raise PatternError("an empty pattern matches nothing")
    if "\n" in pattern or "\r" in pattern or "\0" in pattern:
        raise PatternError("a pattern is one line without NUL")
    from pathspec import GitIgnoreSpec

    try:
        GitIgnoreSpec.from_lines([_normalise(pattern)])
    except (ValueError, TypeError) as exc:
        raise PatternError(str(exc)) from None
