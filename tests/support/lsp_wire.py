"""A raw LSP peer for tests: `applc server` in a subprocess, spoken to in bytes.

pytest-lsp speaks well-formed LSP only; tests of framing, JSON-RPC errors and the
lifecycle need to send what no well-behaved client would, and to see every byte that
comes back. Frames coming back are parsed here, independently of the server's reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0
_HEADER = re.compile(rb"Content-Length: ([0-9]+)\r\n(?:[A-Za-z-]+: [^\r\n]*\r\n)*\r\n")


def frame(body: bytes | str | dict[str, Any] | list[Any] | None) -> bytes:
    """A well-formed LSP message around `body` (a dict or list is JSON-encoded)."""
    if isinstance(body, dict | list) or body is None:
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(msg_id: int | str, method: str, params: Any = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def notification(method: str, params: Any = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    return msg


INITIALIZE = request("init", "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
INITIALIZED = notification("initialized", {})


class WireServer:
    """`python -m applc server`, its standard output parsed into messages by a thread."""

    def __init__(self, cwd: Path | None = None) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "applc", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd or ROOT,
            env=env,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.raw = bytearray()  # everything the server wrote, for checks on the whole
        self.stray: list[bytes] = []  # bytes on stdout that are not a frame
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr: list[bytes] = []
        self._err_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._err_reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                if buf:
                    self.stray.append(buf)
                self.messages.put(None)
                return
            self.raw += chunk
            buf += chunk
            while True:
                m = _HEADER.match(buf)
                if m is None:
                    if len(buf) > 4096 and not buf.startswith(b"Content-Length"):
                        self.stray.append(buf)
                        buf = b""
                    break
                n = int(m.group(1))
                if len(buf) < m.end() + n:
                    break
                body = buf[m.end() : m.end() + n]
                buf = buf[m.end() + n :]
                self.messages.put(json.loads(body))

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    def send(self, data: bytes | dict[str, Any] | list[Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data if isinstance(data, bytes) else frame(data))
        self.proc.stdin.flush()

    def next(self, timeout: float = TIMEOUT) -> dict[str, Any] | None:
        """The next message the server sent (None once its output has ended)."""
        return self.messages.get(timeout=timeout)

    def response(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next response (a message without a method), skipping notifications and
        requests from the server (which these tests do not answer)."""
        while True:
            msg = self.next(timeout)
            assert msg is not None, f"the server ended its output; stderr:\n{self.stderr}"
            if "method" not in msg:
                return msg

    def start(self) -> dict[str, Any]:
        self.send(INITIALIZE)
        reply = self.response()
        assert reply["id"] == "init" and "capabilities" in reply["result"], reply
        self.send(INITIALIZED)
        return reply

    def close_input(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def wait(self, timeout: float = TIMEOUT) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        self._err_reader.join(timeout)
        return code

    def rss_kib(self) -> int:
        """The server's resident set, from /proc (Linux)."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def __enter__(self) -> WireServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
