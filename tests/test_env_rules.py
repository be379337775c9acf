"""APL114 (invalid environment variable names) and APL248 (empty values), written out by
hand: which keys and values are told, in which container, at which line."""

from __future__ import annotations

import json
from typing import Any

from applc.config import Settings
from applc.frontends.json_loader import load_json_text
from applc.lint import lint_document


def _found(env_by_id: dict[str, dict[str, Any]], code: str) -> list[tuple[int, str]]:
    containers = [
        {
            "id": cid,
            "type": "service",
            "image": "busybox:1.36",
            "resources": {"cpus": 1, "mem": 64},
            "env": env,
        }
        for cid, env in env_by_id.items()
    ]
    text = json.dumps({"id": "shop", "containers": containers}, indent=2)
    lines = text.splitlines()
    found = lint_document(load_json_text("shop.json", text), Settings())
    return [(d.span.line, lines[d.span.line - 1].strip()) for d in found if d.code == code]


def test_names_that_are_empty_or_hold_an_equals_sign_are_invalid() -> None:
    envs = {
        "a": {"GOOD": "1", "A=B": "2", "": "3", "x-applc-ignore": [], "$schema": "s"},
        "b": {"ALSO_GOOD": "1", "LATE=": "x"},
        "c": {"FINE": "1"},
        "d": {},
    }
    assert _found(envs, "APL114") == [
        (14, '"A=B": "2",'),
        (15, '"": "3",'),
        (30, '"LATE=": "x"'),
    ]


def test_only_empty_values_are_told_empty() -> None:
    envs = {
        "a": {"A": "", "B": " ", "C": 0, "D": False, "E": None},
        "b": {"F": "x", "G": ""},
        "c": {"H": []},
    }
    assert _found(envs, "APL248") == [(13, '"A": "",'), (30, '"G": ""')]
