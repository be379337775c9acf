"""The targets' adapters, function by function: each expected value is written by hand
from the platform's documented rules (/work/shared/spec/targets.md, docs/targets.md) or
read back the way the platform reads it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from applc.model.build import build_appliance, build_container
from applc.model.nodes import Appliance, Container
from applc.source import Source
from applc.targets.base import OutputFile, Target, TargetOptions
from applc.targets.compose import adapter as compose
from applc.targets.kubernetes import adapter as k8s
from tests.conftest import run_cli
from tests.support.validators import (
    skip_unless_available,
    validate_chronos_jobs,
    validate_compose,
    validate_kubernetes_yaml,
    validate_marathon_group,
)

# --------------------------------------------------------------------------- compose


def test_compose_escape_doubles_every_dollar_in_values_not_in_keys() -> None:
    value = {"$K": ["a$b", {"x": "$$(y)"}, 3, None, True], "n": 1.5}
    assert compose.escape(value) == {"$K": ["a$$b", {"x": "$$$$(y)"}, 3, None, True], "n": 1.5}
    assert compose.escape("$") == "$$"
    assert compose.escape(("$",)) == ("$",)  # only what the view holds: dicts and lists


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (2, 2),
        (0.5, 0.5),
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        (2**63, float(2**63)),
        (-(2**63) - 1, float(-(2**63) - 1)),
    ],
)
def test_compose_cpus_beyond_int64_are_floats(value: float, written: float) -> None:
    got = compose.cpus(value)
    assert got == written and type(got) is type(written)


@pytest.mark.parametrize(
    ("mib", "text"), [(256, "256M"), (0.5, "0.5M"), (1e-05, "0.00001M"), (2048.0, "2048M")]
)
def test_compose_memory_is_binary_megabytes_in_decimal(mib: float, text: str) -> None:
    assert compose.memory(mib) == text


# --------------------------------------------------------------------------- golden files

GOLDEN = Path(__file__).parent / "data" / "golden"
GOLDEN_OUTPUTS = {
    "compose": ["{}.compose.yaml"],
    "kubernetes": ["{}.k8s.yaml"],
    "marathon": ["{}.chronos.json", "{}.marathon.json"],
}


@pytest.mark.parametrize("appliance", ["rich", "edge"])
@pytest.mark.parametrize("target", sorted(GOLDEN_OUTPUTS))
def test_an_appliance_builds_to_the_reviewed_files(
    tmp_path: Path, target: str, appliance: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tests/data/golden/rich.appliance.json` uses every feature a target maps (ports
    of each protocol, named and not; volumes of each kind; every health check; jobs once
    and on a schedule; placement, GPUs, privileges, `$`, `@` and `\\@`);
    `edge.appliance.json` the corners (HOST-mode references both ways, a referenced job,
    port names that collide or shorten, wait containers whose names must change, checks
    lint was told to let through). Their outputs were read line by line against
    docs/targets.md and the platforms' documented rules when they were added, and the
    platforms' validators accept rich's; a change to any byte must be reviewed the same
    way before the file here is updated."""
    from applc.targets import render

    # Each build here makes its template environment, as a fresh `applc build` does.
    monkeypatch.setattr(render, "_ENVIRONMENTS", {})
    out = tmp_path / "out"
    src = GOLDEN / f"{appliance}.appliance.json"
    run = run_cli(["build", str(src), "-t", target, "-o", str(out)])
    assert run.code == 0, run.stderr
    written = sorted(p.name for p in out.iterdir() if p.name != ".applc-manifest.json")
    assert written == [n.format(appliance) for n in GOLDEN_OUTPUTS[target]]
    for name in written:
        assert (out / name).read_text(encoding="utf-8") == (GOLDEN / name).read_text(
            encoding="utf-8"
        ), name


def test_the_reviewed_files_are_valid_for_their_platforms() -> None:
    skip_unless_available("jsonschema")
    skip_unless_available("kubernetes")
    skip_unless_available("compose")
    marathon = json.loads((GOLDEN / "rich.marathon.json").read_text(encoding="utf-8"))
    assert validate_marathon_group(marathon) == []
    jobs = json.loads((GOLDEN / "rich.chronos.json").read_text(encoding="utf-8"))
    assert validate_chronos_jobs(jobs) == []
    assert validate_kubernetes_yaml((GOLDEN / "rich.k8s.yaml").read_text(encoding="utf-8")) == []
    assert validate_compose((GOLDEN / "rich.compose.yaml").read_text(encoding="utf-8")) == []
    # Read back as compose reads it: `$$` is a literal `$`.
    compose_doc = yaml.safe_load((GOLDEN / "rich.compose.yaml").read_text(encoding="utf-8"))
    env = compose_doc["services"]["db"]["environment"]
    assert env["POSTGRES_PASSWORD"].replace("$$", "$") == "pa$$word"


# --------------------------------------------------------------------------- kubernetes


def _container(**raw: object) -> Container:
    return build_container(Source("x", ""), "/containers/0", {"id": "c", "type": "job", **raw})


def _appliance(*containers: dict, **extra: object) -> Appliance:
    return build_appliance(Source("x", ""), {"id": "app", "containers": list(containers), **extra})


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain", "plain"),
        ("$HOME", "$HOME"),
        ("$(HOME)", "$$(HOME)"),
        ("a$$b", "a$$$b"),  # read back: `$$` -> `$`, then `$b` as written
        ("$$(x)", "$$$$(x)"),
        ("x$", "x$"),
        ("$($(", "$$($$("),
    ],
)
def test_kubernetes_escape_keeps_text_from_expansion(text: str, escaped: str) -> None:
    assert k8s.escape(text) == escaped


@pytest.mark.parametrize(
    ("cpus", "quantity"),
    [
        (2, "2"),
        (1.0, "1"),
        (0.5, "500m"),
        (0.25, "250m"),
        (2.5, "2500m"),
        (0.001, "1m"),
        (0.0005, "0.0005"),
        (1.2345, "1.2345"),
    ],
)
def test_kubernetes_cpu_quantities(cpus: float, quantity: str) -> None:
    assert k8s.cpu_quantity(cpus) == quantity


def test_kubernetes_memory_quantities_are_mebibytes() -> None:
    assert k8s.mib_quantity(512) == "512Mi"
    assert k8s.mib_quantity(0.5) == "0.5Mi"
    assert k8s.mib_quantity(1e-05) == "0.00001Mi"


@pytest.mark.parametrize(
    ("unit", "n", "normal"),
    [
        ("S", 120, ("Mi", 2)),
        ("S", 90, ("S", 90)),
        ("S", 3600, ("H", 1)),
        ("S", 86400, ("D", 1)),
        ("S", 604800, ("W", 1)),
        ("Mi", 180, ("H", 3)),
        ("H", 48, ("D", 2)),
        ("D", 14, ("W", 2)),
        ("D", 10, ("D", 10)),
        ("Mi", 0, ("Mi", 0)),
        ("Mo", 12, ("Mo", 12)),  # months are not weeks
    ],
)
def test_kubernetes_interval_units_are_normalised(unit: str, n: int, normal: tuple) -> None:
    assert k8s._normalise(unit, n) == normal


@pytest.mark.parametrize(
    ("start", "utc"),
    [
        ("", None),
        ("not a time", None),
        ("2024-01-01T02:00:00", datetime(2024, 1, 1, 2, 0, tzinfo=UTC)),
        ("2024-01-01T03:30:00+01:00", datetime(2024, 1, 1, 2, 30, tzinfo=UTC)),
        ("2024-01-01T00:15:00-02:00", datetime(2024, 1, 1, 2, 15, tzinfo=UTC)),
    ],
)
def test_kubernetes_start_times_are_read_in_utc(start: str, utc: datetime | None) -> None:
    got = k8s._start(_container(start_time=start))
    assert got == utc
    if got is not None:
        assert got.utcoffset() == timedelta(0)


AT_SECOND = "cron cannot start at the second given by"


@pytest.mark.parametrize(
    ("interval", "start", "cron", "why"),
    [
        ("T15S", "", None, "cron cannot repeat every `PT15S`"),
        ("T120S", "", "*/2 * * * *", None),
        ("T5M", "2024-01-01T00:07:00Z", "2-59/5 * * * *", None),
        (
            "T5M",
            "2024-01-01T00:07:30Z",
            None,
            "cron cannot start at the second given by `2024-01-01T00:07:30Z`",
        ),
        (
            "T5M",
            "2024-01-01T00:07:00.5Z",
            None,
            "cron cannot start at the second given by `2024-01-01T00:07:00.5Z`",
        ),
        ("T60M", "2024-01-01T05:20:00Z", "20 * * * *", None),
        ("T6H", "2024-01-01T05:20:00Z", "20 5-23/6 * * *", None),
        ("T6H", "2024-01-01T06:20:00Z", "20 */6 * * *", None),
        ("T5H", "", None, "cron cannot repeat every `PT5H`"),
        ("T45M", "", None, "cron cannot repeat every `PT45M`"),
        ("1D", "", "0 0 * * *", None),
        ("2W", "", None, "cron cannot repeat every `P2W`"),
        ("1W", "2024-01-07T08:00:00Z", "0 8 * * 0", None),
        ("1W", "2024-01-06T08:00:00Z", "0 8 * * 6", None),
        ("1M", "", "0 0 1 * *", None),
        ("2M", "2024-03-10T00:00:00Z", "0 0 10 1-12/2 *", None),
        ("6M", "2024-08-28T01:02:00Z", "2 1 28 2-12/6 *", None),
        ("5M", "", None, "cron cannot repeat every `P5M`"),
        ("1M", "2024-01-29T00:00:00Z", None, "cron cannot repeat every `P1M`"),
        ("12M", "", "0 0 1 1-12/12 *", None),  # January only
        ("12M", "2024-05-03T00:00:00Z", "0 0 3 5-12/12 *", None),
        ("1Y", "", "0 0 1 1 *", None),
        ("1Y", "2024-02-29T00:00:00Z", None, "cron cannot repeat every `P1Y`"),
        ("1Y", "2024-02-28T00:00:00Z", "0 0 28 2 *", None),
        ("2Y", "", None, "cron cannot repeat every `P2Y`"),
        ("T1.5S", "", None, "cron cannot repeat every `PT1.5S`"),
        ("T1.5M", "", None, "`PT1.5M` is not an ISO 8601 duration"),
        ("T0M", "", None, "cron cannot repeat every `PT0M`"),
        ("1DT1H", "", None, "cron cannot repeat every `P1DT1H`"),
        ("X", "", None, "`PX` is not an ISO 8601 duration"),
    ],
)
def test_kubernetes_cron_schedules_and_why_not(
    interval: str, start: str, cron: str | None, why: str | None
) -> None:
    assert k8s.cron_schedule(_container(interval=interval, start_time=start)) == (cron, why)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"repeats": 1, "interval": "T10M"}, "Job"),
        ({"repeats": 5, "interval": "T10M"}, "CronJob"),
        ({"repeats": 0, "interval": "T10M"}, "CronJob"),
        ({"repeats": 5, "interval": "T7M"}, "Job"),
    ],
)
def test_kubernetes_job_kind(raw: dict, kind: str) -> None:
    assert k8s.job_kind(_container(**raw)) == kind


@pytest.mark.parametrize(
    ("cid", "kind", "why"),
    [
        ("web", "Deployment", None),
        ("Web", "Deployment", None),  # not a DNS label at all: APL105's business
        ("-x", "Deployment", None),
        ("1st", "Deployment", "`1st` is not a DNS-1035 label"),
        ("a" * 63, "Deployment", None),
        ("a" * 64, "Deployment", f"`{'a' * 64}` is not a DNS-1035 label"),
        ("a" * 52, "CronJob", None),
        ("a" * 53, "CronJob", f"`{'a' * 53}` is longer than 52 characters"),
        ("a" * 53, "Job", None),
    ],
)
def test_kubernetes_names_a_service_can_have(cid: str, kind: str, why: str | None) -> None:
    got = k8s.name_problem(_container(id=cid), kind)
    if why is None:
        assert got is None
    else:
        assert got is not None and got.startswith(why)
    if got and "DNS-1035" in got:
        assert got == (
            f"`{cid}` is not a DNS-1035 label (a lower-case letter, then letters, digits and "
            "`-`, at most 63 characters), so it cannot name a Kubernetes Service"
        )
    if got and "CronJob" in got:
        assert got == f"`{cid}` is longer than 52 characters, the limit for a CronJob name"


@pytest.mark.parametrize(
    ("placement", "result"),
    [
        ({}, (None, None)),
        ({"host": "node-1"}, ({"kubernetes.io/hostname": "node-1"}, None)),
        ({"zone": "z1", "host": "n"}, ({"kubernetes.io/hostname": "n"}, None)),
        ({"zone": "z1", "region": "r"}, ({"topology.kubernetes.io/zone": "z1"}, None)),
        ({"region": "eu"}, ({"topology.kubernetes.io/region": "eu"}, None)),
        (
            {"cloud": "aws"},
            (
                None,
                "placement `cloud: aws` has no Kubernetes node label; the placement is left out",
            ),
        ),
        (
            {"zone": "a b"},
            (
                None,
                "placement `zone: a b` is not a valid label value for "
                "`topology.kubernetes.io/zone`; the placement is left out",
            ),
        ),
        ({"zone": "a" * 63}, ({"topology.kubernetes.io/zone": "a" * 63}, None)),
        (
            {"zone": "a" * 64},
            (
                None,
                f"placement `zone: {'a' * 64}` is not a valid label value for "
                "`topology.kubernetes.io/zone`; the placement is left out",
            ),
        ),
        ({"zone": "a.b_c-d"}, ({"topology.kubernetes.io/zone": "a.b_c-d"}, None)),
        (
            {"zone": "-a"},
            (
                None,
                "placement `zone: -a` is not a valid label value for "
                "`topology.kubernetes.io/zone`; the placement is left out",
            ),
        ),
    ],
)
def test_kubernetes_node_selectors(placement: dict, result: tuple) -> None:
    c = _container(schedule_hints={"placement": placement})
    assert k8s.node_selector(c) == result


def test_kubernetes_port_names_are_iana_service_names() -> None:
    from applc.targets.kubernetes.naming import port_name

    assert port_name("http") == "http"
    assert port_name("HDFS Namenode UI") == "hdfs-namenode"  # cut at a word boundary
    assert port_name("PostgreSQL Server") == "postgresql"
    assert port_name("abcdefghijklmnopq") == "abcdefghijklmno"  # one word: cut at 15
    assert port_name("abcdefghijklmno-p") == "abcdefghijklmno"  # the 16th is the `-`
    assert port_name("1234 5678") is None  # no letter
    assert port_name("12345678901234 a") is None  # the cut leaves no letter
    assert port_name("---") is None
    assert port_name("a1-b2") == "a1-b2"
    assert port_name("abcdefg-ijklmno") == "abcdefg-ijklmno"  # exactly 15
    assert port_name("abcdefg-ijklmno-pq") == "abcdefg-ijklmno"  # the cut is a boundary


def test_marathon_port_names_start_with_a_letter() -> None:
    from applc.targets.marathon.naming import port_name

    assert port_name("PostgreSQL Server") == "postgresql-server"
    assert port_name("HDFS Namenode UI") == "hdfs-namenode-ui"
    assert port_name("8080 web") is None
    assert port_name("  ") is None
    assert port_name("x" * 100) == "x" * 100  # Marathon sets no length limit


def test_port_names_are_unique_within_a_container() -> None:
    from applc.targets.base import assign_names

    def derive(name: str) -> str | None:
        return name.lower() if name.isalpha() else None

    assert assign_names(["Web", None, "web", "x1", "Api", "API"], derive) == [
        "web",
        None,
        None,
        None,
        "api",
        None,
    ]


def test_derive_name_is_a_lower_case_slug() -> None:
    from applc.targets.base import derive_name

    assert derive_name("HDFS Namenode UI") == "hdfs-namenode-ui"
    assert derive_name("--a__b--") == "a-b"
    assert derive_name("abc-def", 4) == "abc"  # no `-` left at the cut
    assert derive_name("abcdef", 4) == "abcd"
    assert derive_name("abc", 3) == "abc"


# --------------------------------------------------------------------------- marathon


def test_marathon_job_dependencies_it_cannot_enforce() -> None:
    from applc.targets.marathon.adapter import job_dependency_gaps

    app = _appliance(
        {"id": "db", "type": "service"},
        {"id": "load", "type": "job", "dependencies": ["db"]},
        {"id": "report", "type": "job", "dependencies": ["ghost", "load", "report"]},
        {"id": "web", "type": "service", "dependencies": ["db", "load", "web"]},
    )
    by = app.by_id
    assert job_dependency_gaps(app, by["db"]) == []
    assert job_dependency_gaps(app, by["load"]) == [
        (0, "db", "Chronos job `load` cannot wait for Marathon app `db`: it runs on its schedule")
    ]
    assert job_dependency_gaps(app, by["report"]) == [
        (
            1,
            "load",
            "Chronos job `report` cannot wait for Chronos job `load`: it runs on its schedule",
        )
    ]
    assert job_dependency_gaps(app, by["web"]) == [
        (1, "load", "Marathon app `web` cannot depend on Chronos job `load`")
    ]


def test_marathon_persistent_mounts_use_pivots_volume_names() -> None:
    from applc.targets.marathon.adapter import docker_only, persistent_mounts

    volumes = [
        {"src": "local", "dest": "/a"},
        {"src": "global", "dest": "/b", "type": "persistent"},
        {"src": "undeclared", "dest": "/c"},
        {"src": "/host", "dest": "/d", "type": "HOST"},
        {"container_path": "/e", "host_path": "/legacy", "mode": "RW"},
    ]
    dp = {"volumes": [{"id": "local"}, {"id": "global", "scope": "GLOBAL"}]}
    app = _appliance({"id": "c", "type": "service", "volumes": volumes}, data_persistence=dp)
    c = app.by_id["c"]
    assert persistent_mounts(app, c) == [("app-local", "/a"), ("global", "/b")]
    assert docker_only(app, c) == [
        "it mounts cephfs persistent volumes through `docker run` options"
    ]
    # Without data_persistence PIVOT drops them (APL244).
    bare = _appliance({"id": "c", "type": "service", "volumes": volumes, "is_privileged": True})
    assert persistent_mounts(bare, bare.by_id["c"]) == []
    assert docker_only(bare, bare.by_id["c"]) == ["it runs privileged"]


@pytest.mark.parametrize(
    ("resources", "count"),
    [({"gpu": 2}, 2), ({"gpu": 0}, 0), ({"gpu": 1.0}, 1), ({}, 0), (None, 0)],
)
def test_marathon_gpu_count(resources: dict | None, count: int) -> None:
    from applc.targets.marathon.adapter import gpu_count

    raw: dict = {"id": "c", "type": "service"}
    if resources is not None:
        raw["resources"] = {"cpus": 1, "mem": 128, **resources}
    assert gpu_count(_appliance(raw).by_id["c"]) == count


# --------------------------------------------------------------------------- --validate


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^[a-z]+$", "^[a-z]+\\Z"),
        ("^(a|b)$|^c$", "^(a|b)\\Z|^c\\Z"),
        ("[$]x", "[$]x"),  # inside a class `$` is a dollar
        ("[a$]$", "[a$]\\Z"),
        ("a\\$", "a\\$"),  # escaped
        ("a\\\\$", "a\\\\\\Z"),  # an escaped backslash, then the end
        ("\\[$]", "\\[\\Z]"),  # `\[` opens no class
        ("x\\", "x\\"),  # a trailing backslash is kept as it is
        ("", ""),
    ],
)
def test_ecma_patterns_end_only_at_the_end(pattern: str, python: str) -> None:
    from applc.targets.validate import ecma_pattern

    assert ecma_pattern(pattern) == python


def test_validate_names_each_problem_by_its_json_pointer() -> None:
    skip_unless_available("jsonschema")
    from applc.build import OutputText
    from applc.targets.validate import _pointer, validate_outputs, validate_text

    assert _pointer([]) == "/"
    assert _pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
    assert validate_text("marathon-group.schema.json", "not json") == [
        "not JSON: Expecting value: line 1 column 1 (char 0)"
    ]
    assert validate_text("marathon-group.schema.json", '{"id": "/shop", "apps": []}') == []
    bad_id = '{"id": "/shop\\n", "apps": []}'  # `$` is the end: a final newline fails
    assert validate_text("marathon-group.schema.json", bad_id) == [
        "/id: '/shop\\n' does not match '^(/[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'"
    ]
    outputs = [
        OutputText("shop.compose.yaml", "not checked", "in.json"),
        OutputText("shop.marathon.json", bad_id, "in.json"),
        OutputText("shop.marathon.json.bak", "not checked", "in.json"),
        OutputText("shop.chronos.json", '[{"name": 5}]', "in.json"),
    ]
    assert validate_outputs("marathon", outputs) == [
        "shop.marathon.json: /id: '/shop\\n' does not match '^(/[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'",
        "shop.chronos.json: /0: 'command' is a required property",
        "shop.chronos.json: /0: 'schedule' is a required property",
        "shop.chronos.json: /0/name: 5 is not of type 'string'",
    ]


def test_validate_counts_only_true_integers_and_shortens_long_messages() -> None:
    skip_unless_available("jsonschema")
    from applc.targets.validate import validate_text

    errors = validate_text("chronos-job.schema.json", '[{"name": "x", "retries": 1.0}]')
    assert "/0/retries: 1.0 is not of type 'integer'" in errors
    suffix = " does not match '^(/[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'"
    for size in (200, 201):  # a message of 200 characters is whole, a longer one is cut
        gid = "X" * (size - 2 - len(suffix))
        (got,) = validate_text("marathon-group.schema.json", json.dumps({"id": gid, "apps": []}))
        whole = f"'{gid}'{suffix}"
        assert len(whole) == size
        assert got == "/id: " + (whole if size == 200 else whole[:200] + "...")
    long_name = "x" * 400
    errors = validate_text("marathon-group.schema.json", json.dumps({"id": long_name, "apps": []}))
    (message,) = errors
    assert message.startswith(f"/id: '{'x' * 190}")
    assert message.endswith("...") and len(message) == len("/id: ") + 203


# --------------------------------------------------------------------------- rendering


def test_compact_drops_none_valued_keys_at_every_depth() -> None:
    from applc.targets.render import compact

    value = {"a": None, "b": [{"c": None, "d": 0}, None, ({"e": None},)], "f": {"g": None}}
    assert compact(value) == {"b": [{"d": 0}, None, [{}]], "f": {}}
    assert compact(None) is None
    assert compact("x") == "x"


def test_to_json_writes_a_member_as_it_reads_inside_an_indented_document() -> None:
    from applc.targets.render import to_json

    assert to_json({"a": ["é", 1]}) == '{"a": ["é", 1]}'
    assert to_json({"a": ["é", 1]}, 2) == '{\n  "a": [\n    "é",\n    1\n  ]\n}'
    assert to_json({"a": [1]}, 2, 2) == '{\n      "a": [\n        1\n      ]\n    }'
    assert to_json([], 2, 3) == "[]"


def test_a_lone_surrogate_makes_the_whole_file_ascii_at_every_level() -> None:
    from applc.targets.render import _ASCII, _NotUtf8, to_json

    with pytest.raises(_NotUtf8):
        to_json({"a": "\ud800"}, 2, 1)
    with pytest.raises(_NotUtf8):
        to_json("\ud800")
    token = _ASCII.set(True)
    try:
        assert to_json({"a": "é\ud800"}) == '{"a": "\\u00e9\\ud800"}'
        assert to_json({"a": [1]}, 2) == '{\n  "a": [\n    1\n  ]\n}'
        assert to_json({"a": [1]}, 2, 2) == '{\n      "a": [\n        1\n      ]\n    }'
        assert to_json({"a": [1]}, None, 2) == '{"a": [1]}'
    finally:
        _ASCII.reset(token)


def test_to_json_and_to_yaml_keep_none_unless_told() -> None:
    from applc.targets.render import _ASCII, to_json, to_yaml

    value = {"a": None, "b": [None, {"c": None}]}
    assert to_json(value) == '{"a": null, "b": [null, {"c": null}]}'
    assert to_json(value, omit_none=True) == '{"b": [null, {}]}'
    assert to_json(value, 2, omit_none=True) == '{\n  "b": [\n    null,\n    {}\n  ]\n}'
    assert yaml.safe_load(to_yaml(value)) == value
    assert yaml.safe_load(to_yaml(value, omit_none=True)) == {"b": [None, {}]}
    token = _ASCII.set(True)
    try:
        assert to_json(value) == '{"a": null, "b": [null, {"c": null}]}'
        assert to_json(value, 2, omit_none=True) == '{\n  "b": [\n    null,\n    {}\n  ]\n}'
        # Python's json with indent 0: new lines, no indentation, at any level.
        assert to_json({"a": [1]}, 0, 2) == '{\n"a": [\n1\n]\n}'
    finally:
        _ASCII.reset(token)
    assert to_json({"a": [1]}, 0, 2) == '{\n"a": [\n1\n]\n}'


class _Counting(Target):
    """A target whose one file shows the build's options, and which counts how often
    its views are made."""

    name = "counting"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0

    def template_dir(self) -> Path:
        return self.folder

    def outputs(self, app: Appliance, options: TargetOptions) -> list[OutputFile]:
        self.made += 1
        ids = (c.id for c in app.containers)  # a generator, used up by one rendering
        return [OutputFile("txt", "t.j2", {"ns": options.namespace, "ids": ids})]


def test_a_pending_file_renders_with_the_views_made_once_then_again(tmp_path: Path) -> None:
    from applc.targets.render import pending_files, render_outputs

    (tmp_path / "t.j2").write_text("{{ ns }}:{{ ids | join(',') }}\n", encoding="utf-8")
    target = _Counting(tmp_path)
    app = _appliance({"id": "a"}, {"id": "b"})
    files = pending_files(target, app, TargetOptions(namespace="prod"))
    assert target.made == 1 and [f.suffix for f in files] == ["txt"]
    assert files[0].text() == "prod:a,b\n"
    assert target.made == 1  # the first rendering uses the views made with the list
    assert files[0].text() == "prod:a,b\n"  # made again, with the same options
    assert target.made == 2
    assert render_outputs(target, app, TargetOptions()) == [("app.txt", "None:a,b\n")]


def test_a_marathon_build_with_a_lone_surrogate_is_ascii_json(tmp_path: Path) -> None:
    value = json.loads((GOLDEN / "rich.appliance.json").read_text(encoding="utf-8"))
    value["containers"][0]["env"] = {"NAME": "café"}
    value["containers"][2]["args"] = ["é", "\ud800"]
    value["x-applc-ignore"] = {"APL112": "a test of the ASCII fallback"}
    src = tmp_path / "rich.appliance.json"
    src.write_text(json.dumps(value), encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli(["build", str(src), "-t", "marathon", "-o", str(out)])
    assert run.code == 0, run.stderr
    group = (out / "rich.marathon.json").read_text(encoding="utf-8")
    jobs = (out / "rich.chronos.json").read_text(encoding="utf-8")
    # Only the file that holds the surrogate goes ASCII, all of it.
    assert '"NAME": "café"' in group
    assert '"\\u00e9",\n      "\\ud800"' in jobs and jobs.isascii()
    assert json.loads(group)["apps"][0]["env"]["NAME"] == "café"
    assert json.loads(jobs)[0]["arguments"] == ["é", "\ud800"]


# --------------------------------------------------------------------------- shared checks


def _lint_target(tmp_path: Path, target: str, *containers: dict) -> list[dict]:
    src = tmp_path / "shop.appliance.json"
    src.write_text(json.dumps({"id": "shop", "containers": list(containers)}), encoding="utf-8")
    run = run_cli(["lint", "-f", "json", "--target", target, str(src)])
    return [
        {k: d[k] for k in ("code", "severity", "message", "pointer", "target")}
        for d in run.json()["diagnostics"]  # type: ignore[index]
        if d["code"] in ("APL403", "APL410")
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


def test_port_names_a_target_rewrites_or_leaves_out_are_reported(tmp_path: Path) -> None:
    ports = [
        {"container_port": 80, "name": "Web UI"},
        {"container_port": 81, "name": "web-ui"},  # taken by the first: left out
        {"container_port": 82, "name": "9000"},
        {"container_port": 83, "name": "ok"},
        {"container_port": 84},
    ]
    got = _lint_target(tmp_path, "marathon", _svc("web", ports=ports))
    assert got == [
        {
            "code": "APL403",
            "severity": "info",
            "message": "port name `Web UI` is written `web-ui` for Marathon",
            "pointer": "/containers/0/ports/0/name",
            "target": "marathon",
        },
        {
            "code": "APL403",
            "severity": "info",
            "message": "port name `web-ui` is left out: no valid name for Marathon derives from it",
            "pointer": "/containers/0/ports/1/name",
            "target": "marathon",
        },
        {
            "code": "APL403",
            "severity": "info",
            "message": "port name `9000` is left out: no valid name for Marathon derives from it",
            "pointer": "/containers/0/ports/2/name",
            "target": "marathon",
        },
    ]
    src = tmp_path / "shop.appliance.json"
    run = run_cli(["lint", "-f", "concise", "--target", "kubernetes", str(src)])
    assert (
        "APL403 [info] port name `Web UI` is written `web-ui` for a Kubernetes container port "
        "(name the port with lower-case letters, digits and `-` (at most 15))"
    ) in run.stdout


@pytest.mark.parametrize("target", ["marathon", "compose", "kubernetes"])
def test_fractional_gpus_are_an_error_on_every_target(tmp_path: Path, target: str) -> None:
    res = {"cpus": 1, "mem": 256, "gpu": 1.5}
    got = _lint_target(tmp_path, target, _svc("web", resources=res), _svc("two"))
    assert {
        "code": "APL410",
        "severity": "error",
        "message": f"`web` asks for 1.5 GPUs; {target} counts whole GPUs",
        "pointer": "/containers/0/resources/gpu",
        "target": target,
    } in got
    whole = _lint_target(tmp_path, target, _svc("web", resources={**res, "gpu": 2.0}))
    assert not [d for d in whole if d["severity"] == "error"]


def test_the_shared_checks_help_and_report_every_renamed_port(tmp_path: Path) -> None:
    ports = [
        {"container_port": 79},  # no name: nothing to say, and the ports after it count
        {"container_port": 80, "name": "ok"},  # kept as written
        {"container_port": 81, "name": "Web UI"},
    ]
    web = _svc("web", ports=ports, resources={"cpus": 1, "mem": 256, "gpu": 0.5})
    src = tmp_path / "shop.appliance.json"
    src.write_text(json.dumps({"id": "shop", "containers": [web]}), encoding="utf-8")
    run = run_cli(["lint", "-f", "json", "--target", "marathon", str(src)])
    got = [
        (d["code"], d["pointer"], d["message"], d["help"])
        for d in run.json()["diagnostics"]  # type: ignore[index]
        if d["target"] == "marathon"
    ]
    assert got == [
        (
            "APL410",
            "/containers/0/resources/gpu",
            "`web` asks for 0.5 GPUs; marathon counts whole GPUs",
            "ask for a whole number of GPUs",
        ),
        (
            "APL403",
            "/containers/0/ports/2/name",
            "port name `Web UI` is written `web-ui` for Marathon",
            "name the port with lower-case letters, digits and `-`",
        ),
    ]


def test_a_port_naming_that_skips_a_port_fails_loudly() -> None:
    """A target's `port_names` gives one name per port; one that gives fewer is a bug
    in the target, never a reason to report fewer ports."""
    from types import SimpleNamespace

    from applc.targets.checks import renamed_ports

    app = _appliance(
        {"id": "web", "ports": [{"container_port": 1, "name": "A"}, {"container_port": 2}]}
    )
    ctx: Any = SimpleNamespace(appliance=app)  # the checks read only the appliance
    with pytest.raises(ValueError, match="zip"):
        list(renamed_ports(ctx, "t", lambda c: ["a"], "T"))
    found = list(renamed_ports(ctx, "t", lambda c: ["x", None], "T", " (at most 1)"))
    assert [(f.code, f.message, f.help) for f in found] == [
        (
            "APL403",
            "port name `A` is written `x` for T",
            "name the port with lower-case letters, digits and `-` (at most 1)",
        )
    ]


def test_the_rule_examples_are_the_appliances_their_pages_show() -> None:
    from applc.targets.checks import example_app, example_container

    assert example_container("db") == (
        '{"id": "db", "type": "service", "image": "shop/db:1.0", '
        '"resources": {"cpus": 1, "mem": 256}, "network_mode": "bridge"}'
    )
    assert example_container("r", ', "repeats": 2', "job", ', "disk": 5') == (
        '{"id": "r", "type": "job", "image": "shop/r:1.0", '
        '"resources": {"cpus": 1, "mem": 256, "disk": 5}, "network_mode": "bridge", '
        '"repeats": 2}'
    )
    assert example_app('{"id": "a"}', '{"id": "b"}') == (
        '{"id": "shop", "containers": [\n  {"id": "a"},\n  {"id": "b"}\n]}'
    )
    assert example_app('{"id": "a"}', top='"name": "Shop", ') == (
        '{"id": "shop", "name": "Shop", "containers": [\n  {"id": "a"}\n]}'
    )


# --------------------------------------------------------------------------- shared helpers


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (True, "1"),
        (False, "0"),
        (7, "7"),
        (2.0, "2"),
        (-3.0, "-3"),
        (0.5, "0.5"),
        (1e-05, "0.00001"),
        (1.5e-07, "0.00000015"),
        (1e20, "100000000000000000000"),
        (123.25, "123.25"),
        (10**400, "1" + "0" * 400),  # a JSON integer no float can hold
    ],
)
def test_decimal_text_never_uses_an_exponent(x: float, text: str) -> None:
    from applc.targets.base import decimal_text

    assert decimal_text(x) == text


def test_whole_numbers() -> None:
    from applc.targets.base import is_whole

    assert is_whole(2) and is_whole(2.0) and is_whole(0)
    assert not is_whole(2.5) and not is_whole(None) and not is_whole(True)


@pytest.mark.parametrize(
    ("interval", "parts"),
    [
        ("T10M", {"Mi": 10.0}),
        ("1Y2M3W4DT5H6M7.5S", {"Y": 1, "Mo": 2, "W": 3, "D": 4, "H": 5, "Mi": 6, "S": 7.5}),
        ("2M", {"Mo": 2.0}),
        ("", None),
        ("T", None),
        ("P1D", None),  # PIVOT adds the P: this is `PP1D`
        ("1DT", None),
        ("1.5D", None),
        ("10m", None),
    ],
)
def test_iso_durations_chronos_accepts(interval: str, parts: dict | None) -> None:
    from applc.targets.base import iso_duration

    assert iso_duration(interval) == parts


@pytest.mark.parametrize(
    ("start", "ok"),
    [
        ("", True),
        ("2024-01-01T02:00", True),
        ("2024-01-01T02:00:00Z", True),
        ("2024-01-01T02:00:00.25+01:00", True),
        ("2024-01-01T02:00:00-0130", True),
        ("2024-01-01T02:00:00+01", True),
        ("2024-01-01", False),
        ("2024-01-01T02:00:00 ", False),
        ("now", False),
    ],
)
def test_start_times_chronos_accepts(start: str, ok: bool) -> None:
    from applc.targets.base import valid_start_time

    assert valid_start_time(start) is ok


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({}, None),
        ({"repeats": -1}, "`repeats` is -1; it must be 0 or more"),
        (
            {"repeats": 0, "start_time": "soon"},
            "`start_time` `soon` is not an ISO 8601 date and time",
        ),
        ({"interval": "PT1M"}, "`PPT1M` is not an ISO 8601 duration"),
    ],
)
def test_schedule_problems_chronos_would_refuse(raw: dict, problem: str | None) -> None:
    from applc.targets.base import chronos_schedule, schedule_problem

    c = _container(**raw)
    assert schedule_problem(c) == problem
    assert chronos_schedule(_container()) == "R1//P2M"  # PIVOT's defaults


@pytest.mark.parametrize(
    ("protocol", "protocols"),
    [("tcp", ["tcp"]), ("UDP", ["udp"]), ("udp,tcp", ["udp", "tcp"]), ("TCP, UDP", ["udp", "tcp"])],
)
def test_port_protocols(protocol: str, protocols: list[str]) -> None:
    from applc.targets.base import port_protocols

    app = _appliance(
        {"id": "c", "type": "service", "ports": [{"container_port": 1, "protocol": protocol}]}
    )
    assert port_protocols(app.by_id["c"].ports[0]) == protocols


def test_placement_is_the_most_specific_hint() -> None:
    from applc.targets.base import placement_choice

    def choice(placement: object) -> tuple[str, str] | None:
        return placement_choice(_container(schedule_hints={"placement": placement}))

    assert choice({"cloud": "aws", "region": "eu", "zone": "z", "host": "h"}) == ("host", "h")
    assert choice({"cloud": "aws", "region": "eu", "zone": "z"}) == ("zone", "z")
    assert choice({"cloud": "aws", "region": "eu"}) == ("region", "eu")
    assert choice({"cloud": "aws"}) == ("cloud", "aws")
    assert choice({"host": "", "zone": 7, "region": "eu"}) == ("region", "eu")
    assert choice({}) is None


def test_reachable_through_follows_only_what_it_is_told() -> None:
    from applc.targets.base import reachable_through

    app = _appliance(
        {"id": "db", "type": "service"},
        {"id": "cache", "type": "service"},
        {"id": "load", "type": "job", "dependencies": ["db", "load2"]},
        {"id": "load2", "type": "job", "dependencies": ["cache", "ghost", "load"]},
        {"id": "web", "type": "service", "dependencies": ["load", "db", "web", "ghost"]},
    )
    web = app.by_id["web"]
    # Through the jobs to the services behind them, each once, in the order found.
    assert reachable_through(app, web, lambda c: c.is_job) == ["db", "cache"]
    assert reachable_through(app, web, lambda c: False) == ["load", "db"]


def test_references_resolve_against_any_collection_of_known_ids() -> None:
    from applc.targets.base import resolve_container, resolve_text

    def naming(cid: str) -> str:
        return cid + ".svc"

    text = "@b @a @zz \\@a"
    for known in (["a", "b"], ("a", "b"), {"a": 1, "b": 2}, frozenset("ab")):
        assert resolve_text(text, naming, known) == "b.svc a.svc @zz @a"
    # An iterator is read once, whatever order the references come in.
    assert resolve_text(text, naming, iter(["a", "b"])) == "b.svc a.svc @zz @a"
    c = _container(
        cmd="run @b",
        args=["@a", 3],
        env={"X": "@b/@a", "N": 2, "x-applc-ignore": {"APL1": "r"}},
        health_check={"protocol": "COMMAND", "command": "ping @a"},
    )
    for known in (["a", "b"], iter(["a", "b"]), {"a": 0, "b": 0}):
        r = resolve_container(c, naming, known)
        assert (r.cmd, r.args, r.env, r.health_command) == (
            "run b.svc",
            ["a.svc", "3"],
            {"X": "b.svc/a.svc", "N": "2"},
            "ping a.svc",
        )


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"health_check": {"protocol": "HTTP", "path": "/", "port_index": 0}},
        {"health_check": {"protocol": "COMMAND"}},
    ],
)
def test_only_a_command_health_check_has_a_command(raw: dict) -> None:
    from applc.targets.base import resolve_container

    r = resolve_container(_container(**raw), str, [])
    assert (r.cmd, r.args, r.env, r.health_command) == (None, [], {}, None)


def test_mounted_volumes_are_the_declared_ones_mounted_as_persistent() -> None:
    from applc.targets.base import mounted_volumes

    app = _appliance(
        {
            "id": "a",
            "volumes": [
                # Host paths that happen to spell a declared volume's id.
                {"src": "logs", "dest": "/l", "type": "HOST"},
                {"host_path": "cache", "container_path": "/c"},
                {"src": "undeclared", "dest": "/u"},
            ],
        },
        {"id": "b", "volumes": [{"src": "data", "dest": "/d"}, {"src": "cache", "dest": "/c"}]},
        {"id": "c", "volumes": [{"src": "data", "dest": "/e"}]},
        data_persistence={"volumes": [{"id": "cache"}, {"id": "logs"}, {"id": "data"}]},
    )
    got = mounted_volumes(app)
    assert list(got) == ["data", "cache"]
    assert [v.id for v in got.values()] == ["data", "cache"]
    assert mounted_volumes(_appliance({"id": "a", "volumes": [{"src": "x", "dest": "/x"}]})) == {}


def test_values_are_the_strings_a_container_sees() -> None:
    from applc.targets.base import value_text

    assert value_text("x") == "x"
    assert value_text(1247) == "1247"
    assert value_text(True) == "true"
    assert value_text(None) == "null"
    assert value_text(1.5) == "1.5"
    assert value_text("é") == "é"
    assert value_text(["é"]) == '["é"]'


# --------------------------------------------------------------------------- registry


def _plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: str, **eps: str) -> None:
    """Entry points of the group `applc.targets`, as an installed package declares them."""
    from importlib import metadata

    (tmp_path / "applc_plugin_mod.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    real = metadata.entry_points
    found = [metadata.EntryPoint(n, v, "applc.targets") for n, v in eps.items()]

    def entry_points(**kwargs: object) -> object:
        return found if kwargs.get("group") == "applc.targets" else real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(metadata, "entry_points", entry_points)


PLUGIN_CODE = """
from applc.targets.base import Target

class Broken(Target):
    name = "t-broken-checks"
    def checks(self):
        raise RuntimeError("boom")

NOT_A_TARGET = object()
"""


def test_an_unknown_target_is_named_with_a_suggestion(tmp_path: Path) -> None:
    src = GOLDEN / "rich.appliance.json"
    run = run_cli(["build", str(src), "-t", "kuberentes", "-o", str(tmp_path / "o")])
    assert run.code == 2
    assert run.stderr == (
        "applc: error: unknown target `kuberentes` (did you mean `kubernetes`?); "
        "choose from marathon, compose, kubernetes\n"
    )
    run = run_cli(["build", str(src), "-t", "zzz", "-o", str(tmp_path / "o")])
    assert run.stderr == (
        "applc: error: unknown target `zzz`; choose from marathon, compose, kubernetes\n"
    )


def test_plug_in_targets_that_cannot_load_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from applc.targets.registry import TargetError, load_target, target_checks, target_names

    _plugins(
        monkeypatch,
        tmp_path,
        PLUGIN_CODE,
        **{
            "t-missing": "applc_plugin_nowhere:X",
            "t-odd": "applc_plugin_mod:NOT_A_TARGET",
            "t-broken-checks": "applc_plugin_mod:Broken",
            "compose": "applc_plugin_mod:Broken",  # a built-in name is not listed twice
        },
    )
    assert target_names() == [
        "marathon",
        "compose",
        "kubernetes",
        "t-missing",
        "t-odd",
        "t-broken-checks",
    ]
    with pytest.raises(TargetError) as info:
        load_target("t-missing")
    assert str(info.value) == (
        "target `t-missing` could not be loaded: ModuleNotFoundError: "
        "No module named 'applc_plugin_nowhere'"
    )
    with pytest.raises(TargetError) as info:
        load_target("t-odd")
    assert str(info.value) == "target `t-odd` does not provide an applc.targets.base.Target"
    with pytest.raises(TargetError) as info:
        target_checks("t-broken-checks")
    assert (
        str(info.value) == "target `t-broken-checks` could not give its checks: RuntimeError: boom"
    )
    with pytest.raises(TargetError, match="does not provide"):
        target_checks("t-odd")  # a TargetError passes through as it is


def test_a_broken_package_never_stops_listing_the_built_in_targets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from importlib import metadata

    from applc.targets.registry import target_names

    def broken(**kwargs: object) -> object:
        raise RuntimeError("a broken distribution")

    monkeypatch.setattr(metadata, "entry_points", broken)
    assert target_names() == ["marathon", "compose", "kubernetes"]


def test_the_templates_are_the_top_level_targets_folder_of_a_checkout() -> None:
    from applc.targets.base import TargetOptions
    from applc.targets.registry import load_target, templates_root

    # The suite runs from a checkout, which has no `applc/_data` (only the wheel does).
    assert templates_root() == Path(__file__).resolve().parents[1] / "targets"
    assert load_target("compose").template_dir() == templates_root() / "compose"
    assert TargetOptions().namespace is None


@pytest.mark.parametrize(
    ("module", "function", "folder"),
    [
        ("applc.targets.validate", "schemas_root", "schemas"),
        ("applc.targets.registry", "templates_root", "targets"),
    ],
)
def test_data_comes_from_the_wheel_when_installed_else_from_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, function: str, folder: str
) -> None:
    """An installed wheel has `applc/_data/<folder>`; a checkout has `<folder>/` beside
    `applc/`. The module is made to live in a tree of the test's own."""
    import importlib

    mod = importlib.import_module(module)
    tree = tmp_path / "site"
    monkeypatch.setattr(mod, "__file__", str(tree / "applc" / "targets" / "x.py"))
    assert getattr(mod, function)() == tree / folder  # no wheel data: the checkout's
    (tree / "applc" / "_data" / folder).mkdir(parents=True)
    assert getattr(mod, function)() == tree / "applc" / "_data" / folder


def test_the_built_in_targets_register_their_rules() -> None:
    from applc.rules.registry import RULES
    from applc.targets.registry import import_builtin_checks

    import_builtin_checks()
    assert {"APL402", "APL403", "APL404", "APL405", "APL406", "APL407", "APL410"} <= set(RULES)


def test_compose_references_across_the_host_network() -> None:
    app = _appliance(
        {"id": "hostsvc", "type": "service", "network_mode": "HOST"},
        {"id": "b", "type": "service", "network_mode": "BRIDGE"},
        {"id": "c", "type": "service", "network_mode": "BRIDGE", "cmd": "x @ghost @hostsvc @b"},
        {"id": "h2", "type": "service", "network_mode": "HOST", "env": {"A": "@ghost @b @hostsvc"}},
    )
    by = app.by_id
    # `target`: the other runs on the host network; `source`: this one does.
    assert compose.host_network_references(app, by["c"]) == [("hostsvc", "target")]
    assert compose.host_network_references(app, by["h2"]) == [
        ("b", "source"),
        ("hostsvc", "target"),
    ]
    assert compose.host_network_references(app, by["b"]) == []


def test_compose_depends_on_only_other_known_containers() -> None:
    app = _appliance(
        {"id": "db", "type": "service"},
        {"id": "web", "type": "service", "dependencies": ["web", "ghost", "db"]},
    )
    web = app.by_id["web"]
    view = compose.TARGET._service(app, web, compose.naming_for(app))
    assert view["depends_on"] == {"db": "service_started"}


def test_compose_writes_no_resources_or_job_health_checks_it_was_not_given() -> None:
    app = _appliance(
        {"id": "bare", "type": "service"},
        {"id": "part", "type": "service", "resources": {"disk": 10}},
        {
            "id": "job",
            "type": "job",
            "resources": {"cpus": 1, "mem": 64, "gpu": 0},
            "ports": [{"container_port": 80}],
            "health_check": {"protocol": "TCP", "port_index": 0},
        },
    )
    naming = compose.naming_for(app)
    views = {c.id: compose.TARGET._service(app, c, naming) for c in app.containers}
    for cid in ("bare", "part"):
        assert (views[cid]["cpus"], views[cid]["memory"], views[cid]["gpus"]) == (None, None, None)
    assert views["job"]["healthcheck"] is None  # compose checks services only
    assert (views["job"]["cpus"], views["job"]["memory"], views["job"]["gpus"]) == (1, "64M", None)


def test_a_start_time_without_an_offset_is_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        got = k8s._start(_container(start_time="2024-01-01T02:00:00"))
        assert got == datetime(2024, 1, 1, 2, 0, tzinfo=UTC)
        assert got is not None and got.utcoffset() == timedelta(0)
        aware = k8s._start(_container(start_time="2024-01-01T03:30:00+01:00"))
        assert aware is not None and aware.utcoffset() == timedelta(0)
        assert k8s.cron_schedule(_container(interval="1D", start_time="2024-01-01T02:10:00")) == (
            "10 2 * * *",
            None,
        )
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_compose_volumes_and_health_checks_in_their_corners() -> None:
    app = _appliance(
        {
            "id": "db",
            "type": "service",
            "ports": [{"container_port": 5432}],
            "volumes": [
                {"container_path": "/x", "mode": "RO"},  # no host path: left out
                {"container_path": "/data", "host_path": "/srv/data", "mode": "RW"},
            ],
            "health_check": {
                "protocol": "HTTPS",
                "path": "/up",
                "port_index": 0,
                "interval_seconds": 0,
                "timeout_seconds": 0,
                "max_consecutive_failures": 0,
                "grace_period_seconds": -5,
            },
        },
        {
            "id": "cmd",
            "type": "service",
            "health_check": {"protocol": "COMMAND", "command": "true"},
        },
        {
            "id": "off",
            "type": "service",
            "ports": [{"container_port": 80}],
            "health_check": {"protocol": "TCP", "port_index": 1},
        },
        {"id": "web", "type": "service", "dependencies": ["cmd", "off"]},
    )
    naming = compose.naming_for(app)
    views = {c.id: compose.TARGET._service(app, c, naming) for c in app.containers}
    assert views["db"]["volumes"] == [
        {"type": "bind", "source": "/srv/data", "target": "/data", "read_only": None}
    ]
    hc = views["db"]["healthcheck"]
    assert (hc["interval"], hc["timeout"], hc["retries"], hc["start_period"]) == (
        "1s",
        "1s",
        1,
        "0s",
    )
    assert hc["test"][1].startswith(
        "if command -v curl >/dev/null 2>&1; then exec curl -fsSk -o /dev/null "
        "https://127.0.0.1:5432/up; fi;"
    )
    assert views["off"]["healthcheck"] is None  # port_index past the ports
    # A COMMAND check makes its dependents wait until it passes; no check, until it starts.
    assert views["web"]["depends_on"] == {"cmd": "service_healthy", "off": "service_started"}


def test_marathon_views_in_their_corners() -> None:
    from applc.targets.marathon import adapter as marathon

    dp = {"volumes": [{"id": "pv"}, {"id": "gv", "scope": "global"}]}
    app = _appliance(
        {
            "id": "gpu",
            "type": "service",
            "network_mode": "BRIDGE",
            "is_privileged": True,  # keeps it on Docker, which cannot give it its GPU
            "resources": {"cpus": 1, "mem": 128, "gpu": 1},
            "volumes": [
                {"container_path": "/legacy", "host_path": "/srv/legacy", "mode": "RW"},
                {"src": "/srv/h", "dest": "/h", "type": "HOST"},
                {"src": "ghost", "dest": "/ghost"},
                {"src": "pv"},  # no mount point
                {"src": "pv", "dest": "/pv"},
                {"src": "gv", "dest": "/gv"},
                {"dest": "/nothing", "type": "HOST"},
                {"src": "/srv/last", "dest": "/last", "type": "HOST"},
            ],
            "health_check": {"protocol": "HTTPS", "path": "/up", "port_index": 0},
            "ports": [{"container_port": 443}],
        },
        {"id": "bare", "type": "service", "network_mode": "NONSENSE"},
        {"id": "job", "type": "job"},
        data_persistence=dp,
    )
    naming = marathon.TARGET.naming(app, marathon.TargetOptions())
    view = marathon.TARGET._app(app, app.by_id["gpu"], naming)
    assert (view["gpus"], view["container_type"]) == (0, "DOCKER")
    assert marathon.persistent_mounts(app, app.by_id["gpu"]) == [("app-pv", "/pv"), ("gv", "/gv")]
    assert view["host_volumes"] == [
        {"container_path": "/legacy", "host_path": "/srv/legacy", "mode": "RW"},
        {"container_path": "/h", "host_path": "/srv/h", "mode": "RW"},
        {"container_path": "/last", "host_path": "/srv/last", "mode": "RW"},
    ]
    (check,) = view["health_checks"]
    assert (check["protocol"], check["path"], check["port_index"]) == ("HTTPS", "/up", 0)
    bare = marathon.TARGET._app(app, app.by_id["bare"], naming)
    assert (bare["cpus"], bare["mem"], bare["disk"], bare["network"]) == (None, None, None, "host")
    job = marathon.TARGET._job(app, app.by_id["job"], naming)
    assert (job["cpus"], job["mem"], job["disk"], job["arguments"]) == (None, None, None, None)


def test_a_plugin_entry_point_may_name_a_module_that_holds_its_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A plug-in's entry point names a Target instance, a Target class, or a module with
    # a TARGET attribute (docs/targets.md, "A target of your own").
    import types

    from applc.targets import registry

    class Mine(Target):
        name = "mine"

    found = Mine()
    with_target = types.ModuleType("mine_target")
    with_target.TARGET = found  # type: ignore[attr-defined]
    without = types.ModuleType("not_a_target")
    given = {"mine": with_target, "other": without, "cls": Mine}
    monkeypatch.setattr(registry, "_entry_point", lambda name: given[name])
    registry.load_target.cache_clear()
    try:
        assert registry.load_target("mine") is found
        assert isinstance(registry.load_target("cls"), Mine)
        with pytest.raises(registry.TargetError) as err:
            registry.load_target("other")
        assert str(err.value) == ("target `other` does not provide an applc.targets.base.Target")
    finally:
        registry.load_target.cache_clear()
