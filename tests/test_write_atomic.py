"""What "atomic" means for the files applc rewrites (`--fix`, `--add-ignore`,
`convert -o`, `-f FORMAT=PATH`): a write that fails or is interrupted leaves the old
file, never a truncated one, and a reader at any moment sees the old file or the whole
new one.

Failures are real ones, not mocks of applc's own calls: a child process with a file-size
limit (RLIMIT_FSIZE) gets EFBIG part-way through its write, exactly as on a full disk.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from applc.cli.common import write_atomic

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")


def limited(code: str, limit: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in a child whose files may not grow past `limit` bytes."""
    prelude = textwrap.dedent(
        f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    if env.get("MUTANT_UNDER_TEST") == "stats":
        # mutmut's coverage pass (docs/testing.md) records calls in this process only;
        # the child runs the code as it is.
        env["MUTANT_UNDER_TEST"] = ""
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_write_that_fails_midway_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text("old content\n", encoding="utf-8")
    os.chmod(path, 0o640)
    proc = limited(
        f"""
        from applc.cli.common import write_atomic
        try:
            write_atomic({str(path)!r}, "new " * 100_000)
        except OSError as exc:
            print("failed", exc.errno)
        """,
        limit=50_000,
        cwd=tmp_path,
    )
    assert proc.stdout.strip() == "failed 27", proc.stderr  # EFBIG
    assert path.read_text(encoding="utf-8") == "old content\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.json"]  # no staged file


def test_a_write_keeps_the_mode_and_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text("x" * 10_000, encoding="utf-8")
    os.chmod(path, 0o604)
    write_atomic(str(path), "short\n")
    assert path.read_text(encoding="utf-8") == "short\n"
    assert path.stat().st_mode & 0o777 == 0o604
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.json"]


def test_a_new_file_gets_what_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(str(tmp_path / "sub" / "new.sarif"), "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "new.sarif").stat().st_mode & 0o777 == 0o640


def test_an_interrupted_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the new text is being written: the old file stays."""
    import applc.files as files

    path = tmp_path / "app.json"
    path.write_text("old\n", encoding="utf-8")
    real_fdopen = os.fdopen

    class Interrupting:
        def __init__(self, fh) -> None:
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.fh.close()

        def write(self, text: str) -> int:
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise KeyboardInterrupt

        def __getattr__(self, name: str):
            return getattr(self.fh, name)

    monkeypatch.setattr(files.os, "fdopen", lambda *a, **k: Interrupting(real_fdopen(*a, **k)))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(path), "new " * 1000)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.json"]


READER = """
import sys
path = sys.argv[1]
first, second = open(sys.argv[2]).read(), open(sys.argv[3]).read()
seen = {"first": 0, "second": 0}
sys.stdout.write("ready\\n"); sys.stdout.flush()
while True:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        print("missing"); break
    if text == first:
        seen["first"] += 1
    elif text == second:
        seen["second"] += 1
    elif text == "stop":
        break
    else:
        print("partial", len(text)); break
print(seen["first"], seen["second"])
"""


def test_a_reader_never_sees_a_partial_file(tmp_path: Path) -> None:
    """Another process reads the file in a loop while applc rewrites it again and again
    with one of two large texts: every read is one text or the other, whole."""
    path = tmp_path / "app.json"
    first = json.dumps({"k": "a" * 2_000_000}) + "\n"
    second = json.dumps({"k": "b" * 3_000_000}) + "\n"
    (tmp_path / "first").write_text(first, encoding="utf-8")
    (tmp_path / "second").write_text(second, encoding="utf-8")
    path.write_text(first, encoding="utf-8")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(path),
            str(tmp_path / "first"),
            str(tmp_path / "second"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "ready\n"
        for i in range(40):
            write_atomic(str(path), second if i % 2 == 0 else first)
        write_atomic(str(path), "stop")
        out, _ = reader.communicate(timeout=120)
    finally:
        reader.kill()
    assert "partial" not in out and "missing" not in out, out
    assert reader.returncode == 0


def test_lint_fix_on_a_full_disk_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """The user's view: `applc lint --fix` cannot write, says so, exits 2, and the
    appliance is byte for byte what it was."""
    app = {
        "id": "shop",
        "containers": [
            {
                "id": "db",
                "type": "service",
                "image": "postgres:15.4",
                "resources": {"cpus": 1, "mem": 512},
                "network_mode": "BRIDGE",
                "env": {f"K{i}": "x" * 200 for i in range(200)},
            },
            {
                "id": "web",
                "type": "service",
                "image": "shop/web:1.0",
                "resources": {"cpus": 1, "mem": 512},
                "network_mode": "BRIDGE",
                "env": {"DB": "postgres://@dbx:5432"},  # APL201, fixed to @db
            },
        ],
    }
    path = tmp_path / "shop.appliance.json"
    data = json.dumps(app, indent=2).encode()
    path.write_bytes(data)
    proc = limited(
        f"""
        import sys
        from applc.cli import main
        sys.argv = ["applc", "lint", "--fix", "--unsafe-fixes", {str(path)!r}]
        main()
        """,
        limit=len(data) // 2,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "File too large" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.appliance.json"]


# --------------------------------------------------------------------------- applc/files.py


def test_every_kind_of_file_is_named_in_words(tmp_path: Path) -> None:
    import stat

    from applc.files import kind

    assert kind(stat.S_IFREG | 0o644) == "a regular file"
    assert kind(stat.S_IFDIR | 0o755) == "a directory"
    assert kind(stat.S_IFLNK | 0o777) == "a symbolic link"
    assert kind(stat.S_IFIFO | 0o600) == "a fifo"
    assert kind(stat.S_IFCHR | 0o666) == "a character device"
    assert kind(stat.S_IFBLK | 0o660) == "a block device"
    assert kind(stat.S_IFSOCK | 0o755) == "a socket"
    assert kind(0) == "not a regular file"


def test_a_refusal_is_a_permission_error_that_says_why() -> None:
    import errno

    from applc.files import UnsafeFile

    exc = UnsafeFile("x is a fifo")
    assert isinstance(exc, OSError)
    assert (exc.errno, exc.strerror) == (errno.EPERM, "x is a fifo")


def test_anything_but_a_file_link_fifo_or_device_is_refused(tmp_path: Path) -> None:
    from applc.files import UnsafeFile, write_file

    (tmp_path / "dir").mkdir()
    with pytest.raises(UnsafeFile) as info:
        write_file(tmp_path / "dir", "x")
    assert info.value.strerror == (
        f"{tmp_path / 'dir'} is a directory; applc writes only regular files there"
    )


def test_a_read_only_file_is_refused_even_to_root(tmp_path: Path) -> None:
    from applc.files import UnsafeFile, read_only, write_file

    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o444)
    assert read_only(os.stat(path), path)
    with pytest.raises(UnsafeFile) as info:
        write_file(path, "new")
    assert info.value.strerror == f"{path} is read-only; make it writable to let applc change it"
    assert path.read_text(encoding="utf-8") == "old"
    os.chmod(path, 0o200)  # writable by its owner only
    assert not read_only(os.stat(path), path)


def test_a_stream_gets_every_byte_even_from_short_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POSIX lets write() take fewer bytes than it was given (a signal, a full pipe):
    what is left is written again."""
    import threading

    from applc.files import write_file

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    text = "é" + "0123456789" * 50
    try:
        write_file(fifo, text)
    finally:
        reader.join(timeout=60)
    assert got == [text.encode("utf-8")]
    assert (tmp_path / "report.fifo").is_fifo()


def test_a_file_with_other_names_gets_every_byte_in_place_even_from_short_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from applc.files import write_file

    path = tmp_path / "a.json"
    path.write_text("x" * 1000, encoding="utf-8")
    os.link(path, tmp_path / "b.json")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:5])))
    write_file(path, "new text\n")
    assert (tmp_path / "b.json").read_bytes() == b"new text\n"
    assert os.path.samefile(path, tmp_path / "b.json")


def test_a_write_in_place_refuses_a_file_swapped_in_meanwhile(tmp_path: Path) -> None:
    """Between the look at the file and the write, the name may come to mean another
    file: a new regular file, or a symbolic link (even to the very same file)."""
    import errno

    from applc.files import UnsafeFile, write_in_place

    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")
    before = os.stat(path)
    (tmp_path / "other").write_text("other", encoding="utf-8")
    os.replace(tmp_path / "other", path)  # another inode under the name
    with pytest.raises(UnsafeFile) as info:
        write_in_place(path, b"new", before)
    assert info.value.strerror == f"{path} changed while applc was writing it"
    assert path.read_text(encoding="utf-8") == "other"

    real = tmp_path / "real.json"
    real.write_text("real", encoding="utf-8")
    before = os.stat(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(OSError) as raised:
        write_in_place(link, b"new", before)  # the same inode, but through a link
    assert raised.value.errno == errno.ELOOP  # the link is not followed
    assert real.read_text(encoding="utf-8") == "real"


def test_an_empty_text_written_in_place_leaves_an_empty_file(tmp_path: Path) -> None:
    from applc.files import write_file

    path = tmp_path / "a.json"
    path.write_text("old content", encoding="utf-8")
    os.link(path, tmp_path / "b.json")
    write_file(path, "")
    assert (tmp_path / "b.json").read_bytes() == b""


def test_the_new_text_is_staged_beside_the_file_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside it, hidden, under its own name: on the same file system, so the rename
    that puts it in place is atomic, and never mistaken for an input."""
    from applc.files import write_file

    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")
    real_replace = os.replace
    staged: list[Path] = []

    def replace(src: str, dst: str) -> None:
        staged.append(Path(src))
        assert Path(src).read_text(encoding="utf-8") == "new"  # whole before the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_file(path, "new")
    (tmp,) = staged
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".a.json.") and tmp.name.endswith(".tmp")
    assert path.read_text(encoding="utf-8") == "new"


def test_a_file_without_write_bits_is_read_only_whatever_its_other_bits() -> None:
    from applc.files import read_only

    class St:
        def __init__(self, mode: int) -> None:
            self.st_mode = mode

    for mode in (0o444, 0o555, 0o111, 0o000):
        assert read_only(St(0o100000 | mode), "/"), oct(mode)  # type: ignore[arg-type]
    for mode in (0o200, 0o020, 0o002, 0o644):
        assert not read_only(St(0o100000 | mode), "/"), oct(mode)  # type: ignore[arg-type]


def test_reading_follows_links_unless_told_not_to(tmp_path: Path) -> None:
    from applc.files import UnsafeFile, read_regular

    (tmp_path / "real.json").write_bytes(b"{}")
    (tmp_path / "link.json").symlink_to("real.json")
    assert read_regular(tmp_path / "link.json") == b"{}"
    assert read_regular(tmp_path / "real.json", limit=1) == b"{"
    with pytest.raises(UnsafeFile) as info:
        read_regular(tmp_path / "link.json", follow=False)
    assert info.value.strerror == f"{tmp_path / 'link.json'} is a symbolic link"


def test_reading_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    import threading

    from applc.files import UnsafeFile, read_regular

    fifo = tmp_path / "in.json"
    os.mkfifo(fifo)
    got: list[BaseException | bytes] = []

    def read() -> None:
        try:
            got.append(read_regular(fifo))
        except BaseException as exc:
            got.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=60)  # a hang guard, not a speed limit
    if reader.is_alive():  # blocked in open(): give it a writer so the thread ends
        with open(fifo, "wb"):
            pass
        reader.join(timeout=60)
        pytest.fail("read_regular waited for a writer on a fifo")
    (exc,) = got
    assert isinstance(exc, UnsafeFile)
    assert exc.strerror == f"{fifo} is a fifo, not a regular file"


def test_text_is_written_as_utf8_lone_surrogates_included(tmp_path: Path) -> None:
    from applc.files import write_file

    write_file(tmp_path / "a.txt", "é\ud800")
    assert (tmp_path / "a.txt").read_bytes() == b"\xc3\xa9\xed\xa0\x80"


def test_a_new_file_gets_every_missing_folder(tmp_path: Path) -> None:
    from applc.files import write_file

    write_file(tmp_path / "a" / "b" / "c.sarif", "{}")
    assert (tmp_path / "a" / "b" / "c.sarif").read_text(encoding="utf-8") == "{}"


def test_a_replaced_file_keeps_its_owner(tmp_path: Path) -> None:
    from applc.files import write_file

    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another owner; CI runs as root")
    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")
    os.chown(path, 4321, 4322)
    write_file(path, "new")
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (4321, 4322)
    assert path.read_text(encoding="utf-8") == "new"


def test_read_exactly_gathers_short_reads_and_stops_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """read() may return fewer bytes than asked (POSIX), and returns none at the end of
    the file: the build compares an old output with the new text this way."""
    from applc.files import read_exactly

    path = tmp_path / "old.json"
    path.write_bytes(b"abcdefg")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_exactly(fd, 1) == b"a"
        assert read_exactly(fd, 0) == b""
        real_read = os.read
        monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 2)))
        assert read_exactly(fd, 5) == b"bcdef"
        assert read_exactly(fd, 10) == b"g"  # fewer only at the end of the file
        assert read_exactly(fd, 3) == b""
    finally:
        os.close(fd)


def test_discarding_a_staged_file_removes_it_even_when_closing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() may report EIO (POSIX) after it has released the descriptor; a discard
    runs while another error is on its way, and must neither raise nor leave the file."""
    import errno

    from applc.files import StagedFile

    staged = StagedFile(tmp_path, "a.json")
    staged.write(b"half")
    real_close = os.close

    def close(fd: int) -> None:
        real_close(fd)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "close", close)
    staged.discard()
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_discarding_a_staged_file_that_is_gone_raises_nothing(tmp_path: Path) -> None:
    """Another process may remove a file in the output folder; the discard on an error
    path must not replace the build's own error with a FileNotFoundError."""
    from applc.files import StagedFile

    staged = StagedFile(tmp_path, "a.json")
    staged.write(b"text")
    staged.finish(0o644, None)
    staged.path.unlink()
    staged.discard()
    staged.discard()  # twice: the second finds nothing either
    assert list(tmp_path.iterdir()) == []


def test_a_staged_file_gets_every_byte_even_from_short_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build streams each output into its staged file a block at a time; write()
    may take fewer bytes than it was given (POSIX): what is left is written again."""
    from applc.files import StagedFile

    staged = StagedFile(tmp_path, "a.json")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:3])))
    staged.write(b"0123456789")
    staged.write(b"abcd")
    monkeypatch.undo()
    staged.finish(0o640, None)
    assert staged.path.read_bytes() == b"0123456789abcd"
    assert stat.S_IMODE(os.stat(staged.path).st_mode) == 0o640
    staged.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_stage_reports_its_own_error_when_the_staged_file_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clean-up after a failed write must not replace the error the user needs to
    see (here ENOSPC) with a FileNotFoundError of its own, when another process removed
    the staged file first."""
    import errno

    from applc.files import write_file

    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")

    def fsync(fd: int) -> None:
        for staged in tmp_path.glob(".a.json.*.tmp"):
            staged.unlink()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError) as raised:
        write_file(path, "new")
    assert raised.value.errno == errno.ENOSPC
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_a_file_of_another_owner_is_staged_as_ours_when_chown_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only root may give a file away (chown(2): EPERM otherwise): the new text is then
    staged under this process's owner, with the old file's mode, rather than refused."""
    import errno

    from applc.files import stage

    mine = os.stat(tmp_path)
    theirs = os.stat_result((0o100640, 0, 0, 1, mine.st_uid + 1, mine.st_gid + 1, 0, 0, 0, 0))
    asked: list[tuple[int, int]] = []

    def chown(path: object, uid: int, gid: int) -> None:
        asked.append((uid, gid))
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chown", chown)
    staged = stage(tmp_path, "a.json", b"new", 0o640, theirs)
    assert asked == [(mine.st_uid + 1, mine.st_gid + 1)]
    assert staged.read_bytes() == b"new"
    st = os.stat(staged)
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert (st.st_uid, st.st_gid) == (os.geteuid(), mine.st_gid)


def test_open_regular_follows_links_unless_told_not_to(tmp_path: Path) -> None:
    """By the rules of read_regular: a link to a regular file is followed by default."""
    from applc.files import UnsafeFile, open_regular

    (tmp_path / "real.json").write_bytes(b"{}")
    (tmp_path / "link.json").symlink_to("real.json")
    fd = open_regular(tmp_path / "link.json")
    try:
        assert os.read(fd, 10) == b"{}"
    finally:
        os.close(fd)
    with pytest.raises(UnsafeFile) as info:
        open_regular(tmp_path / "link.json", follow=False)
    assert info.value.strerror == f"{tmp_path / 'link.json'} is a symbolic link"
