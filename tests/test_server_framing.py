"""The language server's reader and JSON-RPC checks, in process, with hypothesis.

`tests/test_server_wire.py` drives the real server over stdio with hand-picked hostile
input; here the framing reader gets arbitrary bytes in arbitrary chunks, and the
protocol layer arbitrary message sequences, far more of them than a subprocess allows.
The expected frames come from the test's own framing (`frame`), not from the reader.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applc.server.framing import FrameError, FrameReader
from tests.support.lsp_wire import frame

MARKER = b"content-length:"


class Chunked(io.RawIOBase):
    """A stream that hands out its bytes in the sizes given, like a pipe."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data = data
        self.pos = 0
        self.sizes = sizes or [1 << 20]
        self.i = 0

    def readable(self) -> bool:
        return True

    def read1(self, n: int = -1) -> bytes:
        size = self.sizes[self.i % len(self.sizes)]
        self.i += 1
        size = min(size, n if n > 0 else size)
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out


def read_all(reader: FrameReader, limit: int = 10_000) -> list[bytes | FrameError]:
    out: list[bytes | FrameError] = []
    for _ in range(limit):
        item = reader.read()
        if item is None:
            return out
        out.append(item)
    raise AssertionError("the reader did not reach the end of its input")


bodies = st.lists(st.binary(max_size=300), max_size=6)
sizes = st.lists(st.integers(1, 70), max_size=5)


def header_variant(body: bytes, style: int) -> bytes:
    n = len(body)
    return [
        b"Content-Length: %d\r\n\r\n" % n,
        b"content-length: %d\r\n\r\n" % n,
        b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        % n,
        b"\r\nContent-Length:%d\n\n" % n,
        b"Content-Length: 000%d\r\n\r\n" % n,
    ][style] + body


@settings(max_examples=300, deadline=None)
@given(bodies, st.lists(st.integers(0, 4), min_size=6, max_size=6), sizes)
def test_well_formed_messages_come_back_as_sent(items, styles, chunking):
    data = b"".join(header_variant(b, s) for b, s in zip(items, styles, strict=False))
    assert read_all(FrameReader(Chunked(data, chunking))) == items


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400).filter(lambda b: MARKER not in b.lower()),
    st.binary(max_size=100),
    sizes,
)
def test_after_any_junk_the_next_message_is_found(junk, body, chunking):
    data = junk + frame(body) + frame(b"second")
    out = read_all(FrameReader(Chunked(data, chunking)))
    assert out[-2:] == [body, b"second"], out
    assert all(isinstance(item, FrameError) for item in out[:-2])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), sizes)
def test_any_bytes_end_in_bodies_and_errors_without_an_exception(data, chunking):
    reader = FrameReader(Chunked(data, chunking), max_bytes=64)
    for item in read_all(reader):
        assert isinstance(item, FrameError) or len(item) <= 64
        if isinstance(item, FrameError):
            assert item.code in (-32700, -32600) and "\n" not in item.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (b"1e3", -32700),
        (b"0x10", -32700),
        (b" 5 ", -32700),
        (b"5 ", -32700),
        (b"5, 6", -32700),
        (b"+5", -32700),
        (b"\xd9\xa5", -32700),
        (b"101", -32600),  # over this reader's limit of 100: drained
        (b"99999999999", -32600),  # past any honest size: looked past
        (b"9223372036854775808", -32600),
    ],
)
def test_each_bad_length_is_one_error_and_the_next_message_is_read(value, code):
    body = b"x" * 101
    data = b"Content-Length: " + value + b"\r\n\r\n" + body + frame(b"next")
    out = read_all(FrameReader(io.BytesIO(data), max_bytes=100))
    assert len(out) == 2 and isinstance(out[0], FrameError) and out[0].code == code
    assert out[1] == b"next"


def test_a_body_cut_short_by_the_end_of_input_is_the_end():
    assert read_all(FrameReader(io.BytesIO(b"Content-Length: 10\r\n\r\n{}"))) == []


def test_a_header_block_that_never_ends_is_an_error_not_a_wait():
    data = b"X-A: b\r\n" * 100 + frame(b"ok")
    out = read_all(FrameReader(io.BytesIO(data)))
    assert isinstance(out[0], FrameError) and out[-1] == b"ok"


# --- the JSON-RPC layer ------------------------------------------------------------------


class Capture:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


def written(capture: Capture) -> list[dict[str, Any]]:
    out = []
    reader = FrameReader(io.BytesIO(bytes(capture.data)))
    while (item := reader.read()) is not None:
        assert isinstance(item, bytes)
        out.append(json.loads(item))
    return out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
uris = st.sampled_from(["file:///w/a.appliance.json", "file:///w/b.appl", "x", "", "file:///%00"])
positions = (
    st.fixed_dictionaries({"line": st.integers(-5, 2**40), "character": st.integers(-5, 2**40)})
    | json_values
)
texts = st.sampled_from(
    ['{"id": "a", "containers": [{"id": "b", "env": {"X": "@c"}}]}', "{", "", "app x {}"]
)
params = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"textDocument": st.fixed_dictionaries({"uri": uris}), "position": positions}
    ),
    st.fixed_dictionaries(
        {
            "textDocument": st.fixed_dictionaries(
                {
                    "uri": uris,
                    "languageId": st.just("json"),
                    "version": st.integers(),
                    "text": texts,
                }
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "textDocument": st.fixed_dictionaries({"uri": uris, "version": st.integers()}),
            "contentChanges": st.lists(
                st.fixed_dictionaries({"text": texts})
                | st.fixed_dictionaries(
                    {
                        "range": st.fixed_dictionaries({"start": positions, "end": positions}),
                        "text": texts,
                    }
                ),
                max_size=2,
            ),
        }
    ),
)
methods = st.sampled_from(
    [
        "initialize",
        "initialized",
        "shutdown",
        "exit",
        "textDocument/hover",
        "textDocument/didOpen",
        "textDocument/didChange",
        "textDocument/didClose",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/rename",
        "textDocument/codeAction",
        "$/cancelRequest",
        "applc/x",
    ]
)
messages = st.fixed_dictionaries(
    {"method": methods | json_values},
    optional={
        "params": params,
        "id": st.integers(0, 3) | json_values,
        "jsonrpc": st.sampled_from(["2.0", "1.0"]) | json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, max_size=12), st.booleans())
def test_every_request_gets_exactly_one_response_and_no_traceback(sequence, start):
    from applc.server.server import create_server

    server = create_server()
    capture = Capture()
    server.protocol.set_writer(capture)
    if start:
        sequence = [
            {
                "jsonrpc": "2.0",
                "id": "init",
                "method": "initialize",
                "params": {"capabilities": {}},
            },
            *sequence,
        ]
    expected: dict[str, int] = {}
    for i, msg in enumerate(sequence):
        if server.protocol.exit_code is not None:
            break
        if "id" in msg and isinstance(msg["id"], int) and not isinstance(msg["id"], bool):
            msg = {**msg, "id": i}  # unique ids, so answers can be counted
        # Anything with a method and a readable id is answered (an invalid one with an
        # error), except `exit`, which ends the session.
        is_request = (
            isinstance(msg.get("method"), str)
            and isinstance(msg.get("id"), int | str)
            and not isinstance(msg.get("id"), bool)
        )
        if is_request and not (msg["method"] == "exit" and msg.get("jsonrpc") == "2.0"):
            expected[json.dumps(msg["id"])] = expected.get(json.dumps(msg["id"]), 0) + 1
        server.protocol.receive(json.dumps(msg).encode())
    assert b"Traceback" not in capture.data and b'File "' not in capture.data
    answered: dict[str, int] = {}
    for out in written(capture):
        if "method" in out or out.get("id") is None:
            continue
        key = json.dumps(out["id"])
        answered[key] = answered.get(key, 0) + 1
        assert ("result" in out) != ("error" in out)
    assert answered == expected


# --- sessions through the real server (a bounded slice of tests/fuzz/fuzz.py) -----------


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False))
def test_fuzzed_sessions_through_the_real_server(rng, tmp_path):
    from tests.fuzz.server import check_session, make_session, run_session

    session = make_session(rng)
    check_session(session, *run_session(session.data, 120, tmp_path))
