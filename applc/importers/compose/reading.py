"""The files a compose file names (`.env`, `env_file`, `extends: {file}`), read on purpose.

A compose file is hostile input: applc imports strangers' pull requests in CI. Docker
compose reads whatever such a path names; the import reads a named file only when

- its real path (every symbolic link resolved) is inside the project folder (the folder
  of the first compose file), inside a folder the user allowed with `--allow-outside`, or
  is a file the user named on the command line; never inside a `.git` folder, where CI
  checkouts keep their credentials;
- it is a regular file: a fifo, a device, a socket or a folder is refused after an
  `lstat` and never opened (opening a fifo blocks, reading a device never ends, and
  opening some devices has effects of its own), and the open descriptor is checked again;
- it is not larger than the cap its kind has.

A refusal is a `Refused` whose message says why, for a finding at the value that named
the file. The text of a file read this way is never shown in a finding (see
`Reporter.hidden`): a finding gives its file, line and column only.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from applc.files import kind


class Refused(Exception):
    """The import will not read this file; the message says why, after the file's name.
    `outside`: refused for where it is (`--allow-outside` may help), not for what it is."""

    def __init__(self, message: str, *, outside: bool = False) -> None:
        super().__init__(message)
        self.outside = outside


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class Gate:
    """Which files the compose files may have the import read."""

    def __init__(
        self, root: Path, allowed: Iterable[str | Path] = (), inputs: Iterable[str] = ()
    ) -> None:
        self.root = os.path.realpath(root)
        self.allowed = tuple(os.path.realpath(a) for a in allowed)
        self.inputs = frozenset(os.path.realpath(i) for i in inputs if i != "-")

    def is_input(self, path: str | Path) -> bool:
        """True for a file named on the command line (its text may be shown)."""
        return "\0" not in str(path) and os.path.realpath(path) in self.inputs

    def check(self, path: str | Path) -> str:
        """The real path of `path` when the import may read it; raises Refused."""
        text = str(path)
        if "\0" in text:
            raise Refused("is not a valid path (it holds a NUL character)")
        real = os.path.realpath(text)
        if real in self.inputs:
            return real
        folders = (self.root, *self.allowed)
        if not any(_within(real, f) for f in folders):
            lexical = os.path.normpath(os.path.abspath(text))
            if any(_within(lexical, f) for f in folders):
                raise Refused(
                    "is a symbolic link that leads outside the project folder", outside=True
                )
            raise Refused("is outside the project folder", outside=True)
        for folder in folders:
            if _within(real, folder) and ".git" in Path(os.path.relpath(real, folder)).parts:
                raise Refused("is inside a `.git` folder")
        return real

    def read(self, path: str | Path, limit: int) -> tuple[str, bytes]:
        """(real path, bytes) of a file the import may read; raises Refused, or OSError
        (FileNotFoundError when there is nothing there)."""
        real = self.check(path)
        st = os.lstat(real)
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISLNK(st.st_mode):  # realpath stops at a loop
                raise Refused("is a symbolic link that does not resolve")
            raise Refused(f"is {kind(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise Refused(f"is larger than {_size(limit)}")
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(real, flags)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENXIO):
                raise Refused("changed while the import was reading it") from None
            raise
        try:
            # The same check on what was opened: the name may have been swapped since.
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"is {kind(st.st_mode)}, not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(limit + 1)
        finally:
            os.close(fd)
        if len(data) > limit:
            raise Refused(f"is larger than {_size(limit)}")
        return real, data


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"
