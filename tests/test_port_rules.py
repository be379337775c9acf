"""APL222 and APL223 (ports listed twice, host ports bound twice), written out by hand:
the messages, the lines they point at and the lines of their labels."""

from __future__ import annotations

import json
from typing import Any

from applc.config import Settings
from applc.frontends.json_loader import load_json_text
from applc.lint import lint_document


def _found(containers: list[dict[str, Any]], code: str) -> list[tuple[str, str, list[str]]]:
    value = {"id": "shop", "containers": containers}
    text = json.dumps(value, indent=None, separators=(",", ":")).replace("{", "\n{")
    lines = text.splitlines()
    found = lint_document(load_json_text("shop.json", text), Settings())
    out = []
    for d in found:
        if d.code == code:
            labels = [lines[lb.span.line - 1] for lb in d.labels]
            out.append((d.message, lines[d.span.line - 1], labels))
    return out


def _svc(cid: str, ports: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "type": "service",
        "image": "busybox:1.36",
        "resources": {"cpus": 1, "mem": 64},
        "ports": ports,
        **extra,
    }


def test_a_port_listed_twice_points_at_the_second_with_the_first_as_label() -> None:
    web = _svc(
        "web",
        [
            {"container_port": 80, "protocol": "tcp", "name": "first"},
            {"container_port": 81, "name": "other"},
            {"container_port": 80, "protocol": "udp,tcp", "name": "again"},
        ],
    )
    assert _found([web], "APL222") == [
        (
            "container port 80/tcp is listed twice in `web`",
            '{"container_port":80,"protocol":"udp,tcp","name":"again"}]}]}',
            ['{"container_port":80,"protocol":"tcp","name":"first"},'],
        )
    ]


def test_a_host_port_bound_by_two_containers_names_the_first() -> None:
    # `b` clashes with `a` on 8080/tcp (told once for the entry) and still binds
    # 8080/udp, on which `c` then clashes with it.
    a = _svc("a", [{"container_port": 80, "host_port": 8080, "name": "a-http"}])
    a["network_mode"] = "BRIDGE"
    b = _svc("b", [{"container_port": 8080, "protocol": "tcp,udp", "name": "b-http"}])
    c = _svc("c", [{"container_port": 9000, "host_port": 8080, "protocol": "udp", "name": "c"}])
    c["network_mode"] = "BRIDGE"
    assert _found([a, b, c], "APL223") == [
        (
            "host port 8080/tcp is also bound by `a`",
            '{"container_port":8080,"protocol":"tcp,udp","name":"b-http"}]},',
            ['{"container_port":80,"host_port":8080,"name":"a-http"}],"network_mode":"BRIDGE"},'],
        ),
        (
            "host port 8080/udp is also bound by `b`",
            '{"container_port":9000,"host_port":8080,"protocol":"udp","name":"c"}],'
            '"network_mode":"BRIDGE"}]}',
            ['{"container_port":8080,"protocol":"tcp,udp","name":"b-http"}]},'],
        ),
    ]


def test_instances_of_one_service_on_a_fixed_port() -> None:
    s = _svc("s", [{"container_port": 80, "host_port": 0}], instances=3)
    assert _found([s], "APL223") == [
        (
            "3 instances of `s` all bind host port 80",
            '{"container_port":80,"host_port":0}],"instances":3}]}',
            [],
        )
    ]


def test_after_a_clash_an_entrys_other_protocols_still_count() -> None:
    web = _svc(
        "web",
        [
            {"container_port": 80, "name": "one"},
            {"container_port": 80, "protocol": "tcp,udp", "name": "two"},
            {"container_port": 80, "protocol": "udp", "name": "three"},
        ],
    )
    assert _found([web], "APL222") == [
        (
            "container port 80/tcp is listed twice in `web`",
            '{"container_port":80,"protocol":"tcp,udp","name":"two"},',
            ['{"container_port":80,"name":"one"},'],
        ),
        (
            "container port 80/udp is listed twice in `web`",
            '{"container_port":80,"protocol":"udp","name":"three"}]}]}',
            ['{"container_port":80,"protocol":"tcp,udp","name":"two"},'],
        ),
    ]
