"""What keeps a build's memory near the size of its output (issue 13): the Marathon
templates write each app and job as it is made, so the views of the whole appliance are
never held at once. Checked by what the render holds (tracemalloc, relative to the
output's own size), not by timing."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

from applc.inputs import parse_document
from applc.targets.base import TargetOptions
from applc.targets.registry import load_target
from applc.targets.render import render_outputs


def _appliance(n: int, *, jobs: bool = True, services: bool = True, **env: str) -> Any:
    containers: list[dict[str, Any]] = []
    for i in range(n):
        kind = "job" if (i % 5 == 4 and jobs) or not services else "service"
        c: dict[str, Any] = {
            "id": f"c{i}",
            "type": kind,
            "image": "busybox:1.36",
            "resources": {"cpus": 0.1, "mem": 128},
            "args": ["--peer", f"@c{max(i - 1, 0)}"],
            "env": {"MODE": "x", **env},
        }
        if kind == "service":
            c["ports"] = [{"container_port": 8000 + i}]
        containers.append(c)
    text = json.dumps({"id": "big", "containers": containers}, indent=2)
    return parse_document("big.appliance.json", text.encode("utf-8", "surrogatepass")).appliance


def _render(app: Any) -> dict[str, str]:
    return dict(render_outputs(load_target("marathon"), app, TargetOptions()))


def test_a_marathon_render_holds_little_more_than_its_output() -> None:
    app = _appliance(3000)
    _render(_appliance(5))  # templates compiled and cached outside the measurement
    tracemalloc.start()
    try:
        out = _render(app)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = sum(len(text) for text in out.values())
    # The text itself, its pieces while they are joined, and one app's views: holding
    # every app's dicts before writing any (as the template once did) is 5x and more.
    assert peak < 3 * size, (peak, size)


def test_apps_and_jobs_written_one_at_a_time_read_as_one_indented_document() -> None:
    for app in (
        _appliance(12),
        _appliance(3, jobs=False),
        _appliance(3, services=False),
        _appliance(3, NAME="café"),
    ):
        for name, text in _render(app).items():
            # json.dumps is the independent reading of "the document, indented by 2".
            assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
            assert name.endswith(".json")
    only_jobs = _render(_appliance(3, services=False))
    assert json.loads(only_jobs["big.marathon.json"])["apps"] == []
    assert len(json.loads(only_jobs["big.chronos.json"])) == 3


def test_a_lone_surrogate_anywhere_makes_the_whole_file_ascii() -> None:
    app = _appliance(6, NAME="café", BAD="\ud800")
    for text in _render(app).values():
        assert text.isascii()
        assert "\\ud800" in text and "caf\\u00e9" in text
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
