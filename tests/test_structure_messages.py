"""What the structure check (APL101, APL102) says about containers and volumes, written
out by hand: the names it gives a container, and the two volume forms mixed."""

from __future__ import annotations

import json

from applc.config import Settings
from applc.frontends.json_loader import load_json_text
from applc.lint import lint_document


def _lint(containers: list[dict[str, object]]) -> list[tuple[str, int, str]]:
    text = json.dumps({"id": "shop", "containers": containers}, indent=2)
    found = lint_document(load_json_text("shop.json", text), Settings())
    return [(d.code, d.span.line, d.message) for d in found if d.code in ("APL101", "APL102")]


def test_a_container_is_named_by_its_id() -> None:
    web = {"id": "web", "type": "service", "imgae": "nginx:1.25", "resources": {"cpus": 1}}
    web["resources"] = {"cpus": 1, "mem": 64}
    assert _lint([web]) == [
        ("APL101", 5, "container `web` is missing the required field `image`"),
        ("APL102", 7, "unknown field `imgae` in container `web`"),
    ]


def test_a_container_without_a_string_id_is_a_container() -> None:
    anon = {"id": 7, "type": "job", "image": "busybox:1.36", "cmd": "true", "colour": "red"}
    assert _lint([anon]) == [
        ("APL101", 4, "container is missing the required field `resources`"),
        ("APL102", 9, "unknown field `colour` in container"),
    ]


def test_volumes_mixing_the_two_forms_are_told_which_key_is_foreign() -> None:
    # Any key of the legacy form makes a volume legacy; the keys of the other form are
    # then reported one by one, and the volume is checked without them.
    db = {
        "id": "db",
        "type": "service",
        "image": "postgres:15.4",
        "resources": {"cpus": 1, "mem": 512},
        "volumes": [
            {"container_path": "/data", "host_path": "/srv/db", "mode": "RW", "dest": "/x"},
            {"src": "/srv/logs", "dest": "/logs", "type": "HOST", "host_path": "/y"},
            {"src": "/srv/ok", "dest": "/ok", "type": "HOST"},
            {"container_path": "/a", "host_path": "/b", "mode": "RO", "colour": "red"},
        ],
    }
    to_legacy = "belongs to the current volume form, but this volume uses the legacy form"
    assert _lint([db]) == [
        ("APL102", 17, f"`dest` {to_legacy}"),
        ("APL101", 19, "volume is missing the required field `container_path`"),
        ("APL102", 20, f"`src` {to_legacy}"),
        ("APL102", 21, f"`dest` {to_legacy}"),
        ("APL102", 22, f"`type` {to_legacy}"),
        ("APL102", 34, "unknown field `colour` in volume"),
    ]


def test_a_current_volume_with_a_legacy_key_is_a_legacy_one() -> None:
    only = {"id": "db", "type": "service", "image": "postgres:15.4"}
    only["resources"] = {"cpus": 1, "mem": 512}
    only["volumes"] = [{"src": "/srv", "dest": "/d", "mode": "RW"}]
    assert [m for _, _, m in _lint([only])] == [
        "volume is missing the required field `container_path`",
        "volume is missing the required field `host_path`",
        "`src` belongs to the current volume form, but this volume uses the legacy form",
        "`dest` belongs to the current volume form, but this volume uses the legacy form",
    ]
