"""The appliance format as PIVOT implements it: one table of every object and field.

This is the single place for the format's facts. The structure rules check documents
against it, the JSON Schema is generated from it, the language server takes hovers and
completions from it, and the DSL knows its keywords through it.
"""

from __future__ import annotations

from typing import Final

from applc.records import Value

# JSON types as the schema names them. "integer" also accepts a float with no fraction.
STRING, NUMBER, INTEGER, BOOLEAN, OBJECT, ARRAY, NULL = (
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "array",
    "null",
)


class Field(Value):
    """One field of an object kind: its JSON types and what the format says of it."""

    __slots__ = (
        "name",
        "types",
        "description",
        "required",
        "kind",
        "items",
        "values",
        "enum",
        "case_insensitive",
        "default",
        "only",
    )
    FIELDS = __slots__
    name: Final[str]
    types: Final[tuple[str, ...]]
    description: Final[str]
    required: Final[bool]
    kind: Final[str | None]
    items: Final[str | None]
    values: Final[tuple[str, ...] | None]
    enum: Final[tuple[str, ...] | None]
    case_insensitive: Final[bool]
    default: Final[object]
    only: Final[str | None]

    def __init__(
        self,
        name: str,
        types: tuple[str, ...],
        description: str,
        required: bool = False,
        kind: str | None = None,  # the object kind of an object value
        items: str | None = None,  # array items: an object kind or a JSON type
        values: tuple[str, ...] | None = None,  # map values: JSON types
        enum: tuple[str, ...] | None = None,
        case_insensitive: bool = False,
        default: object = None,
        only: str | None = None,  # "service" or "job": the container type that has it
    ) -> None:
        self.name = name
        self.types = types
        self.description = description
        self.required = required
        self.kind = kind
        self.items = items
        self.values = values
        self.enum = enum
        self.case_insensitive = case_insensitive
        self.default = default
        self.only = only


class Ignored(Value):
    """A key PIVOT accepts and then ignores (legacy or server-side)."""

    __slots__ = ("name", "why", "instead")
    FIELDS = __slots__
    name: Final[str]
    why: Final[str]
    instead: Final[str | None]

    def __init__(self, name: str, why: str, instead: str | None = None) -> None:
        self.name = name
        self.why = why
        # What to write instead, when there is something (APL246's help); else "remove it".
        self.instead = instead


class ObjectKind(Value):
    """An object of the format (the appliance, a container, a port...) and its fields."""

    __slots__ = ("name", "title", "description", "fields", "ignored", "names")
    FIELDS = __slots__[:-1]
    name: Final[str]
    title: Final[str]
    description: Final[str]
    fields: Final[tuple[Field, ...]]
    ignored: Final[tuple[Ignored, ...]]
    # The fields' names, once: the structure check asks for them about every volume.
    names: Final[tuple[str, ...]]

    def __init__(
        self,
        name: str,
        title: str,
        description: str,
        fields: tuple[Field, ...],
        ignored: tuple[Ignored, ...] = (),
    ) -> None:
        self.name = name
        self.title = title
        self.description = description
        self.fields = fields
        self.ignored = ignored
        self.names = tuple(f.name for f in fields)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


NETWORK_MODES = ("HOST", "BRIDGE", "CONTAINER")
CONTAINER_TYPES = ("service", "job")
PROTOCOLS = ("tcp", "udp", "udp,tcp")
VOLUME_MODES = ("RW", "RO")
VOLUME_TYPES = ("HOST", "PERSISTENT")
HEALTH_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP", "COMMAND")

_LEGACY_CONTAINER = (
    # PIVOT's 2018 code made these Marathon constraints; HEAD ignores them and applc follows
    # HEAD (docs/targets.md, differences from PIVOT).
    Ignored(
        "cloud",
        "a tutorial-era placement field that PIVOT's 2018 code made the constraint "
        '["cloud", "CLUSTER", value] and that PIVOT HEAD ignores, as applc does',
        'place the container with "schedule_hints": {"placement": {"cloud": ...}}',
    ),
    Ignored(
        "host",
        "a tutorial-era placement field that PIVOT's 2018 code made the constraint "
        '["hostname", "CLUSTER", value] and that PIVOT HEAD ignores, as applc does',
        'place the container with "schedule_hints": {"placement": {"host": ...}}',
    ),
    Ignored("rack", "a legacy placement field that PIVOT ignores"),
    Ignored("constraints", "a legacy field that PIVOT ignores"),
    Ignored("data", "the legacy location-aware scheduler input, ignored by PIVOT HEAD"),
    Ignored("state", "a server-side field that PIVOT reports; it is not input"),
    Ignored("endpoints", "a server-side field that PIVOT reports; it is not input"),
    Ignored("last_update", "a server-side field that PIVOT reports; it is not input"),
    Ignored("user_schedule_hints", "a server-side field; write schedule_hints instead"),
    Ignored("sys_schedule_hints", "a server-side field that the scheduler overwrites"),
    Ignored("appliance", "set by the server; PIVOT drops it from input"),
    Ignored("deployment", "set by the server; PIVOT drops it from input"),
)

CONTAINER = ObjectKind(
    "container",
    "Container",
    "A Docker container of the appliance: a long-running service (a Marathon app) "
    "or a job run to completion (a Chronos job).",
    (
        Field(
            "id",
            (STRING,),
            "The container's id, unique in the appliance. It becomes "
            "part of the Marathon app id `/<appliance>/<id>` and of its DNS name, so it "
            "must be a lower-case DNS label.",
            required=True,
        ),
        Field(
            "type",
            (STRING,),
            "`service` (kept running, a Marathon app) or `job` (run to completion, a Chronos job).",
            required=True,
            enum=CONTAINER_TYPES,
        ),
        Field(
            "image",
            (STRING,),
            "The Docker image, with a pinned tag such as `postgres:15.4`.",
            required=True,
        ),
        Field(
            "resources",
            (OBJECT,),
            "CPU, memory, disk and GPU the container reserves.",
            required=True,
            kind="resources",
        ),
        Field(
            "cmd",
            (STRING, NULL),
            "A shell command run as `/bin/sh -c`; replaces the "
            "image's entrypoint. Cannot be combined with `args`. `@id` references are "
            "rewritten to container DNS names.",
        ),
        Field(
            "args",
            (ARRAY,),
            "Arguments passed to the image's entrypoint. Cannot be "
            "combined with `cmd`. `@id` references are rewritten.",
            items=STRING,
            default=[],
        ),
        Field(
            "env",
            (OBJECT,),
            "Environment variables. `@id` references in values are "
            "rewritten to container DNS names.",
            values=(STRING, NUMBER, BOOLEAN),
            default={},
        ),
        Field(
            "volumes",
            (ARRAY,),
            "Volumes mounted into the container: host paths or "
            "persistent volumes declared in `data_persistence`.",
            items="volume",
            default=[],
        ),
        Field(
            "network_mode",
            (STRING,),
            "`HOST` (default), `BRIDGE` or `CONTAINER` (case-insensitive).",
            enum=NETWORK_MODES,
            case_insensitive=True,
            default="HOST",
        ),
        Field("ports", (ARRAY,), "Ports the container exposes.", items="port", default=[]),
        Field("is_privileged", (BOOLEAN,), "Run the container in privileged mode.", default=False),
        Field("force_pull_image", (BOOLEAN,), "Pull the image before every start.", default=True),
        Field(
            "dependencies",
            (ARRAY,),
            "Ids of containers that must be running (services) "
            "or finished (jobs) before this one starts.",
            items=STRING,
            default=[],
        ),
        Field(
            "schedule_hints", (OBJECT,), "Placement hints for the scheduler.", kind="schedule_hints"
        ),
        Field(
            "instances",
            (INTEGER,),
            "How many copies of the service run.",
            default=1,
            only="service",
        ),
        Field(
            "health_check",
            (OBJECT, NULL),
            "How Marathon checks the service is healthy.",
            kind="health_check",
            only="service",
        ),
        Field(
            "default_health_check",
            (BOOLEAN,),
            "Ask PIVOT to add a TCP health check on "
            "the first tcp port (crashes PIVOT HEAD when true).",
            default=False,
            only="service",
        ),
        Field(
            "minimum_capacity",
            (NUMBER,),
            "Share of healthy tasks (0 to 1) needed before the service counts as running.",
            default=0,
            only="service",
        ),
        Field(
            "retries",
            (INTEGER,),
            "How many times Chronos retries a failed run.",
            default=1,
            only="job",
        ),
        Field("repeats", (INTEGER,), "How many times the job runs.", default=1, only="job"),
        Field(
            "start_time", (STRING,), "ISO 8601 start time; empty means now.", default="", only="job"
        ),
        Field(
            "interval",
            (STRING,),
            "ISO 8601 duration between runs *without* the leading "
            "`P` (PIVOT adds it): `T10M` is ten minutes, `2M` two months.",
            default="2M",
            only="job",
        ),
    ),
    _LEGACY_CONTAINER
    + (Ignored("labels", "a legacy service field removed from PIVOT in 2018-11"),),
)

KINDS: dict[str, ObjectKind] = {
    k.name: k
    for k in (
        ObjectKind(
            "appliance",
            "Appliance",
            "A PIVOT appliance: a group of containers deployed together.",
            (
                Field(
                    "id",
                    (STRING,),
                    "The appliance id: a lower-case DNS label. It is the "
                    "Marathon group `/<id>` and part of every container's DNS name.",
                    required=True,
                ),
                Field(
                    "containers",
                    (ARRAY,),
                    "The services and jobs of the appliance.",
                    required=True,
                    items="container",
                ),
                Field(
                    "data_persistence",
                    (OBJECT,),
                    "Persistent volumes (CephFS) that containers mount by id.",
                    kind="data_persistence",
                ),
                Field("scheduler", (OBJECT,), "The appliance scheduler plug-in.", kind="scheduler"),
            ),
        ),
        CONTAINER,
        ObjectKind(
            "resources",
            "Resources",
            "What the container reserves. `mem` and `disk` are in MiB.",
            (
                Field("cpus", (NUMBER,), "CPU shares; PIVOT documents at least 1.", required=True),
                Field(
                    "mem", (NUMBER,), "Memory in MiB; PIVOT documents at least 128.", required=True
                ),
                Field("disk", (NUMBER,), "Disk in MiB.", default=0),
                Field(
                    "gpu",
                    (NUMBER,),
                    "Number of GPUs (PIVOT's key is the singular `gpu`).",
                    default=0,
                ),
            ),
        ),
        ObjectKind(
            "port",
            "Port",
            "A port the container exposes.",
            (
                Field(
                    "container_port",
                    (INTEGER,),
                    "The port inside the container (1-65535).",
                    required=True,
                ),
                Field(
                    "host_port",
                    (INTEGER,),
                    "The host port (0-65535); 0 picks a random "
                    "one. Ignored in HOST mode, where the container port is bound.",
                    default=0,
                ),
                Field(
                    "protocol",
                    (STRING,),
                    "`tcp`, `udp` or `udp,tcp`.",
                    enum=PROTOCOLS,
                    default="tcp",
                ),
                Field("name", (STRING, NULL), "A descriptive name."),
            ),
        ),
        ObjectKind(
            "volume",
            "Volume",
            "A volume mount: the current form `{src, dest, type}` or the legacy form "
            "`{container_path, host_path, mode}`.",
            (
                Field(
                    "src",
                    (STRING,),
                    "A host path (`type: HOST`) or the id of a persistent "
                    "volume declared in `data_persistence`.",
                    required=True,
                ),
                Field("dest", (STRING,), "The mount point in the container.", required=True),
                Field(
                    "type",
                    (STRING,),
                    "`HOST` or `PERSISTENT` (the default; case-insensitive).",
                    enum=VOLUME_TYPES,
                    case_insensitive=True,
                    default="PERSISTENT",
                ),
            ),
        ),
        ObjectKind(
            "legacy_volume",
            "Volume (legacy form)",
            "The legacy volume form used by PIVOT up to 2018-11 and by its tutorials.",
            (
                Field(
                    "container_path", (STRING,), "The mount point in the container.", required=True
                ),
                Field("host_path", (STRING,), "The path on the host.", required=True),
                Field("mode", (STRING,), "`RW` or `RO`.", enum=VOLUME_MODES, default="RW"),
            ),
        ),
        ObjectKind(
            "health_check",
            "Health check",
            "How Marathon checks that the service is healthy.",
            (
                Field("path", (STRING,), "HTTP path to probe.", default="/"),
                Field(
                    "protocol",
                    (STRING,),
                    "HTTP, HTTPS, TCP, MESOS_HTTP, MESOS_HTTPS, MESOS_TCP or COMMAND.",
                    enum=HEALTH_PROTOCOLS,
                    default="MESOS_TCP",
                ),
                Field(
                    "port_index", (INTEGER,), "Index into `ports` of the port to probe.", default=0
                ),
                Field(
                    "max_consecutive_failures",
                    (INTEGER,),
                    "Failures before the task is killed.",
                    default=3,
                ),
                Field(
                    "grace_period_seconds",
                    (INTEGER,),
                    "Seconds before failures count.",
                    default=300,
                ),
                Field("interval_seconds", (INTEGER,), "Seconds between checks.", default=60),
                Field("timeout_seconds", (INTEGER,), "Seconds before a check fails.", default=20),
                Field(
                    "command",
                    (STRING, NULL),
                    "The command of a COMMAND check; `@id` references are rewritten.",
                ),
            ),
        ),
        ObjectKind(
            "schedule_hints",
            "Schedule hints",
            "Hints for the scheduler (PIVOT HEAD stores them but never applies them).",
            (
                Field(
                    "preemptible",
                    (BOOLEAN,),
                    "Whether the container may be preempted.",
                    default=False,
                ),
                Field("placement", (OBJECT,), "Where to place the container.", kind="placement"),
            ),
        ),
        ObjectKind(
            "placement",
            "Placement",
            "A placement preference; the most specific one wins.",
            (
                Field("cloud", (STRING, NULL), "Cloud name."),
                Field("region", (STRING, NULL), "Region name."),
                Field("zone", (STRING, NULL), "Zone name."),
                Field("host", (STRING, NULL), "Host name."),
            ),
        ),
        ObjectKind(
            "data_persistence",
            "Data persistence",
            "Persistent volumes for the appliance.",
            (
                Field(
                    "volume_type",
                    (STRING,),
                    "The volume driver: only `cephfs`.",
                    enum=("cephfs",),
                    default="cephfs",
                ),
                Field(
                    "volumes",
                    (ARRAY,),
                    "The persistent volumes.",
                    required=True,
                    items="persistent_volume",
                ),
            ),
        ),
        ObjectKind(
            "persistent_volume",
            "Persistent volume",
            "A persistent volume that containers mount with `{src: <id>, dest: ...}`.",
            (
                Field("id", (STRING,), "The volume id.", required=True),
                Field(
                    "scope",
                    (STRING,),
                    "`local` (per appliance, the default) or `global`.",
                    enum=("local", "global"),
                    case_insensitive=True,
                    default="local",
                ),
                Field(
                    "schedule_hints", (OBJECT,), "Placement of the volume.", kind="schedule_hints"
                ),
            ),
        ),
        ObjectKind(
            "scheduler",
            "Scheduler",
            "The appliance scheduler plug-in, as a dotted Python class path.",
            (
                Field(
                    "name",
                    (STRING,),
                    "The scheduler class.",
                    default="schedule.local.DefaultApplianceScheduler",
                ),
                Field("config", (OBJECT,), "The scheduler's configuration.", default={}),
            ),
        ),
    )
}

# Keys allowed on any object: applc's own and the editor's.
IGNORE_KEY = "x-applc-ignore"
# The reason `--add-ignore` writes when none is given; here so `applc lint` can show it
# in its help without importing the edit machinery.
DEFAULT_REASON = "TODO: say why"
SCHEMA_KEY = "$schema"

# Names borrowed from compose, Kubernetes and Marathon, with the PIVOT key they mean.
ALIASES: dict[str, dict[str, str]] = {
    "container": {
        "depends_on": "dependencies",
        "depends": "dependencies",
        "dependsOn": "dependencies",
        "replicas": "instances",
        "scale": "instances",
        "environment": "env",
        "command": "cmd",
        "entrypoint": "cmd",
        "arguments": "args",
        "privileged": "is_privileged",
        "network": "network_mode",
        "networkMode": "network_mode",
        "networks": "network_mode",
        "healthcheck": "health_check",
        "healthChecks": "health_check",
        "livenessProbe": "health_check",
        "portMappings": "ports",
        "forcePullImage": "force_pull_image",
        "pull_policy": "force_pull_image",
        "imagePullPolicy": "force_pull_image",
        "name": "id",
        "container_name": "id",
        "resource": "resources",
        "deploy": "resources",
        "volumeMounts": "volumes",
    },
    "resources": {
        "memory": "mem",
        "cpu": "cpus",
        "gpus": "gpu",
        "storage": "disk",
        "limits": "cpus",
    },
    "port": {
        "containerPort": "container_port",
        "hostPort": "host_port",
        "port": "container_port",
        "target": "container_port",
        "published": "host_port",
    },
    "volume": {
        "source": "src",
        "target": "dest",
        "destination": "dest",
        "mountPath": "dest",
        "hostPath": "src",
        "containerPath": "dest",
    },
    "legacy_volume": {
        "hostPath": "host_path",
        "containerPath": "container_path",
        "readOnly": "mode",
    },
    "health_check": {
        "portIndex": "port_index",
        "intervalSeconds": "interval_seconds",
        "timeoutSeconds": "timeout_seconds",
        "gracePeriodSeconds": "grace_period_seconds",
        "maxConsecutiveFailures": "max_consecutive_failures",
    },
    "appliance": {
        "services": "containers",
        "apps": "containers",
        "name": "id",
    },
}


def container_fields(container_type: str | None) -> tuple[Field, ...]:
    """The fields a container of this type may have (all of them when the type is unknown)."""
    if container_type not in CONTAINER_TYPES:
        return CONTAINER.fields
    return tuple(f for f in CONTAINER.fields if f.only in (None, container_type))
