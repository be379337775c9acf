"""What keeps lint's memory proportional to the file: checked by what the code does, not
by measuring memory (benchmarks/run.py measures that)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from applc.frontends import json_scanner
from applc.frontends.json_loader import load_json_text
from applc.frontends.json_scanner import JsonIndex
from applc.model.build import build_appliance
from applc.source import Source


def _appliance(n: int, duplicate_in: int | None = None) -> str:
    containers = [
        {
            "id": f"c{i}",
            "type": "service",
            "image": "busybox:1.36",
            "resources": {"cpus": 0.1, "mem": 128},
            "args": ["--peer", f"@c{max(i - 1, 0)}"],
            "env": {"MODE": "x"},
            "ports": [{"container_port": 8000 + i}],
        }
        for i in range(n)
    ]
    text = json.dumps({"id": "big", "containers": containers}, indent=2)
    if duplicate_in is not None:
        marker = f'"id": "c{duplicate_in}",'
        text = text.replace(marker, marker + ' "image": "other:1",', 1)
    return text


@pytest.fixture
def skipped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every value the index skips with the C decoder."""
    lengths: list[int] = []
    real = JsonIndex.__init__

    def init(self: JsonIndex, text: str, duplicates: bool = False) -> None:
        real(self, text, duplicates)
        inner = self._skip

        def skip(text: str, start: int) -> Any:
            value, end = inner(text, start)
            lengths.append(end - start)
            return value, end

        self._skip = skip

    monkeypatch.setattr(json_scanner.JsonIndex, "__init__", init)
    return lengths


def test_a_duplicate_key_does_not_decode_the_whole_containers_array(skipped: list[int]) -> None:
    """With a duplicate key, objects on the way are read to their end; skipping the
    `containers` array in one C call built the whole appliance a second time (17 MB
    for a 6.6 MB file)."""
    text = _appliance(300, duplicate_in=299)
    doc = load_json_text("big.json", text)
    assert [f.code for f in doc.findings] == ["APL002"]
    later = doc.source.locate("/containers/299/image", "key")
    first = doc.source.locate("/containers/299/image", "first_key")
    assert doc.source.line_text(first.line).strip() == '"id": "c299", "image": "other:1",'
    assert doc.source.line_text(later.line).strip() == '"image": "busybox:1.36",'
    assert later.line == first.line + 2
    assert skipped and max(skipped) < len(text) / 100


def test_the_span_of_the_containers_array_is_found_one_container_at_a_time(
    skipped: list[int],
) -> None:
    text = _appliance(300)
    source = Source("big.json", text, JsonIndex(text))
    span = source.locate("/containers")
    assert (span.line, span.column) == (3, 17)
    assert text.rstrip().endswith("]\n}") and span.end_line == text.count("\n")
    assert max(skipped) < len(text) / 100


def test_the_model_shares_the_documents_lists_and_pointer_tails() -> None:
    value = json.loads(_appliance(3))
    app = build_appliance(Source("big.json", ""), value)
    a, b = app.containers[0], app.containers[1]
    assert a.args is value["containers"][0]["args"]
    assert a.ports[0].pointer == "/containers/0/ports/0"
    assert b.ports[0].pointer == "/containers/1/ports/0"
    assert a.ports[0].tail is b.ports[0].tail
    assert not hasattr(a, "__dict__")  # slots: no per-node dictionary
