"""Files on purpose: what applc does with symbolic links, fifos, devices, read-only files
and hard links, in one place.

Reading for discovery (`read_regular`): only regular files, opened without blocking, so
a fifo or a device behind a name never hangs applc or fills its memory.

Writing a file the user named (`write_file`: `-f FORMAT=PATH`, `lint --fix`, `fmt
--write`, `schema -o`), by what is at the path:

- nothing: a new file, written whole beside it and renamed into place (atomic), with
  the permissions the umask allows;
- a symbolic link: the file it points to, by the same rules (a link is never replaced
  by a file, and `--fix` on a linked appliance fixes the real file);
- a regular file: replaced atomically, keeping its permissions and, where the system
  allows, its owner; a file nobody may write (mode 0444, say) is refused rather than
  replaced behind its owner's back;
- a regular file with other hard links: written in place, so every name sees the new
  text (replacing it would split the links and leave the other names stale). That
  write is not atomic; the text is complete in memory before the file is touched;
- a fifo or a character device (`/dev/stdout`, a named pipe): written directly;
- anything else (a directory, a block device, a socket): refused.

A refusal is an `UnsafeFile`, an OSError whose `strerror` says why, so callers report it
as they report any other write error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path


class UnsafeFile(OSError):
    """applc will not write (or read) this path; `strerror` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EPERM, message)


def kind(mode: int) -> str:
    """What a stat mode names, in words."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a fifo"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def umask_mode() -> int:
    """The permissions a new file gets (what the umask allows of 0666), not mkstemp's
    0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_only(st: os.stat_result, path: str | Path) -> bool:
    """True when nobody may write the file (no write bit at all: root ignores the bits,
    so they are checked directly), or this process may not."""
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


# --------------------------------------------------------------------------- reading


def read_regular(path: str | Path, *, follow: bool = True, limit: int | None = None) -> bytes:
    """The bytes of a regular file. Anything else raises UnsafeFile without blocking: the
    file is opened non-blocking, and checked on the open descriptor (so it cannot be
    swapped between the check and the read). With `follow=False` a symbolic link is
    refused too; `limit` caps how much is read."""
    fd = open_regular(path, follow=follow)
    try:
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read() if limit is None else fh.read(limit)
    finally:
        os.close(fd)


def open_regular(path: str | Path, *, follow: bool = True) -> int:
    """A descriptor open for reading on the regular file `path`, by the rules of
    `read_regular` (for reading a big file a block at a time); the caller closes it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise UnsafeFile(f"{path} is a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(f"{path} is {kind(st.st_mode)}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_exactly(fd: int, n: int) -> bytes:
    """Up to `n` bytes from `fd`, fewer only at the end of the file."""
    parts = []
    while n > 0:
        got = os.read(fd, n)
        if not got:
            break
        parts.append(got)
        n -= len(got)
    return b"".join(parts)


# --------------------------------------------------------------------------- writing


def resolve_link(path: str | Path) -> Path:
    """The path a write to `path` lands on: `path` itself, or the end of its chain of
    symbolic links."""
    p = Path(path)
    if p.is_symlink():
        return Path(os.path.realpath(p))
    return p


def write_file(path: str | Path, data: bytes | str) -> None:
    """Write `data` to the file named `path`, by the rules at the top of this module."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    named = Path(path)
    try:
        st: os.stat_result | None = os.stat(named)
    except FileNotFoundError:
        st = None
    if st is not None and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
        # Through the name as given: /dev/stdout is a link to /proc/self/fd/1, whose
        # "target" may be no path at all (`pipe:[1234]`).
        write_stream(named, data)
        return
    real = resolve_link(named)
    if st is None:
        if real == named:
            real.parent.mkdir(parents=True, exist_ok=True)
        # A dangling link: create its target, but no folders for it.
        replace_atomically(real, data, umask_mode())
        return
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        raise UnsafeFile(f"{named} is {kind(mode)}; applc writes only regular files there")
    if read_only(st, real):
        raise UnsafeFile(f"{named} is read-only; make it writable to let applc change it")
    if st.st_nlink > 1:
        write_in_place(real, data, st)
    else:
        replace_atomically(real, data, stat.S_IMODE(mode), st)


def write_stream(path: Path, data: bytes) -> None:
    """Write to a fifo or a character device as it is: no temporary file, no rename."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)


def write_in_place(path: Path, data: bytes, before: os.stat_result) -> None:
    """Rewrite a regular file through its own inode (a file with hard links keeps them)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(f"{path} changed while applc was writing it")
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(folder: Path, name: str, data: bytes, mode: int, owner: os.stat_result | None) -> Path:
    """A complete new file beside its destination, with `mode` (and the owner of `owner`,
    when the system allows), ready to be renamed into place."""
    import tempfile  # only when writing: a clean lint never loads it

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    staged = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _mode_and_owner(staged, mode, owner)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def _mode_and_owner(staged: Path, mode: int, owner: os.stat_result | None) -> None:
    os.chmod(staged, mode)
    mine = os.stat(staged)
    if owner is not None and (owner.st_uid, owner.st_gid) != (mine.st_uid, mine.st_gid):
        # Only root (or the owner, for the group) may: otherwise keep what we have.
        with contextlib.suppress(OSError):
            os.chown(staged, owner.st_uid, owner.st_gid)


class StagedFile:
    """A new file beside its destination (`.<name>.<random>.tmp`), written a block at a
    time; `finish` makes it complete (flushed to disk, with its mode and owner), ready to
    be renamed into place; `discard` removes it."""

    def __init__(self, folder: Path, name: str) -> None:
        import tempfile  # only when writing: a clean lint never loads it

        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        self.fd: int | None = fd
        self.path = Path(tmp)

    def write(self, data: bytes) -> None:
        assert self.fd is not None
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def finish(self, mode: int, owner: os.stat_result | None) -> None:
        assert self.fd is not None
        fd, self.fd = self.fd, None
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _mode_and_owner(self.path, mode, owner)

    def discard(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
        self.path.unlink(missing_ok=True)


def replace_atomically(
    path: Path, data: bytes, mode: int, before: os.stat_result | None = None
) -> None:
    tmp = stage(path.parent, path.name, data, mode, before)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
