"""Fuzzing the language server's framing and JSON-RPC handling.

A session is a list of pieces, each a few bytes for `applc server`'s standard input:
well-formed requests and notifications (with hostile params now and then), hostile
headers (lengths like `1e3`, `0x10`, ` 5 `, `5, 6`, 99999999999, 2**63, a length
longer or shorter than its body, header lines without end, junk glued to the next
header), and bodies that are not JSON-RPC. Every session starts with `initialize` and
ends with `shutdown` and `exit`. The checks (`check_session`) hold whatever the mix:

- the server ends by itself, with status 0 or 1, and prints no traceback anywhere;
- everything on its standard output is a well-formed frame holding JSON-RPC 2.0;
- no request id is answered twice, and every request sent while the framing was still
  in step (before the first hostile header) is answered exactly once, unless an `exit`
  came first;
- an error response has an integer code and a one-line message, and no notification
  says a handler failed ("Error in server").

`tests/fuzz/fuzz.py` runs sessions among its other cases; `tests/test_server_framing.py`
and `tests/test_fuzz.py` run a bounded number with the suite.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEADER = re.compile(rb"Content-Length: ([0-9]+)\r\n(?:[A-Za-z-]+: [^\r\n]*\r\n)*\r\n")
URIS = [
    "file:///w/shop.appliance.json",
    "file:///w/shop.appl",
    "file:///w/package.json",
    "untitled:Untitled-1",
    "file:///w/%2e%2e/%00",
    "x",
]
TEXTS = [
    '{"id": "shop", "containers": [{"id": "db", "type": "service", "image": "postgres:15",'
    ' "env": {"URL": "@web"}}, {"id": "web", "type": "service", "image": "nginx",'
    ' "dependencies": ["db"]}]}',
    '{"id": "a", "containers": [',
    'appliance shop {\n  service db { image "postgres:15" }\n}\n',
    "",
    '{"id": "\\ud800\\u0000", "containers": [{"id": "\\u001b[2J"}]}',
]
REQUESTS = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/codeAction",
    "textDocument/diagnostic",
    "workspace/executeCommand",
    "applc/unknown",
    "shutdown",
    "initialize",
]
HOSTILE_LENGTHS = [
    b"1e3", b"0x10", b" 5 ", b"5, 6", b"-1", b"", b"99999999999", b"9223372036854775808",
    b"18446744073709551617", b"9" * 300, b"\xd9\xa5", b"5\x00",
]  # fmt: skip


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


@dataclass
class Session:
    pieces: list[bytes] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    must_answer: list[str] = field(default_factory=list)  # ids sent while in step
    sent_ids: int = 0

    def add(self, kind: str, data: bytes) -> None:
        self.kinds.append(kind)
        self.pieces.append(data)

    @property
    def data(self) -> bytes:
        return b"".join(self.pieces)


def _position(rng: random.Random) -> Any:
    return rng.choice(
        [
            {"line": 0, "character": rng.randint(0, 40)},
            {"line": rng.randint(0, 5), "character": rng.randint(0, 200)},
            {"line": -1, "character": -1},
            {"line": 2**31, "character": 2**53},
            {"line": "0"},
            None,
        ]
    )


def _params(rng: random.Random, method: str) -> Any:
    uri = rng.choice(URIS)
    doc = {"uri": uri}
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(["x", 5, None, [], [1, 2], {"textDocument": {}}, True])
    params: dict[str, Any] = {"textDocument": doc, "position": _position(rng)}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": rng.random() < 0.5}
    elif method == "textDocument/rename":
        params["newName"] = rng.choice(["db2", "", "a b", "@x", "\u202e"])
    elif method == "textDocument/codeAction":
        pos = _position(rng)
        params = {
            "textDocument": doc,
            "range": {"start": pos, "end": pos},
            "context": {"diagnostics": []},
        }
    elif method == "workspace/executeCommand":
        params = {"command": rng.choice(["applc.fix", "x"]), "arguments": [uri]}
    elif method == "initialize":
        params = {"capabilities": {}}
    elif method == "shutdown":
        return None
    return params


def _notification(rng: random.Random) -> dict[str, Any]:
    uri = rng.choice(URIS)
    method = rng.choice(
        [
            "textDocument/didOpen",
            "textDocument/didChange",
            "textDocument/didClose",
            "textDocument/didSave",
            "$/cancelRequest",
            "$/setTrace",
            "initialized",
            "workspace/didChangeWatchedFiles",
        ]
    )
    params: Any
    if method == "textDocument/didOpen":
        params = {
            "textDocument": {
                "uri": uri,
                "languageId": rng.choice(["json", "applc", "plaintext"]),
                "version": rng.randint(-1, 9),
                "text": rng.choice(TEXTS),
            }
        }
    elif method == "textDocument/didChange":
        change: dict[str, Any] = {"text": rng.choice(TEXTS)[: rng.randint(0, 40)]}
        if rng.random() < 0.6:
            change["range"] = {"start": _position(rng), "end": _position(rng)}
        params = {
            "textDocument": {"uri": uri, "version": rng.randint(0, 99)},
            "contentChanges": [change],
        }
    elif method == "$/cancelRequest":
        params = {"id": rng.choice([0, "v1", None, [], 2**70])}
    elif method == "workspace/didChangeWatchedFiles":
        params = {"changes": [{"uri": "file:///w/applc.toml", "type": 2}]}
    else:
        params = {"textDocument": {"uri": uri}}
    if rng.random() < 0.1:
        params = rng.choice(["x", 7, None, [], {"textDocument": 5}])
    msg = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def _hostile_header(rng: random.Random) -> bytes:
    body = _json({"jsonrpc": "2.0", "id": "swallowed", "method": "shutdown"})
    roll = rng.random()
    if roll < 0.5:
        return b"Content-Length: " + rng.choice(HOSTILE_LENGTHS) + b"\r\n\r\n" + body
    if roll < 0.6:
        return b"Content-Length: %d\r\n\r\n" % (len(body) + rng.randint(1, 50)) + body
    if roll < 0.7:
        return b"Content-Length: %d\r\n\r\n" % rng.randint(0, len(body) - 1) + body
    if roll < 0.8:
        return b"X-Junk: " + b"y" * rng.choice([10, 9000, 100_000]) + b"\r\n"
    if roll < 0.9:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return rng.choice(
        [
            b"\r\n",
            b"Content-Type: x\r\n\r\n",
            b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
            b"\r",
        ]
    )


def _hostile_body(rng: random.Random) -> bytes:
    return rng.choice(
        [
            b"{not json",
            b"\xff\xfe",
            b"",
            b"{}",
            b"[]",
            b"null",
            b"[" * 50_000,
            b'{"jsonrpc": "1.0", "id": 3, "method": "shutdown"}',
            b'{"jsonrpc": "2.0", "id": true, "method": "textDocument/hover"}',
            b'{"jsonrpc": "2.0", "id": 1, "result": null}',
            b'{"jsonrpc": "2.0", "method": 5}',
            b'[{"jsonrpc": "2.0", "id": "b", "method": "shutdown"}]',
            b'{"jsonrpc": "2.0", "id": 1e400, "method": "shutdown"}',
            b'{"jsonrpc": "2.0", "id": "' + b"9" * 10_000 + b'", "method": "x"}',
        ]
    )


def make_session(rng: random.Random, pieces: int = 12) -> Session:
    s = Session()
    s.add("request", frame(_json({"jsonrpc": "2.0", "id": "init", "method": "initialize",
                                  "params": {"capabilities": {}}})))  # fmt: skip
    s.must_answer.append("init")
    s.add("notification", frame(_json({"jsonrpc": "2.0", "method": "initialized", "params": {}})))
    in_step = True
    for _ in range(rng.randint(1, pieces)):
        roll = rng.random()
        if roll < 0.35:
            method = rng.choice(REQUESTS)
            s.sent_ids += 1
            msg_id = f"v{s.sent_ids}"
            msg: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
            params = _params(rng, method)
            if params is not None:
                msg["params"] = params
            s.add("request", frame(_json(msg)))
            if in_step:
                s.must_answer.append(msg_id)
        elif roll < 0.7:
            s.add("notification", frame(_json(_notification(rng))))
        elif roll < 0.85:
            s.add("body", frame(_hostile_body(rng)))
        elif roll < 0.97:
            s.add("header", _hostile_header(rng))
            in_step = False
        else:
            s.add("exit", frame(_json({"jsonrpc": "2.0", "method": "exit"})))
            if in_step:
                break
    s.add("request", frame(_json({"jsonrpc": "2.0", "id": "end", "method": "shutdown"})))
    if in_step and "exit" not in s.kinds:
        s.must_answer.append("end")
    s.add("exit", frame(_json({"jsonrpc": "2.0", "method": "exit"})))
    return s


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "applc"
    return (
        [str(script), "server"] if script.is_file() else [sys.executable, "-m", "applc", "server"]
    )


def run_session(data: bytes, limit: float, cwd: Path) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        server_command(), input=data, capture_output=True, timeout=limit, cwd=cwd, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def parse_frames(out: bytes) -> list[Any]:
    """The server's output as messages; AssertionError on anything else."""
    messages = []
    pos = 0
    while pos < len(out):
        m = HEADER.match(out, pos)
        assert m is not None, f"not a frame at byte {pos}: {out[pos : pos + 80]!r}"
        end = m.end() + int(m.group(1))
        assert end <= len(out), "a frame cut short"
        messages.append(json.loads(out[m.end() : end]))
        pos = end
    return messages


def check_session(session: Session, code: int, out: bytes, err: bytes) -> None:
    assert code in (0, 1), f"exit status {code}"
    for stream, name in ((out, "stdout"), (err, "stderr")):
        assert b"Traceback" not in stream, f"a traceback on {name}: {stream[-800:]!r}"
    assert b'File "' not in out
    answered: dict[str, int] = {}
    for msg in parse_frames(out):
        assert isinstance(msg, dict) and msg.get("jsonrpc") == "2.0", msg
        if "method" in msg:
            # pygls reports an exception in a notification handler this way.
            text = json.dumps(msg.get("params"))
            assert "Error in server" not in text, f"a handler failed: {text[:400]}"
            continue
        assert ("result" in msg) != ("error" in msg), msg
        if "error" in msg:
            error = msg["error"]
            assert isinstance(error.get("code"), int) and isinstance(error.get("message"), str)
            assert "\n" not in error["message"], error
            assert "data" not in error or "traceback" not in json.dumps(error["data"]).lower()
        key = json.dumps(msg["id"])
        if msg["id"] is not None:
            answered[key] = answered.get(key, 0) + 1
    twice = [k for k, n in answered.items() if n > 1 and k.startswith('"v')]
    assert not twice, f"answered more than once: {twice}"
    missing = [i for i in session.must_answer if answered.get(json.dumps(i), 0) != 1]
    assert not missing, f"requests without exactly one answer: {missing}"
