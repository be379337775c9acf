"""What PIVOT accepts but handles badly: cmd/args, jobs, volumes, quirks (APL241-APL249,
APL109, APL110)."""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Edit, Finding, Fix, Label, Loc, Severity
from applc.rules.context import LintContext
from applc.rules.registry import check, rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _app(container_extra: str, ctype: str = "service", top: str = "") -> str:
    return (
        '{"id": "etl", ' + top + '"containers": [{"id": "load", '
        f'"type": "{ctype}", "image": "etl:1.4", "resources": {{"cpus": 1, "mem": 256}}'
        f"{container_extra}}}]}}"
    )


rule(
    "APL241",
    "cmd-and-args",
    E,
    "`cmd` and `args` together",
    """
    `cmd` replaces the image's entrypoint with a shell command and `args` are passed to
    the entrypoint: a container takes one or the other. PIVOT rejects jobs that have
    both (400) and crashes on such services (500).
    """,
    fails=_app(', "cmd": "run.sh", "args": ["--fast"]'),
    passes=_app(', "cmd": "run.sh"'),
)

rule(
    "APL242",
    "job-unsupported",
    E,
    "a job in CONTAINER mode or with a GPU",
    """
    Chronos runs jobs in HOST or BRIDGE networking and without GPUs; PIVOT answers 400
    for a job in CONTAINER mode or with `gpu` above 0.
    """,
    fails=_app(', "network_mode": "container"', "job"),
    passes=_app(', "network_mode": "bridge"', "job"),
)

rule(
    "APL243",
    "job-interval",
    W,
    "a job `interval` that already starts with `P`",
    """
    PIVOT always prefixes the interval with `P`, so `PT10M` becomes `PPT10M`, which
    Chronos rejects. Write `T10M` for ten minutes (and `2M` for two months).
    """,
    fails=_app(', "interval": "PT10M"', "job"),
    passes=_app(', "interval": "T10M"', "job"),
    fix="safe",
)

rule(
    "APL244",
    "undeclared-persistent-volume",
    W,
    "a persistent volume mount with no `data_persistence`",
    """
    A volume `{src, dest}` with no `type` (or `type: PERSISTENT`) mounts a persistent
    volume by id. Without `data_persistence` PIVOT silently drops the mount. For a bind
    mount of a host path, add `"type": "HOST"`.
    """,
    fails=_app(', "volumes": [{"src": "/data", "dest": "/data"}]'),
    passes=_app(', "volumes": [{"src": "/data", "dest": "/data", "type": "HOST"}]'),
)

rule(
    "APL245",
    "legacy-volume-form",
    INFO,
    "a volume in the legacy form",
    """
    `{container_path, host_path, mode}` is the form every PIVOT tutorial uses and the
    2018-10 PIVOT accepts, but PIVOT HEAD rejects it (HTTP 500). The current form is
    `{"src": <host path>, "dest": <container path>, "type": "HOST"}`.
    """,
    fails=_app(', "volumes": [{"container_path": "/d", "host_path": "/d", "mode": "RW"}]'),
    passes=_app(', "volumes": [{"src": "/d", "dest": "/d", "type": "HOST"}]'),
)

rule(
    "APL247",
    "default-health-check",
    E,
    "`default_health_check: true` crashes PIVOT",
    """
    PIVOT HEAD's default health check unpacks a class instead of a dict: `true` together
    with a tcp port gives HTTP 500. Write the health check out with `health_check`.
    """,
    fails=_app(', "default_health_check": true, "ports": [{"container_port": 80}]'),
    passes=_app(
        ', "health_check": {"protocol": "MESOS_TCP", "port_index": 0}, '
        '"ports": [{"container_port": 80}]'
    ),
)

rule(
    "APL248",
    "empty-env-value",
    W,
    "an empty environment value",
    """
    PIVOT sends an empty env value as two quote characters (`""`), not as an empty
    string, so the program sees `""`. Remove the variable or give it a value.
    """,
    fails=_app(', "env": {"ROOT_URL": ""}'),
    passes=_app(', "env": {"ROOT_URL": "/"}'),
)

rule(
    "APL249",
    "job-host-volume",
    E,
    "a job with a host volume",
    """
    PIVOT HEAD accepts a job with a HOST volume, then crashes when it provisions it.
    """,
    fails=_app(', "volumes": [{"src": "/d", "dest": "/d", "type": "HOST"}]', "job"),
    passes=_app("", "job"),
)

_DP = '"data_persistence": {"volumes": [{"id": "pgdata"}]}, '

rule(
    "APL109",
    "unknown-persistent-volume",
    E,
    "a persistent mount of a volume `data_persistence` does not declare",
    """
    With `data_persistence`, each persistent mount's `src` must be the id of a declared
    volume; PIVOT answers 400 `Invalid persistent volume(s)`.
    """,
    fails=_app(', "volumes": [{"src": "pgdat", "dest": "/d"}]', top=_DP),
    passes=_app(', "volumes": [{"src": "pgdata", "dest": "/d"}]', top=_DP),
)

rule(
    "APL110",
    "duplicate-volume-id",
    E,
    "two persistent volumes share an id",
    """
    Persistent volume ids must be unique; PIVOT answers 400 `Duplicate volume id`.
    """,
    fails=_app("", top='"data_persistence": {"volumes": [{"id": "a"}, {"id": "a"}]}, '),
    passes=_app("", top=_DP),
)


@check("APL241", "APL242", "APL243", "APL247", "APL248", "APL249")
def check_containers(ctx: LintContext) -> Iterator[Finding]:
    for c in ctx.appliance.containers:
        raw = c.raw
        if (
            isinstance(raw.get("cmd"), str)
            and raw["cmd"]
            and isinstance(raw.get("args"), list)
            and raw["args"]
        ):
            yield Finding(
                "APL241",
                Loc(c.at("args"), "key"),
                f"`{c.id}` has both `cmd` and `args`",
                help="put the whole command in `cmd`, or use `args` alone",
                labels=(Label(Loc(c.at("cmd"), "key"), "`cmd` is set here"),),
            )
        if c.is_job:
            if c.network_mode == "CONTAINER" and c.network_mode_explicit:
                yield Finding(
                    "APL242",
                    Loc(c.at("network_mode")),
                    f"job `{c.id}` cannot run in CONTAINER mode",
                    help='use "host" or "bridge"',
                )
            if c.resources is not None and c.resources.gpu > 0:
                yield Finding(
                    "APL242",
                    Loc(c.resources.at("gpu")),
                    f"job `{c.id}` asks for a GPU, which jobs cannot have",
                    help="run it as a service, or remove the GPU",
                )
            interval = raw.get("interval")
            if isinstance(interval, str) and interval.upper().startswith("P"):
                fixed = interval[1:]
                yield Finding(
                    "APL243",
                    Loc(c.at("interval")),
                    f"interval `{interval}` already starts with `P`; PIVOT sends `P{interval}`",
                    help=f'write "{fixed}"',
                    fix=Fix(f'write "{fixed}"', (Edit(Loc(c.at("interval")), f'"{fixed}"'),)),
                )
            for v in c.volumes:
                if v.kind == "HOST":
                    yield Finding(
                        "APL249",
                        Loc(v.pointer, "open"),
                        f"job `{c.id}` mounts a host volume, which crashes PIVOT",
                        help="mount it in a service, or drop the volume",
                    )
        if raw.get("default_health_check") is True:
            yield Finding(
                "APL247",
                Loc(c.at("default_health_check")),
                "`default_health_check: true` crashes PIVOT HEAD (HTTP 500)",
                help="write the check out with `health_check` instead",
            )
        env = raw.get("env")
        if isinstance(env, dict) and "" in env.values():  # looked for in C first
            for k, v in env.items():
                if v == "":
                    yield Finding(
                        "APL248",
                        Loc(c.at("env", k)),
                        f'env `{k}` is empty; PIVOT sends it as `""`',
                        help="remove the variable or give it a value",
                    )


@check("APL244", "APL245", "APL109", "APL110")
def check_volumes(ctx: LintContext) -> Iterator[Finding]:
    app = ctx.appliance
    dp = app.data_persistence
    declared: dict[str, str] = {}
    if dp is not None:
        for pv in dp.volumes:
            if pv.id is None:
                continue
            if pv.id in declared:
                yield Finding(
                    "APL110",
                    Loc(pv.at("id")),
                    f"duplicate volume id `{pv.id}`",
                    labels=(Label(Loc(declared[pv.id]), "first declared here"),),
                )
            else:
                declared[pv.id] = pv.at("id")
    for c in app.containers:
        for v in c.volumes:
            if v.legacy:
                yield Finding(
                    "APL245",
                    Loc(v.pointer, "open"),
                    "legacy volume form `{container_path, host_path, mode}`",
                    help=f'PIVOT HEAD wants {{"src": "{v.source_path}", '
                    f'"dest": "{v.container_path}", "type": "HOST"}}',
                )
                continue
            if v.kind != "PERSISTENT" or v.source_path is None:
                continue
            if dp is None:
                hint = (
                    'add "type": "HOST" for a bind mount of a host path'
                    if v.source_path.startswith("/")
                    else "declare the volume in `data_persistence`"
                )
                yield Finding(
                    "APL244",
                    Loc(v.at("src")),
                    f"persistent volume `{v.source_path}` is mounted but the appliance has "
                    "no `data_persistence`; PIVOT drops the mount",
                    help=hint,
                )
            elif v.source_path not in declared:
                yield Finding(
                    "APL109",
                    Loc(v.at("src")),
                    f"persistent volume `{v.source_path}` is not declared in `data_persistence`",
                    help=f"declared volumes: {', '.join(declared) or 'none'}",
                )
