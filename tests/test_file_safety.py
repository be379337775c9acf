"""Files on purpose (issue 11, items 3, 4, 9, 10): what `applc lint` does with fifos,
devices, symbolic links, unreadable folders, read-only and hard-linked files, and bytes
that are not UTF-8. Driven through the real command as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

GOOD = EXAMPLES / "workflow.appliance.json"
BROKEN = EXAMPLES / "broken.appliance.json"


def _applc(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_CEILING_DIRECTORIES": "/"}
    return subprocess.run(
        [sys.executable, "-m", "applc", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )


# --------------------------------------------------------------------------- discovery


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder outside any git work tree, with one good appliance."""
    d = tmp_path / "apps"
    d.mkdir()
    shutil.copyfile(GOOD, d / "good.appliance.json")
    return d


def _linted(proc: subprocess.CompletedProcess) -> list[str]:
    return sorted({d["file"] for d in json.loads(proc.stdout)["diagnostics"]})


def test_discovery_skips_fifos_without_hanging(folder):
    os.mkfifo(folder / "a.appliance.json")
    os.mkfifo(folder / "b.json")  # would be opened to sniff for `containers`
    proc = _applc("lint", "-f", "json", "--exit-zero", str(folder), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files"] == 1
    err = proc.stderr.decode()
    assert "skipped" in err and "a.appliance.json: it is a fifo" in err


def test_discovery_never_reads_a_device_behind_a_link(folder):
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "null.appliance.json").symlink_to("/dev/null")
    proc = _applc("lint", "-f", "json", "--exit-zero", str(folder), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["files"] == 1


def test_discovery_does_not_follow_links_out_of_the_folder(folder, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2-password\n", encoding="utf-8")
    (folder / "leak.appliance.json").symlink_to(secret)
    proc = _applc("lint", str(folder), timeout=60)
    out = (proc.stdout + proc.stderr).decode()
    assert "hunter2" not in out
    assert "leak.appliance.json: a symbolic link to a file outside the folder searched" in out
    # A link inside the folder is an ordinary file of the folder.
    (folder / "sub").mkdir()
    shutil.copyfile(BROKEN, folder / "sub" / "real.appliance.json")
    (folder / "alias.appliance.json").symlink_to(Path("sub") / "real.appliance.json")
    proc = _applc("lint", "-f", "json", "--exit-zero", str(folder), timeout=60)
    assert str(folder / "alias.appliance.json") in _linted(proc)


def test_a_named_link_is_still_linted(folder, tmp_path):
    # A file named on the command line is the user's choice, wherever it points.
    outside = tmp_path / "outside.json"
    shutil.copyfile(BROKEN, outside)
    (folder / "named.json").symlink_to(outside)
    run = run_cli(["lint", "-f", "json", str(folder / "named.json")])
    assert run.code == 1 and run.json()["summary"]["files"] == 1


def test_an_unreadable_folder_is_reported(folder, monkeypatch):
    locked = folder / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path=".", *rest):
        # root ignores permission bits, so the refusal is the file system's answer
        # played back, as a non-root user gets it.
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path, *rest)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", "/")
    run = run_cli(["lint", "-f", "json", "--exit-zero", str(folder)])
    assert run.code == 0
    assert f"cannot read folder {locked}: Permission denied; skipped" in run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_reported_by_the_real_command(folder):
    locked = folder / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        proc = _applc("lint", "--exit-zero", str(folder))
    finally:
        locked.chmod(0o755)
    assert b"cannot read folder" in proc.stderr


# --------------------------------------------------------------------------- writes


def test_a_report_written_through_a_link_lands_in_its_target(tmp_path):
    target = tmp_path / "reports" / "lint.json"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "lint.json"
    link.symlink_to(target)
    run = run_cli(["lint", str(GOOD), "-f", f"json={link}"])
    assert run.code == 0, run.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["summary"]["files"] == 1


def _device(path: Path, minor: int) -> Path:
    """A private copy of a memory device (1, minor: 3 is null, 7 is full). Never the real
    /dev/null: under mutation testing a broken writer replaced it with a regular file, for
    every process on the machine."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD); CI runs as root")
    return path


def test_a_report_to_a_device_stays_a_device(tmp_path):
    null = _device(tmp_path / "null", 3)
    link = tmp_path / "devnull.json"
    link.symlink_to(null)
    run = run_cli(["lint", str(GOOD), "-f", f"json={link}"])
    assert run.code == 0, run.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.stat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["devnull.json", "null"]
    # A full device is an error with a message, not a regular file in its place.
    full = _device(tmp_path / "full", 7)
    run = run_cli(["lint", str(GOOD), "-f", f"json={full}"])
    assert run.code == 2 and f"cannot write {full}: No space left on device" in run.stderr
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_report_to_a_fifo_is_written_into_it(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = _applc("lint", str(GOOD), "-f", f"json={fifo}")
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["summary"]["files"] == 1


def test_a_read_only_file_is_refused(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("keep\n", encoding="utf-8")
    report.chmod(0o444)
    run = run_cli(["lint", str(GOOD), "-f", f"json={report}"])
    assert run.code == 2 and "is read-only" in run.stderr
    assert report.read_text() == "keep\n"
    fixable = tmp_path / "broken.appliance.json"
    shutil.copyfile(BROKEN, fixable)
    fixable.chmod(0o444)
    before = fixable.read_bytes()
    run = run_cli(["lint", "--fix", str(fixable)])
    assert run.code == 2 and "is read-only" in run.stderr
    assert fixable.read_bytes() == before


def test_fix_through_a_link_fixes_the_real_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real" / "broken.appliance.json"
    real.parent.mkdir()
    shutil.copyfile(BROKEN, real)
    real.chmod(0o640)
    link = tmp_path / "broken.appliance.json"
    link.symlink_to(real)
    before = real.read_bytes()
    run = run_cli(["lint", "--fix", "--exit-zero", str(link)])
    assert run.code == 0, run.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != before
    assert "@zookeeper:2181/kafka" in real.read_text()  # the APL201 fix
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_fix_keeps_hard_links_together(tmp_path):
    first = tmp_path / "broken.appliance.json"
    shutil.copyfile(BROKEN, first)
    second = tmp_path / "same.appliance.json"
    os.link(first, second)
    run = run_cli(["lint", "--fix", "--exit-zero", str(first)])
    assert run.code == 0, run.stderr
    assert os.path.samefile(first, second)
    assert "@zookeeper:2181/kafka" in second.read_text()


# --------------------------------------------------------------------------- stdin


def test_fix_on_standard_input_passes_bytes_through_unchanged():
    # Not UTF-8: nothing to fix, and the editor must get its buffer back as it was.
    data = GOOD.read_bytes().replace(b'"workflow"', b'"work\xff\xfeflow"', 1)
    proc = _applc("lint", "--fix", "-", stdin=data)
    assert proc.stdout == data
    assert b"not valid UTF-8" in proc.stderr
    # UTF-8 with nothing to fix comes back byte for byte too.
    proc = _applc("lint", "--fix", "-", stdin=GOOD.read_bytes())
    assert proc.returncode == 0 and proc.stdout == GOOD.read_bytes()
    # And a fix is applied to the rest, untouched.
    broken = BROKEN.read_bytes()
    proc = _applc("lint", "--fix", "--exit-zero", "-", stdin=broken)
    assert proc.stdout != broken and b"@zookeeper:2181/kafka" in proc.stdout
