"""What keeps a build's memory near the size of its input (issue 13): the Marathon
templates write each app and job as it is made, so the views of the whole appliance are
never held at once, and the build streams each output into its file (applc/build.py),
so the output text is never held whole. Checked by what the build holds (tracemalloc,
relative to the output's own size), not by timing."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from applc.build import compile_paths, write_outputs
from applc.config import ConfigCache
from applc.inputs import parse_document
from applc.targets.base import TargetOptions
from applc.targets.registry import load_target
from applc.targets.render import render_outputs


def _value(n: int, *, jobs: bool = True, services: bool = True, **env: str) -> dict[str, Any]:
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
    return {"id": "big", "containers": containers}


def _appliance(n: int, *, jobs: bool = True, services: bool = True, **env: str) -> Any:
    text = json.dumps(_value(n, jobs=jobs, services=services, **env), indent=2)
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


def _write_peak(src: Path, out: Path, target: str) -> tuple[list[str], int, int, Any]:
    """A build of `src` into `out` as the CLI makes it (compile, then write): what the
    write changed, its tracemalloc peak, the size of what it wrote, and the build."""
    result = compile_paths([str(src)], ConfigCache(None, {}), target, out_dir=out)
    assert not result.refused
    tracemalloc.start()
    try:
        done = write_outputs(out, result)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = sum(p.stat().st_size for p in out.iterdir() if not p.name.startswith("."))
    return [c.kind for c in done], peak, size, result


@pytest.mark.parametrize("target", ["marathon", "kubernetes"])
def test_a_build_streams_its_outputs_and_never_holds_their_text(
    target: str, tmp_path: Path
) -> None:
    """Writing, rewriting and finding up to date: the build renders each output into its
    file a block at a time, and compares it with the file there the same way, so the
    whole text is never in memory (a build that held it, even once, peaked at the
    output's size; one that compared it with the old text, at twice that)."""
    src = tmp_path / "big.appliance.json"
    src.write_text(json.dumps(_value(1500), indent=2), encoding="utf-8")
    small = tmp_path / "small.appliance.json"
    small.write_text(json.dumps(_value(3)), encoding="utf-8")
    # Jinja imported and the templates compiled outside the measurement.
    _write_peak(small, tmp_path / "warm", target)
    out = tmp_path / "out"

    done, peak, size, result = _write_peak(src, out, target)
    assert done and set(done) == {"create"}
    assert peak < size / 4, (peak, size)
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    # The bytes are the ones the whole-text rendering gives.
    for o in result.outputs:
        assert written[o.name] == o.file.text().encode("utf-8")

    done, peak, _, _ = _write_peak(src, out, target)
    assert done == []  # up to date: only read
    assert peak < size / 4, (peak, size)

    for p in out.iterdir():
        if not p.name.startswith("."):
            p.write_bytes(p.read_bytes()[:-10] + b"0123456789")
    done, peak, _, _ = _write_peak(src, out, target)
    assert done and set(done) == {"update"}
    assert peak < size / 4, (peak, size)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written


def _marathon_build(src: Path, out: Path, **overrides: Any) -> Any:
    result = compile_paths([str(src)], ConfigCache(None, overrides), "marathon", out_dir=out)
    assert not result.refused
    return result


def test_a_lone_surrogate_found_late_starts_the_streamed_file_again_in_ascii(
    tmp_path: Path,
) -> None:
    """The file was already being written (and compared) block by block when the last
    app turned out to need ASCII: the staged file starts again, whatever was there.
    (Lint refuses the surrogate, APL112, unless told to ignore it.)"""
    value = _value(400, NAME="café")
    value["containers"][-2]["env"]["BAD"] = "\ud800"
    src = tmp_path / "big.appliance.json"
    src.write_bytes(json.dumps(value, indent=2).encode("utf-8", "surrogatepass"))
    out = tmp_path / "out"
    group = out / "big.marathon.json"
    for before in (None, "same start", "ascii already"):
        if before == "same start":
            # What the build would write in UTF-8: equal for many blocks, then not.
            utf8 = json.dumps(json.loads(group.read_text()), indent=2, ensure_ascii=False)
            group.write_bytes(utf8.encode("utf-8", "surrogatepass"))
        result = _marathon_build(src, out, ignore=("APL112",))
        done = write_outputs(out, result)
        text = group.read_text(encoding="ascii")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
        assert "caf\\u00e9" in text and "\\ud800" in text
        assert len(text) > 4 * 65536  # more than a few blocks before the surrogate
        if before == "ascii already":
            assert done == []
        assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".bak"))]


@pytest.mark.parametrize(
    "old",
    [
        lambda t: t + b"\n",  # the new text is a prefix of the old file
        lambda t: t[:-1],  # the old file is a prefix of the new text
        lambda t: t[: len(t) // 2] + b"X" + t[len(t) // 2 + 1 :],  # one byte, far in
        lambda t: b"",
    ],
)
def test_the_streamed_comparison_finds_every_difference(old: Any, tmp_path: Path) -> None:
    src = tmp_path / "big.appliance.json"
    src.write_text(json.dumps(_value(300)), encoding="utf-8")
    out = tmp_path / "out"
    write_outputs(out, _marathon_build(src, out))
    group = out / "big.marathon.json"
    right = group.read_bytes()
    assert len(right) > 3 * 65536
    group.write_bytes(old(right))
    done = write_outputs(out, _marathon_build(src, out))
    assert [(c.name, c.kind) for c in done] == [("big.marathon.json", "update")]
    assert group.read_bytes() == right
    assert write_outputs(out, _marathon_build(src, out)) == []


def test_a_failed_write_into_a_new_folder_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "big.appliance.json"
    src.write_text(json.dumps(_value(5)), encoding="utf-8")
    out = tmp_path / "new" / "out"
    result = _marathon_build(src, out)
    real = os.replace

    def failing(a: Any, b: Any) -> None:
        if Path(b).name == "big.chronos.json":
            raise OSError(28, "No space left on device")
        real(a, b)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="No space"):
        write_outputs(out, result)
    assert not (tmp_path / "new").exists()


def test_a_build_renders_without_the_index_that_placed_its_findings(tmp_path: Path) -> None:
    # Placing thousands of findings reads most of the document's objects into the
    # position index; the build drops it once they are placed (a tenth of a Marathon
    # build's peak at 10,000 containers), and the findings keep their places.
    value = _value(40)
    value["containers"][7]["ports"][0]["container_port"] = 70000  # APL221, an error
    src = tmp_path / "big.appliance.json"
    text = json.dumps(value, indent=2)
    src.write_text(text, encoding="utf-8")
    result = compile_paths([str(src)], ConfigCache(), "marathon", out_dir=tmp_path / "out")
    assert result.refused
    [source] = result.report.sources.values()
    assert source.locator.index._nodes == {}
    [bad] = [d for d in result.report.diagnostics if d.code == "APL221"]
    line = text.splitlines()[bad.span.line - 1]
    assert line.strip() == '"container_port": 70000'
    assert line[bad.span.column - 1 :].startswith("70000")
    # Asked again, a position is found again.
    assert source.locate("/containers/7/ports/0/container_port").line == bad.span.line
