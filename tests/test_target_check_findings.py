"""The target checks (APL401-APL413), finding by finding: for each check, appliances that
must and must not be reported, with the code, severity, place, message, help and notes
of every finding written by hand from docs/targets.md and the rules' pages
(docs/rules/APL4xx.md). The place is found in the text by the test, never read back
from applc."""

from __future__ import annotations

import json

from applc.api import lint_text

Found = tuple[str, str, tuple[int, int, int, int], str, str | None, tuple[str, ...]]


def _doc(*containers: dict, **top: object) -> str:
    """One container a line, so that a needle names one place."""
    lines = ",\n    ".join(json.dumps(c) for c in containers)
    head = "".join(f'  "{k}": {json.dumps(v)},\n' for k, v in top.items())
    return f'{{\n  "id": "shop",\n{head}  "containers": [\n    {lines}\n  ]\n}}\n'


def _found(target: str, text: str, code: str | None = None) -> list[Found]:
    """The findings of `target`'s own checks (or only those of `code`), in the order
    applc reports them."""
    _, diags = lint_text("shop.appliance.json", text, target=target)
    return [
        (
            d.code,
            d.severity.label,
            (d.span.line, d.span.column, d.span.end_line, d.span.end_column),
            d.message,
            d.help,
            tuple(d.notes),
        )
        for d in diags
        if d.target == target
        and (d.code == code if code else d.code != "APL403")  # see test_target_units.py
    ]


def _svc(cid: str, **extra: object) -> dict:
    return {
        "id": cid,
        "type": "service",
        "image": "shop/web:1.0",
        "resources": {"cpus": 1, "mem": 256},
        "network_mode": "BRIDGE",
        **extra,
    }


def _job(cid: str, **extra: object) -> dict:
    return _svc(cid, type="job", **extra)


def _res(**extra: object) -> dict:
    return {"cpus": 1, "mem": 256, **extra}


def _val(text: str, cid: str, key: str, value: str) -> tuple[int, int, int, int]:
    """The place of the value `value` (as written) of member `key` on the line of
    container `cid`."""
    start = text.index(f'{{"id": "{cid}"')
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.index("\n", start)
    member = f'"{key}": {value}'
    at = text.index(member, line_start)
    assert at < line_end, (cid, member)
    line = text.count("\n", 0, at) + 1
    col = at - line_start + 1 + len(f'"{key}": ')
    return line, col, line, col + len(value)


def _in(text: str, cid: str, needle: str) -> tuple[int, int, int, int]:
    """The place of `needle`, inside a string, on the line of container `cid`."""
    start = text.index(f'{{"id": "{cid}"')
    line_start = text.rfind("\n", 0, start) + 1
    at = text.index(needle, start)
    assert at < text.index("\n", start), (cid, needle)
    line = text.count("\n", 0, at) + 1
    col = at - line_start + 1
    return line, col, line, col + len(needle)


def _id(text: str, cid: str) -> tuple[int, int, int, int]:
    return _val(text, cid, "id", f'"{cid}"')


# --------------------------------------------------------------------------- marathon

GPU_DOCKER = (
    "which needs the Docker containerizer, and Marathon gives GPUs only to Mesos-containerizer apps"
)
DROP = "drop what needs Docker, or run the GPU work in another container"


def test_apl401_a_gpu_moves_a_marathon_app_to_mesos_or_cannot_be_had() -> None:
    persist = {"volumes": [{"src": "pgdata", "dest": "/data"}]}
    text = _doc(
        _job("train", resources=_res(gpu=1)),  # a Chronos job: not a Marathon app
        _svc("web", resources=_res(gpu=2)),
        _svc("priv", resources=_res(gpu=1), is_privileged=True),
        _svc("both", resources=_res(gpu=3), is_privileged=True, **persist),
        _svc("ceph", resources=_res(gpu=4), **persist),
        _svc("none", resources=_res(gpu=0)),
        _svc("half", resources=_res(gpu=0.5)),  # no whole GPU: APL410 only
        _svc("bare", resources=None),
        data_persistence={"volumes": [{"id": "pgdata"}]},
    )
    assert _found("marathon", text) == [
        (
            "APL401",
            "warning",
            _val(text, "web", "gpu", "2"),
            "`web` asks for a GPU, so it runs under the Mesos containerizer, without "
            "PIVOT's `docker run` options (hostname, rm, oom-kill-disable)",
            None,
            ("Marathon honours `gpus` only with the Mesos containerizer",),
        ),
        (
            "APL401",
            "error",
            _val(text, "priv", "gpu", "1"),
            f"`priv` cannot have its GPU on Marathon: it runs privileged, {GPU_DOCKER}",
            DROP,
            (),
        ),
        (
            "APL401",
            "error",
            _val(text, "both", "gpu", "3"),
            "`both` cannot have its GPU on Marathon: it runs privileged and it mounts "
            f"cephfs persistent volumes through `docker run` options, {GPU_DOCKER}",
            DROP,
            (),
        ),
        (
            "APL401",
            "error",
            _val(text, "ceph", "gpu", "4"),
            "`ceph` cannot have its GPU on Marathon: it mounts cephfs persistent volumes "
            f"through `docker run` options, {GPU_DOCKER}",
            DROP,
            (),
        ),
        (
            "APL410",
            "error",
            _val(text, "half", "gpu", "0.5"),
            "`half` asks for 0.5 GPUs; marathon counts whole GPUs",
            "ask for a whole number of GPUs",
            (),
        ),
    ]


ORDER_YOURSELF = (
    "PIVOT orders these starts itself; on plain Marathon and Chronos, start them in order yourself"
)


def test_apl402_marathon_and_chronos_cannot_wait_for_a_job_and_a_job_cannot_wait() -> None:
    text = _doc(
        _svc("db"),
        _job("migrate"),
        _svc("api", dependencies=["db", "migrate"]),
        _job("report", dependencies=["migrate", "db"]),
    )
    assert _found("marathon", text) == [
        (
            "APL402",
            "warning",
            _in(text, "api", '"migrate"'),
            "Marathon app `api` cannot depend on Chronos job `migrate`",
            ORDER_YOURSELF,
            (),
        ),
        (
            "APL402",
            "warning",
            _in(text, "report", '"migrate"'),
            "Chronos job `report` cannot wait for Chronos job `migrate`: it runs on its schedule",
            ORDER_YOURSELF,
            (),
        ),
        (
            "APL402",
            "warning",
            _in(text, "report", '"db"'),
            "Chronos job `report` cannot wait for Marathon app `db`: it runs on its schedule",
            ORDER_YOURSELF,
            (),
        ),
    ]


PLAIN_INTERVAL = "write the interval without its leading `P`, e.g. `T10M` for ten minutes"


def test_apl404_chronos_refuses_a_schedule_that_is_not_iso_8601() -> None:
    text = _doc(
        _svc("svc", repeats=-1, interval="PT10M"),  # a service has no schedule
        _job("fine", repeats=3, interval="T10M", start_time="2026-12-05T10:00:00Z"),
        _job("neg", repeats=-1),
        _job("when", start_time="tomorrow"),
        _job("every", interval="PT10M"),
        _job("forever", repeats=0, interval="1D"),
        # The finding points at the field that is wrong, whatever its text says.
        _job("guess", repeats=2, start_time="after repeats"),
        _job("named", repeats=0, interval="start_time"),
    )
    assert _found("marathon", text) == [
        (
            "APL404",
            "error",
            _val(text, "neg", "repeats", "-1"),
            "Chronos refuses the schedule `R-1//P2M` of `neg`: `repeats` is -1; it must be 0 "
            "or more",
            PLAIN_INTERVAL,
            (),
        ),
        (
            "APL404",
            "error",
            _val(text, "when", "start_time", '"tomorrow"'),
            "Chronos refuses the schedule `R1/tomorrow/P2M` of `when`: `start_time` "
            "`tomorrow` is not an ISO 8601 date and time",
            PLAIN_INTERVAL,
            (),
        ),
        (
            "APL404",
            "error",
            _val(text, "every", "interval", '"PT10M"'),
            "Chronos refuses the schedule `R1//PPT10M` of `every`: `PPT10M` is not an ISO "
            "8601 duration",
            PLAIN_INTERVAL,
            (),
        ),
        (
            "APL404",
            "error",
            _val(text, "guess", "start_time", '"after repeats"'),
            "Chronos refuses the schedule `R2/after repeats/P2M` of `guess`: `start_time` "
            "`after repeats` is not an ISO 8601 date and time",
            PLAIN_INTERVAL,
            (),
        ),
        (
            "APL404",
            "error",
            _val(text, "named", "interval", '"start_time"'),
            "Chronos refuses the schedule `R0//Pstart_time` of `named`: `Pstart_time` is not "
            "an ISO 8601 duration",
            PLAIN_INTERVAL,
            (),
        ),
    ]


def test_apl408_a_reference_to_a_chronos_job_has_no_marathon_name() -> None:
    text = _doc(
        _svc("db"),
        _job("migrate"),
        _svc("api", env={"M": "run @migrate now", "D": "@db", "G": "@ghost"}),
    )
    assert _found("marathon", text) == [
        (
            "APL408",
            "warning",
            _in(text, "api", "@migrate"),
            "`@migrate` names a Chronos job, which has no Marathon DNS name",
            "refer to a service instead",
            (),
        )
    ]


def test_apl409_a_host_mode_marathon_port_is_tcp_or_udp() -> None:
    ports = [
        {"container_port": 53, "protocol": "tcp"},
        {"container_port": 54, "protocol": "udp,tcp"},
    ]
    text = _doc(
        _svc("bridged", ports=ports),  # BRIDGE: a port mapping takes `udp,tcp`
        _job("batch", network_mode="HOST", ports=ports),  # Chronos, not a Marathon app
        _svc("dns", network_mode="HOST", ports=ports),
    )
    assert _found("marathon", text) == [
        (
            "APL409",
            "error",
            _val(text, "dns", "protocol", '"udp,tcp"'),
            "`dns` runs in HOST mode, where a Marathon port is `tcp` or `udp`, not both",
            "declare a tcp and a udp port on different numbers, or use BRIDGE mode",
            (),
        )
    ]


# --------------------------------------------------------------------------- compose

TCP_CHECK = "use a TCP check, or an image with curl or wget"


def test_apl412_compose_runs_an_https_check_inside_the_image() -> None:
    https = {"protocol": "MESOS_HTTPS", "path": "/"}
    ports = [{"container_port": 8443}]
    text = _doc(
        _svc("http", ports=ports, health_check={"protocol": "MESOS_HTTP", "path": "/"}),
        _svc("web", ports=ports, health_check=https),
        _svc("plain", ports=ports, health_check={"protocol": "HTTPS", "path": "/"}),
        _svc("lower", ports=ports, health_check={"protocol": "https", "path": "/"}),
        _svc("odd", image=5, ports=ports, health_check=https),
        _svc("tcp", ports=ports, health_check={"protocol": "TCP"}),
        _svc("unchecked", ports=ports),
        _job("batch", ports=ports, health_check=https),  # a job's check is never run
    )
    got = _found("compose", text)
    assert got == [
        (
            "APL412",
            "info",
            _val(text, "web", "protocol", '"MESOS_HTTPS"'),
            "compose runs the MESOS_HTTPS health check of `web` inside the container, with "
            "curl or wget: `shop/web:1.0` needs one of them",
            TCP_CHECK,
            (),
        ),
        (
            "APL412",
            "info",
            _val(text, "plain", "protocol", '"HTTPS"'),
            "compose runs the HTTPS health check of `plain` inside the container, with "
            "curl or wget: `shop/web:1.0` needs one of them",
            TCP_CHECK,
            (),
        ),
        (
            "APL412",
            "info",
            _val(text, "lower", "protocol", '"https"'),
            "compose runs the https health check of `lower` inside the container, with "
            "curl or wget: `shop/web:1.0` needs one of them",
            TCP_CHECK,
            (),
        ),
        (
            "APL412",
            "info",
            _val(text, "odd", "protocol", '"MESOS_HTTPS"'),
            "compose runs the MESOS_HTTPS health check of `odd` inside the container, with "
            "curl or wget: `its image` needs one of them",
            TCP_CHECK,
            (),
        ),
    ]


def test_apl404_compose_runs_every_job_once_when_the_project_starts() -> None:
    text = _doc(
        _svc("svc", repeats=3, start_time="2026-12-05T10:00:00Z"),
        _job("once", repeats=1),
        _job("rep", repeats=3, interval="T10M"),
        _job("later", start_time="2026-12-05T10:00:00Z"),
        _job("both", repeats=0, start_time="2026-12-05T11:00:00Z"),
    )
    again = "run it again with `docker compose run`"
    assert _found("compose", text) == [
        (
            "APL404",
            "warning",
            _val(text, "rep", "repeats", "3"),
            "compose runs job `rep` once, not 3 times every `PT10M`",
            again,
            (),
        ),
        (
            "APL404",
            "warning",
            _val(text, "later", "start_time", '"2026-12-05T10:00:00Z"'),
            "compose starts job `later` with the project, not at `2026-12-05T10:00:00Z`",
            None,
            (),
        ),
        (
            "APL404",
            "warning",
            _val(text, "both", "repeats", "0"),
            "compose runs job `both` once, not 0 times every `P2M`",
            again,
            (),
        ),
        (
            "APL404",
            "warning",
            _val(text, "both", "start_time", '"2026-12-05T11:00:00Z"'),
            "compose starts job `both` with the project, not at `2026-12-05T11:00:00Z`",
            None,
            (),
        ),
    ]


def test_apl405_compose_has_no_placement() -> None:
    text = _doc(
        _svc("free", schedule_hints={"placement": {"zone": ""}}),  # empty: no placement
        _svc("none"),
        _svc("web", schedule_hints={"placement": {"cloud": "aws", "zone": "z1"}}),
    )
    assert _found("compose", text) == [
        (
            "APL405",
            "warning",
            _val(text, "web", "zone", '"z1"'),
            "compose cannot place `web` by `zone`; the placement is left out",
            None,
            (),
        )
    ]


def test_apl406_compose_references_to_and_from_the_host_network() -> None:
    text = _doc(
        _svc("db", network_mode="HOST", ports=[{"container_port": 5432}]),
        _svc("cache"),
        _svc("api", env={"G": "@ghost", "C": "@cache", "DB": "@db:5432"}),
        _svc("agent", network_mode="HOST", env={"C": "x=@cache", "D": "@db"}),
    )
    assert _found("compose", text) == [
        (
            "APL406",
            "warning",
            _in(text, "api", "@db"),
            "`@db` runs on the host network, so compose has no service name for it; it is "
            "written `host.docker.internal`",
            None,
            ("`api` reaches it through the Docker host, on the ports it binds there",),
        ),
        (
            "APL406",
            "warning",
            _in(text, "agent", "@cache"),
            "`agent` runs on the host network, where the service name `cache` does not resolve",
            'run `agent` in "bridge" mode, or publish a fixed host port on `cache` and use '
            "the host's address",
            (),
        ),
        (
            "APL406",
            "warning",
            _in(text, "agent", "@db"),
            "`@db` runs on the host network, so compose has no service name for it; it is "
            "written `host.docker.internal`",
            None,
            ("`agent` reaches it through the Docker host, on the ports it binds there",),
        ),
    ]


def test_apl410_compose_reserves_no_disk_and_whole_gpus_only() -> None:
    text = _doc(
        _svc("bare", resources=None),
        _svc("web", resources=_res(disk=1)),  # any disk above 0 is left out
        _svc("gpu", resources=_res(disk=0, gpu=0.5)),
    )
    assert _found("compose", text) == [
        (
            "APL410",
            "info",
            _val(text, "web", "disk", "1"),
            "compose has no disk reservation; `disk` of `web` is left out",
            None,
            (),
        ),
        (
            "APL410",
            "error",
            _val(text, "gpu", "gpu", "0.5"),
            "`gpu` asks for 0.5 GPUs; compose counts whole GPUs",
            "ask for a whole number of GPUs",
            (),
        ),
    ]


# --------------------------------------------------------------------------- kubernetes

VAR_NAMES = "name variables with letters, digits and `_`"


def test_apl413_kubernetes_env_names() -> None:
    env = {
        "$schema": "7",
        "": "8",
        "A=B": "9",
        "ok.name-1_": "5",
        "_x": "6",
        "CAF\u00c9": "1",
        "A\tB": "2",
        "MY VAR": "3",
        "1ST": "4",
    }
    text = _doc(_svc("web", env=env))
    assert _found("kubernetes", text) == [
        (
            "APL413",
            "error",
            _in(text, "web", '"CAF\\u00c9"'),  # as json.dumps writes it
            'Kubernetes refuses the environment variable name "CAF\\u00c9": only printable '
            "ASCII characters",
            VAR_NAMES,
            (),
        ),
        (
            "APL413",
            "error",
            _in(text, "web", '"A\\tB"'),
            'Kubernetes refuses the environment variable name "A\\tB": only printable ASCII '
            "characters",
            VAR_NAMES,
            (),
        ),
        (
            "APL413",
            "warning",
            _in(text, "web", '"MY VAR"'),
            'clusters before Kubernetes 1.32 refuse the environment variable name "MY VAR"',
            VAR_NAMES,
            (),
        ),
        (
            "APL413",
            "warning",
            _in(text, "web", '"1ST"'),
            'clusters before Kubernetes 1.32 refuse the environment variable name "1ST"',
            VAR_NAMES,
            (),
        ),
    ]


def test_apl402_a_pod_cannot_wait_for_a_kubernetes_job() -> None:
    text = _doc(
        _svc("db"),
        _job("migrate"),
        _svc("api", dependencies=["db", "migrate"]),
        _job("report", dependencies=["migrate"]),
        _job("loop", dependencies=["loop"]),  # itself: APL212's, not a Job to wait for
    )
    retry = "start it after the Job yourself, or make it retry until the Job's work is done"
    assert _found("kubernetes", text) == [
        (
            "APL402",
            "warning",
            _in(text, "api", '"migrate"'),
            "Kubernetes cannot make `api` wait for Job `migrate` to complete",
            retry,
            (),
        ),
        (
            "APL402",
            "warning",
            _in(text, "report", '"migrate"'),
            "Kubernetes cannot make `report` wait for Job `migrate` to complete",
            retry,
            (),
        ),
    ]


CRON_HELP = (
    "use an interval cron can express: minutes or hours that divide an hour or a day, a "
    "day, a week, a month, a year"
)


def test_apl404_kubernetes_jobs_cronjobs_and_what_cron_cannot_say() -> None:
    text = _doc(
        _svc("svc", repeats=5, interval="T7M", start_time="2026-12-05T10:00:00Z"),
        _job("plain"),
        _job("once", start_time="2026-12-05T10:00:00Z"),
        _job("odd", repeats=5, interval="T7M"),
        _job("late", repeats=5, start_time="2026-01-30T00:00:00Z"),  # P2M on day 30
        _job("cron", repeats=2, interval="T20M", start_time="2026-12-05T10:05:00Z"),
        _job("endless", repeats=0, interval="T20M"),  # never stops: what a CronJob does
    )
    assert _found("kubernetes", text) == [
        (
            "APL404",
            "warning",
            _val(text, "once", "start_time", '"2026-12-05T10:00:00Z"'),
            "a Kubernetes Job starts at once: `once` does not wait for `2026-12-05T10:00:00Z`",
            None,
            (),
        ),
        (
            "APL404",
            "warning",
            _val(text, "odd", "interval", '"T7M"'),
            "cron cannot repeat every `PT7M`, so `odd` runs once, as a Job",
            CRON_HELP,
            (),
        ),
        (
            "APL404",
            "warning",
            _id(text, "late"),
            "cron cannot repeat every `P2M`, so `late` runs once, as a Job",
            CRON_HELP,
            (),
        ),
        (
            "APL404",
            "warning",
            _val(text, "cron", "repeats", "2"),
            "CronJob `cron` runs at `5-59/20 * * * *` without stopping after 2 runs",
            "delete the CronJob when it is done",
            (),
        ),
    ]


def test_apl405_kubernetes_placement_without_a_node_label() -> None:
    text = _doc(
        _svc("web", schedule_hints={"placement": {"cloud": "aws"}}),
        _svc("bad", schedule_hints={"placement": {"zone": "eu west", "cloud": "aws"}}),
        _svc("good", schedule_hints={"placement": {"host": "node-1", "cloud": "aws"}}),
        _svc("none"),
    )
    assert _found("kubernetes", text) == [
        (
            "APL405",
            "warning",
            _val(text, "web", "cloud", '"aws"'),
            "placement `cloud: aws` has no Kubernetes node label; the placement is left out",
            None,
            (),
        ),
        (
            "APL405",
            "warning",
            _val(text, "bad", "zone", '"eu west"'),
            "placement `zone: eu west` is not a valid label value for "
            "`topology.kubernetes.io/zone`; the placement is left out",
            None,
            (),
        ),
    ]


def test_apl407_ids_that_cannot_name_a_service_or_a_cronjob() -> None:
    long = "a" * 53
    longer = "b" * 53
    longest = "c" * 53
    text = _doc(
        _svc("1web"),
        _job(long, repeats=2, interval="T10M"),  # a CronJob: 52 characters at most
        _job(longer),  # a Job: 63
        _job(longest, repeats=2, interval="T7M"),  # cron cannot say it: a Job
        _svc("d" * 53, repeats=2, interval="T10M"),  # a Deployment, whatever it repeats
        _svc("web1"),
    )
    assert _found("kubernetes", text, "APL407") == [
        (
            "APL407",
            "error",
            _id(text, "1web"),
            "`1web` is not a DNS-1035 label (a lower-case letter, then letters, digits and "
            "`-`, at most 63 characters), so it cannot name a Kubernetes Service",
            "start the id with a letter",
            (),
        ),
        (
            "APL407",
            "error",
            _id(text, long),
            f"`{long}` is longer than 52 characters, the limit for a CronJob name",
            "shorten the id",
            (),
        ),
    ]


def test_apl411_persistent_volumes_become_claims() -> None:
    long_ok, too_long = "v" * 63, "w" * 64
    volumes = [
        {"id": "pgdata"},
        {"id": "shared", "scope": "global"},
        {"id": "Bad_Name"},
        {"id": long_ok},
        {"id": too_long},
        {"id": "unused"},
    ]

    def mount(*ids: str) -> dict:
        host = {"src": "/srv", "dest": "/srv", "type": "HOST"}  # skipped before the rest
        return {"volumes": [host] + [{"src": v, "dest": f"/{i}"} for i, v in enumerate(ids)]}

    text = _doc(
        _svc(
            "host",
            volumes=[
                {"container_path": "/l", "host_path": "pgdata", "mode": "RW"},
                {"src": "pgdata", "dest": "/h", "type": "HOST"},
                {"src": "undeclared", "dest": "/u"},
            ],
        ),
        _svc("db", **mount("pgdata", "shared", "Bad_Name", long_ok, too_long)),
        _svc("api", **mount("pgdata", "shared")),  # each claim is reported once
        data_persistence={"volumes": volumes},
    )
    assert _found("kubernetes", text) == [
        (
            "APL411",
            "info",
            _val(text, "db", "src", '"pgdata"'),
            "volume `pgdata` becomes a 1Gi ReadWriteMany PersistentVolumeClaim of the "
            "default storage class",
            "check the size and storage class before deploying",
            (),
        ),
        (
            "APL411",
            "warning",
            _val(text, "db", "src", '"shared"'),
            "global volume `shared` becomes a claim of this appliance's namespace only; "
            "other appliances do not share it",
            None,
            (),
        ),
        (
            "APL411",
            "error",
            _val(text, "db", "src", '"Bad_Name"'),
            "volume id `Bad_Name` cannot name a PersistentVolumeClaim (a DNS-1123 label: "
            "lower-case letters, digits and `-`)",
            None,
            (),
        ),
        (
            "APL411",
            "info",
            _val(text, "db", "src", f'"{long_ok}"'),
            f"volume `{long_ok}` becomes a 1Gi ReadWriteMany PersistentVolumeClaim of the "
            "default storage class",
            "check the size and storage class before deploying",
            (),
        ),
        (
            "APL411",
            "error",
            _val(text, "db", "src", f'"{too_long}"'),
            f"volume id `{too_long}` cannot name a PersistentVolumeClaim (a DNS-1123 label: "
            "lower-case letters, digits and `-`)",
            None,
            (),
        ),
    ]


def test_apl403_is_reported_for_the_target_that_renames_the_port() -> None:
    ports = [{"container_port": 80, "name": "ok"}, {"container_port": 81, "name": "Admin UI"}]
    text = _doc(_svc("web", ports=ports))
    lower = "name the port with lower-case letters, digits and `-`"
    assert _found("kubernetes", text, "APL403") == [
        (
            "APL403",
            "info",
            _val(text, "web", "name", '"Admin UI"'),
            "port name `Admin UI` is written `admin-ui` for a Kubernetes container port",
            lower + " (at most 15)",
            (),
        )
    ]
    assert _found("marathon", text, "APL403") == [
        (
            "APL403",
            "info",
            _val(text, "web", "name", '"Admin UI"'),
            "port name `Admin UI` is written `admin-ui` for Marathon",
            lower,
            (),
        )
    ]
    assert _found("compose", text, "APL403") == []
