"""Pieces shared by the CI formats: a diagnostic's file as a report path."""

from __future__ import annotations

from pathlib import Path, PurePath


def report_path(file: str) -> str:
    """`file` relative to the current folder when it lies under it, else as given.

    CI services (GitLab, reviewdog) resolve paths from the repository root, where the job
    runs; a relative input is already that, minus any `./`.
    """
    p = PurePath(file)
    if not p.is_absolute():
        return p.as_posix() if file not in ("", "-") else file
    cwd = Path.cwd()
    for base, path in ((cwd, Path(p)), (cwd.resolve(), Path(p).resolve())):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return file
