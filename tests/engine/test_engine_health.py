"""Health checks of every protocol gate `depends_on` on a real engine, in images that
have only busybox, only bash, only curl or only wget (tests/support/engine.py).

Compose runs a health check inside the container, so the check applc writes must work
with whatever common tool the image has; Marathon and Kubernetes probe from outside.
Each case checks what the engine recorded: the health status, the check's own output,
and whether the dependant ever started.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.engine import SERVER, TLS, health_log

pytestmark = pytest.mark.engine

IMAGES = {
    "busybox": "applc-test/busybox-tls:1",
    "bash": "applc-test/bash-tls:1",
    "curl": "applc-test/curl-tls:1",
    "wget": "applc-test/wget-tls:1",
}
# The busybox image has its tools on PATH; the others keep busybox off PATH, for the
# servers only.
BOX = {"busybox": "", "bash": SERVER + " ", "curl": SERVER + " ", "wget": SERVER + " "}

# busybox's TLS client offers only signature algorithms OpenSSL 3 refuses at its default
# security level, so the test's HTTPS server lowers it (a real server usually accepts them).
HTTPS_SERVER = (
    f"/opt/standin/openssl s_server -quiet -no_tls1_3 -cipher DEFAULT:\\@SECLEVEL=0 "
    f"-accept 8443 -www -cert {TLS}/cert.pem -key {TLS}/key.pem"
)


def timestamp(text: str) -> datetime:
    """Docker's RFC 3339 time with nanoseconds, to the microsecond."""
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}")


def check(protocol: str, **extra: Any) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "interval_seconds": 1,
        "timeout_seconds": 5,
        "max_consecutive_failures": 3,
        "grace_period_seconds": 0,
        **extra,
    }


def service(cid: str, image: str, cmd: str, port: int | None, hc: dict[str, Any]) -> dict:
    doc: dict[str, Any] = {
        "id": cid,
        "type": "service",
        "image": image,
        "force_pull_image": False,
        "resources": {"cpus": 0.1, "mem": 64},
        "network_mode": "container",
        "cmd": cmd,
        "health_check": hc,
    }
    if port is not None:
        doc["ports"] = [{"container_port": port, "host_port": 0, "protocol": "tcp"}]
    return doc


def http_server(tool: str, port: int) -> str:
    b = BOX[tool]
    return f"{b}mkdir -p /www && echo ok > /www/health && exec {b}httpd -f -p {port} -h /www"


def job(cid: str, deps: list[str]) -> dict[str, Any]:
    return {
        "id": cid,
        "type": "job",
        "image": "applc-test/busybox:1",
        "force_pull_image": False,
        "resources": {"cpus": 0.1, "mem": 32},
        "network_mode": "bridge",
        "cmd": "echo dependencies healthy",
        "dependencies": deps,
    }


def healthy_cases() -> list[dict[str, Any]]:
    out = []
    for tool, image in IMAGES.items():
        out.append(
            service(
                f"http-{tool}", image, http_server(tool, 8080), 8080, check("HTTP", path="/health")
            )
        )
        out.append(
            service(
                f"mesos-http-{tool}",
                image,
                http_server(tool, 8081),
                8081,
                # A path without its leading `/` is APL104 now: Marathon refuses it.
                check("MESOS_HTTP", path="/health"),
            )
        )
        # A server that says nothing until asked (httpd waits for a request): a plain
        # `nc` connect would hang on it.
        out.append(service(f"tcp-{tool}", image, http_server(tool, 7000), 7000, check("MESOS_TCP")))
        out.append(
            service(
                f"cmd-{tool}",
                image,
                ": > /tmp/ready && exec " + f"{BOX[tool]}sleep 600",
                None,
                check("COMMAND", command="[ -f /tmp/ready ]"),
            )
        )
        if tool != "bash":  # bash has no TLS: see test_checks_that_cannot_pass
            out.append(
                service(f"https-{tool}", image, f"exec {HTTPS_SERVER}", 8443, check("HTTPS"))
            )
    return out


def test_every_protocol_goes_healthy_in_every_image_and_gates_its_dependants(project):
    services = healthy_cases()
    ids = [s["id"] for s in services]
    doc = {"id": "health", "containers": [*services, job("after", ids)]}
    p = project(doc)
    # `up --detach` starts each container once its dependencies' conditions hold. (With
    # `--wait` compose would count the job's exit, even 0, as a failure.)
    p.compose("up", "--detach", timeout=240, check=True)
    after = p.wait_exited("after")
    assert after["State"]["ExitCode"] == 0
    assert "dependencies healthy" in p.logs("after")
    started = timestamp(after["State"]["StartedAt"])
    for cid in ids:
        c = p.container(cid)
        assert c["State"]["Health"]["Status"] == "healthy", (cid, health_log(c))
        assert any(e["ExitCode"] == 0 for e in c["State"]["Health"]["Log"])
        # The engine runs the first check one interval (1 s) after the start: the job
        # started after that, so it waited for the check.
        assert started - timestamp(c["State"]["StartedAt"]) >= timedelta(seconds=1), cid


def test_checks_that_cannot_pass_keep_dependants_from_starting(project):
    services = [
        # Nothing listens on the checked port (the server is on 7001).
        service("tcp-closed", IMAGES["busybox"], http_server("busybox", 7001), 7000, check("TCP")),
        service(
            "tcp-closed-dash", IMAGES["curl"], http_server("curl", 7001), 7000, check("MESOS_TCP")
        ),
        # The path is missing: 404.
        service(
            "http-404-wget",
            IMAGES["busybox"],
            http_server("busybox", 8080),
            8080,
            check("HTTP", path="/missing"),
        ),
        service(
            "http-404-curl",
            IMAGES["curl"],
            http_server("curl", 8080),
            8080,
            check("HTTP", path="/missing"),
        ),
        service(
            "http-404-bash",
            IMAGES["bash"],
            http_server("bash", 8080),
            8080,
            check("HTTP", path="/missing"),
        ),
        # bash alone cannot speak TLS: the check says what the image lacks.
        service("https-bash", IMAGES["bash"], f"exec {HTTPS_SERVER}", 8443, check("HTTPS")),
        service(
            "cmd-false",
            IMAGES["busybox"],
            "exec sleep 600",
            None,
            check("COMMAND", command="[ -f /tmp/never ]"),
        ),
    ]
    deps = [job(f"after-{s['id']}", [s["id"]]) for s in services]
    p = project({"id": "unhealthy", "containers": [*services, *deps]})
    result = p.compose("up", "--detach", "--wait", "--wait-timeout", "60", timeout=180)
    assert result.code != 0
    for s in services:
        c = p.container(s["id"])
        assert c["State"]["Health"]["Status"] == "unhealthy", (s["id"], health_log(c))
        dependant = p.container(f"after-{s['id']}")
        assert dependant["State"]["StartedAt"].startswith("0001-"), s["id"]
        assert dependant["State"]["Status"] == "created"
    logs = {s["id"]: health_log(p.container(s["id"])) for s in services}
    assert "nothing listens on TCP port 7000" in logs["tcp-closed"]
    assert "nothing listens on TCP port 7000" in logs["tcp-closed-dash"]
    assert "404" in logs["http-404-wget"]
    assert "404" in logs["http-404-curl"]
    assert "HTTP status 404" in logs["http-404-bash"]
    assert "the HTTPS health check needs curl or wget in the image" in logs["https-bash"]
