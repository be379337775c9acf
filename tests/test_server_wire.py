"""`applc server` against a hostile or careless client, byte by byte.

Each test starts the real server in a subprocess and writes raw bytes to its standard
input: malformed and oversized `Content-Length` headers, bodies that are not JSON-RPC,
requests the LSP lifecycle does not allow. The expected answers are JSON-RPC 2.0 and
LSP 3.17, written out by hand: every request gets exactly one response, a framing
error is answered with id null and the stream goes on at the next message, and no
traceback reaches the client.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import pytest

from tests.support.lsp_wire import (
    INITIALIZE,
    INITIALIZED,
    WireServer,
    frame,
    notification,
    request,
)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002

URI = "file:///nowhere/shop.appliance.json"
POSITION = {"line": 0, "character": 0}
SHUTDOWN = request("end", "shutdown")
EXIT = notification("exit")


def hover(msg_id: int | str, uri: str = URI) -> dict[str, Any]:
    return request(
        msg_id, "textDocument/hover", {"textDocument": {"uri": uri}, "position": POSITION}
    )


def did_open(uri: str, text: str) -> dict[str, Any]:
    return notification(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}},
    )


def session(
    *chunks: bytes | dict[str, Any], initialize: bool = True
) -> tuple[list[dict[str, Any]], int, str]:
    """Everything the server says to `chunks` (after initialize), then shutdown and exit;
    its messages, exit status and standard error."""
    with WireServer() as server:
        if initialize:
            server.send(INITIALIZE)
            server.send(INITIALIZED)
        for chunk in chunks:
            server.send(chunk)
        server.send(SHUTDOWN)
        server.send(EXIT)
        messages = []
        while (msg := server.next()) is not None:
            messages.append(msg)
        code = server.wait()
        assert not server.stray, server.stray
        assert b"Traceback" not in server.raw and b'File "' not in server.raw
        return messages, code, server.stderr


def responses(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if "method" not in m]


def by_id(messages: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Responses by id, failing if any id was answered twice."""
    replies = [m for m in responses(messages) if m.get("id") is not None]
    counts = Counter(json.dumps(m["id"]) for m in replies)
    assert all(n == 1 for n in counts.values()), counts
    return {m["id"]: m for m in replies}


def null_errors(messages: list[dict[str, Any]]) -> list[int]:
    return [m["error"]["code"] for m in responses(messages) if m.get("id") is None]


def assert_clean_end(messages: list[dict[str, Any]], code: int, stderr: str) -> None:
    replies = by_id(messages)
    assert replies["init"]["result"]["capabilities"]
    assert replies["end"] == {"jsonrpc": "2.0", "id": "end", "result": None}
    assert code == 0
    assert "Traceback" not in stderr


# --- framing -----------------------------------------------------------------------------

HOSTILE_LENGTHS = [
    (b"Content-Length: 1e3\r\n", PARSE_ERROR),
    (b"Content-Length: 0x10\r\n", PARSE_ERROR),
    (b"Content-Length:  5 \r\n", PARSE_ERROR),
    (b"Content-Length: 5, 6\r\n", PARSE_ERROR),
    (b"Content-Length: -5\r\n", PARSE_ERROR),
    (b"Content-Length: \r\n", PARSE_ERROR),
    (b"Content-Length: \xd9\xa5\r\n", PARSE_ERROR),  # ARABIC-INDIC FIVE: a digit to int()
    (b"Content-Length: 5\r\nContent-Length: 6\r\n", PARSE_ERROR),
    (b"Content-Type: application/vscode-jsonrpc\r\n", PARSE_ERROR),  # no length at all
    (b"Content-Length: 99999999999\r\n", INVALID_REQUEST),
    (b"Content-Length: 9223372036854775808\r\n", INVALID_REQUEST),
    (b"Content-Length: " + b"9" * 5000 + b"\r\n", INVALID_REQUEST),
]


@pytest.mark.parametrize(("header", "code"), HOSTILE_LENGTHS, ids=lambda v: repr(v)[:40])
def test_a_bad_content_length_is_answered_and_the_next_message_is_read(header, code):
    # The body under the bad header is a request that must NOT run: had the server
    # guessed a length, `shutdown` would be answered and `after` refused.
    sneaky = json.dumps(request("sneaky", "shutdown")).encode()
    messages, status, stderr = session(header + b"\r\n" + sneaky, hover("after"))
    assert null_errors(messages) == [code]
    replies = by_id(messages)
    assert "sneaky" not in replies
    assert replies["after"] == {"jsonrpc": "2.0", "id": "after", "result": None}
    assert_clean_end(messages, status, stderr)


def test_an_honest_message_over_the_limit_is_drained_and_the_session_goes_on():
    from applc.server.framing import MAX_MESSAGE_BYTES

    big = json.dumps(did_open(URI, "x" * MAX_MESSAGE_BYTES)).encode()
    assert len(big) > MAX_MESSAGE_BYTES
    messages, status, stderr = session(frame(big), hover("after"))
    assert null_errors(messages) == [INVALID_REQUEST]
    assert by_id(messages)["after"]["result"] is None
    assert_clean_end(messages, status, stderr)


def test_a_header_line_that_never_ends_costs_a_bounded_read():
    messages, status, stderr = session(b"X-Junk: " + b"y" * 1_000_000, hover("after"))
    assert null_errors(messages) == [PARSE_ERROR]
    assert by_id(messages)["after"]["result"] is None
    assert_clean_end(messages, status, stderr)


def test_a_body_shorter_than_its_length_says_is_one_error_and_the_next_message_is_read():
    body = json.dumps(hover("cut")).encode()
    short = b"Content-Length: 10\r\n\r\n" + body
    messages, status, stderr = session(short, hover("after"))
    # The first 10 bytes are not JSON; the rest of that body is not a header.
    assert null_errors(messages) == [PARSE_ERROR, PARSE_ERROR]
    replies = by_id(messages)
    assert "cut" not in replies and replies["after"]["result"] is None
    assert_clean_end(messages, status, stderr)


def test_headers_in_any_case_and_with_content_type_are_read():
    body = json.dumps(hover("a")).encode()
    msg = (
        b"content-length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        % len(body)
        + body
    )
    messages, status, stderr = session(b"\r\n" + msg)
    assert null_errors(messages) == []
    assert by_id(messages)["a"]["result"] is None
    assert_clean_end(messages, status, stderr)


def test_the_end_of_input_in_the_middle_of_a_message_ends_the_server_quietly():
    with WireServer() as server:
        server.start()
        server.send(b'Content-Length: 100\r\n\r\n{"jsonrpc"')
        server.close_input()
        while server.next() is not None:
            pass
        assert server.wait() == 1  # no shutdown: LSP's exit status for a lost client
        assert "Traceback" not in server.stderr


# --- JSON-RPC 2.0 ------------------------------------------------------------------------


def test_bodies_that_are_not_json_rpc_get_the_errors_the_specification_names():
    bodies = [
        b"{not json",  # -32700
        b"\xff\xfe{}",  # not UTF-8: -32700
        b'{"jsonrpc": "2.0", "id": 1, "method": "x", "params": NaN}',  # not JSON: -32700
        b"[" * 100_000 + b"]" * 100_000,  # deeper than any parser's stack: -32700
        b"{}",
        b"[]",
        b"null",
        b"5",
        b'"shutdown"',
        b'{"jsonrpc": "2.0"}',
        b'{"jsonrpc": "2.0", "id": 2}',  # neither result nor error
        b'{"jsonrpc": "2.0", "id": true, "method": "shutdown"}',
        b'{"jsonrpc": "2.0", "id": 1.5, "method": "shutdown"}',
        b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"}',
        b'{"jsonrpc": "2.0", "method": 7}',
    ]
    messages, status, stderr = session(*(frame(b) for b in bodies))
    assert null_errors(messages) == [PARSE_ERROR] * 4 + [INVALID_REQUEST] * 11
    assert_clean_end(messages, status, stderr)


def test_requests_that_break_the_rules_are_answered_with_their_id():
    wrong_version = {**request(1, "textDocument/hover"), "jsonrpc": "1.0"}
    batch = [hover(2), notification("initialized", {})]
    string_params = request(3, "textDocument/hover", "file:///x")
    no_uri = request(4, "textDocument/hover", {"textDocument": {}, "position": POSITION})
    no_params = request(5, "textDocument/hover")
    bad_position = request(
        6, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": "a"}}
    )
    unknown = request(7, "applc/doesNotExist", {})
    notification_with_id = request(8, "initialized", {})
    messages, status, stderr = session(
        wrong_version,
        batch,
        string_params,
        no_uri,
        no_params,
        bad_position,
        unknown,
        notification_with_id,
    )
    replies = by_id(messages)
    codes = {k: v["error"]["code"] for k, v in replies.items() if "error" in v}
    assert codes == {
        1: INVALID_REQUEST,
        2: INVALID_REQUEST,
        3: INVALID_PARAMS,
        4: INVALID_PARAMS,
        5: INVALID_PARAMS,
        6: INVALID_PARAMS,
        7: METHOD_NOT_FOUND,
        8: INVALID_REQUEST,
    }
    assert "textDocument.uri" in replies[4]["error"]["message"]
    assert null_errors(messages) == []
    assert_clean_end(messages, status, stderr)


def test_a_notification_with_bad_params_is_dropped_and_the_session_goes_on(tmp_path):
    uri = (tmp_path / "a.appliance.json").as_uri()
    messages, status, stderr = session(
        notification("textDocument/didOpen", "not an object"),
        notification("textDocument/didOpen", {"textDocument": {"uri": uri}}),
        notification(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "{}"}]},
        ),
        notification("textDocument/didClose", {"textDocument": {"uri": uri + "x"}}),
        hover("after", uri),
    )
    assert null_errors(messages) == []  # notifications are never answered
    assert by_id(messages)["after"]["result"] is None  # the document was never opened
    assert not [m for m in messages if m.get("method") == "window/showMessage"]
    assert_clean_end(messages, status, stderr)


def test_requests_about_documents_that_are_not_open_get_null():
    params = {"textDocument": {"uri": URI}, "position": POSITION}
    methods = [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/prepareRename",
        "textDocument/completion",
    ]
    sent = [request(i, m, params) for i, m in enumerate(methods)]
    sent.append(
        request(
            "refs", "textDocument/references", {**params, "context": {"includeDeclaration": True}}
        )
    )
    sent.append(request("rename", "textDocument/rename", {**params, "newName": "x"}))
    sent.append(
        request(
            "actions",
            "textDocument/codeAction",
            {
                "textDocument": {"uri": URI},
                "range": {"start": POSITION, "end": POSITION},
                "context": {"diagnostics": []},
            },
        )
    )
    messages, status, stderr = session(*sent)
    replies = by_id(messages)
    for msg_id in [*range(len(methods)), "refs", "rename", "actions"]:
        assert replies[msg_id] == {"jsonrpc": "2.0", "id": msg_id, "result": None}
    assert_clean_end(messages, status, stderr)


# --- the LSP lifecycle -------------------------------------------------------------------


def test_requests_before_initialize_get_server_not_initialized(tmp_path):
    uri = (tmp_path / "a.appliance.json").as_uri()
    with WireServer() as server:
        server.send(did_open(uri, "{"))  # dropped: no diagnostics for it ever
        server.send(hover(1))
        first = server.response()
        assert first == {
            "jsonrpc": "2.0",
            "id": 1,
            "error": {"code": SERVER_NOT_INITIALIZED, "message": first["error"]["message"]},
        }
        server.start()
        server.send(hover(2, uri))
        assert server.response() == {"jsonrpc": "2.0", "id": 2, "result": None}
        server.send(request("again", "initialize", INITIALIZE["params"]))
        assert server.response()["error"]["code"] == INVALID_REQUEST
        server.send(SHUTDOWN)
        assert server.response() == {"jsonrpc": "2.0", "id": "end", "result": None}
        server.send(hover(3))
        assert server.response()["error"]["code"] == INVALID_REQUEST
        server.send(request(4, "shutdown"))
        assert server.response()["error"]["code"] == INVALID_REQUEST
        server.send(EXIT)
        assert server.wait() == 0
        assert b"Traceback" not in server.raw and "Traceback" not in server.stderr


def test_exit_without_shutdown_exits_with_status_1():
    with WireServer() as server:
        server.start()
        server.send(EXIT)
        assert server.wait() == 1


def test_exit_before_initialize_exits_with_status_1():
    with WireServer() as server:
        server.send(EXIT)
        assert server.wait() == 1


def test_a_request_that_fails_inside_applc_gets_one_error_without_a_traceback(tmp_path):
    # A position far outside the document, in a document whose text is hostile: the
    # server may answer null or an error, but once, and without its insides.
    uri = (tmp_path / "a.appliance.json").as_uri()
    far = {"line": 2**31, "character": 2**31}
    messages, status, stderr = session(
        did_open(uri, '{"id": "\ud800", "containers": [{"id": "a\u0000"}]}'),
        request("far", "textDocument/hover", {"textDocument": {"uri": uri}, "position": far}),
        request(
            "neg",
            "textDocument/definition",
            {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2**40}},
        ),
    )
    replies = by_id(messages)
    for msg_id in ("far", "neg"):
        reply = replies[msg_id]
        assert ("result" in reply) != ("error" in reply)
        if "error" in reply:
            assert "\n" not in reply["error"]["message"] and "data" not in reply["error"]
    assert_clean_end(messages, status, stderr)


# --- memory ------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")
def test_memory_does_not_grow_with_documents_opened_and_closed(tmp_path):
    """pygls 2.1 kept a future per notification (about 4 KB per open/close pair). The
    slope between 2,000 and 6,000 pairs must be near zero; a leak of even 1 KB per pair
    would add 4 MB."""
    text = '{"id": "a", "containers": []}'

    def pairs(server: WireServer, start: int, count: int) -> int:
        buf = bytearray()
        for i in range(start, start + count):
            uri = (tmp_path / f"d{i % 50}.appliance.json").as_uri()
            buf += frame(did_open(uri, text))
            buf += frame(notification("textDocument/didClose", {"textDocument": {"uri": uri}}))
            if len(buf) > 1 << 16:
                server.send(bytes(buf))
                buf.clear()
        server.send(bytes(buf))
        server.send(hover(f"sync{start}"))  # answered after every notification before it
        while server.response().get("id") != f"sync{start}":
            pass
        return server.rss_kib()

    with WireServer() as server:
        server.start()
        pairs(server, 0, 500)  # caches, the rules, the allocator's first arenas
        before = pairs(server, 500, 1500)
        after = pairs(server, 2000, 4000)
        growth = after - before
        assert growth < 1024, f"grew by {growth} KiB over 4,000 open/close pairs"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_ends_a_server_waiting_for_input():
    # The read blocked on standard input must not keep the process alive (nor print a
    # traceback on the way out).
    import signal

    with WireServer() as server:
        server.start()
        server.send(hover("ready"))  # answered: the server is now waiting for input
        assert server.response()["id"] == "ready"
        server.proc.send_signal(signal.SIGINT)
        assert server.wait() == 130  # what a shell reports for a process ended by Ctrl-C
        assert "Traceback" not in server.stderr
