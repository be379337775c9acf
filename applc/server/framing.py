"""LSP base protocol framing: `Content-Length` headers and the bodies they measure.

The reader treats the client as hostile. A message may be at most `MAX_MESSAGE_BYTES`
long, a header line at most `MAX_HEADER_LINE` bytes, a header block at most
`MAX_HEADER_LINES` lines, so no input makes the server allocate more than about one
message. `Content-Length` must be `Content-Length: <decimal digits>`; anything else
(`1e3`, `0x10`, ` 5 `, `5, 6`, a second, different length) is a framing error.

After an error the reader finds its way back to a message boundary instead of reading
bodies as headers:
- a well-formed length over the limit, up to 16 times the limit: the body it announces
  is read in chunks and dropped, so an honest client that sent one huge document stays
  in step;
- anything malformed, or a length no client would send (99999999999): the end of the
  body is unknown or will never come, so the reader scans forward to the next
  `Content-Length:` and starts a header block there.

This module knows nothing of JSON or pygls; `applc.server.transport` feeds it stdin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

# An appliance of 50,000 containers is about 20 MB of JSON: 64 MiB leaves room for the
# biggest real document while bounding what one message can cost. applc's own setting;
# a client cannot raise it.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_HEADER_LINE = 8 * 1024
MAX_HEADER_LINES = 32
CHUNK = 64 * 1024

PARSE_ERROR = -32700
INVALID_REQUEST = -32600

_LENGTH_VALUE = re.compile(rb" ?([0-9]+)")
# RFC 9110 field names: a header line that is not `token ":" value` is not a header.
_FIELD_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_MARKER = b"content-length:"
DRAIN_FACTOR = 16


@dataclass(frozen=True)
class FrameError:
    """A message that could not be framed: answered with a JSON-RPC error whose id is
    null (the id is inside the body nobody could read)."""

    code: int
    message: str


class FrameReader:
    """Reads one LSP message body at a time from a byte stream."""

    def __init__(self, stream: BinaryIO, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._stream = stream
        self._read = getattr(stream, "read1", stream.read)
        self._buf = bytearray()
        self._eof = False
        self.max_bytes = max_bytes

    # --- the buffer ----------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._raw(CHUNK)
        if not data:
            return False
        self._buf += data
        return True

    def _raw(self, n: int) -> bytes:
        """Up to n bytes from the stream (b"" at its end, for good)."""
        try:
            data = self._read(n)
        except (OSError, ValueError):  # a closed or broken standard input ends the session
            data = b""
        if not data:
            self._eof = True
        return data

    def _line(self) -> bytes | None:
        """One line with its terminator; b"" for a line over the limit (left in the
        buffer); None at the end of the stream."""
        start = 0
        while True:
            i = self._buf.find(b"\n", start)
            if i >= 0 and i < MAX_HEADER_LINE:
                line = bytes(self._buf[: i + 1])
                del self._buf[: i + 1]
                return line
            if len(self._buf) >= MAX_HEADER_LINE:
                return b""
            start = len(self._buf)
            if not self._fill():
                return None

    def _take(self, n: int) -> bytes | None:
        """The next n bytes. The body is read straight from the stream, so the buffer
        stays small and looking through it after an error stays cheap."""
        if len(self._buf) >= n:
            body = bytes(self._buf[:n])
            del self._buf[:n]
            return body
        parts = bytearray(self._buf)
        self._buf.clear()
        while len(parts) < n:
            data = self._raw(min(n - len(parts), 1 << 20))
            if not data:
                return None
            parts += data
        return bytes(parts)

    def _skip(self, n: int) -> None:
        """Drop n bytes without keeping them: a message too big to read."""
        dropped = min(n, len(self._buf))
        del self._buf[:dropped]
        n -= dropped
        while n > 0:
            data = self._raw(min(n, 1 << 20))
            if not data:
                return
            n -= len(data)

    def _resync(self) -> None:
        """Drop bytes up to the next `Content-Length:` (any case), or all of them. The
        window grows from small, so the cost is that of the bytes skipped."""
        keep = len(_MARKER) - 1
        pos, width = 0, 256
        while True:
            end = min(len(self._buf), pos + width)
            i = self._buf[pos:end].lower().find(_MARKER)
            if i >= 0:
                del self._buf[: pos + i]
                return
            if end < len(self._buf):
                pos = end - keep
            else:
                del self._buf[: max(0, end - keep)]
                pos = 0
                if not self._fill():
                    return
            width = min(width * 2, CHUNK)

    # --- messages ------------------------------------------------------------------------

    def read(self) -> bytes | FrameError | None:
        """The next message body, a FrameError for a message that cannot be read (the
        stream is then at the next plausible boundary), or None at the end of input."""
        length: int | None = None
        oversized: str | None = None
        block = bytearray()  # the header lines read so far, to look through again
        lines = 0
        while True:
            line = self._line()
            if line is None:
                return None
            if line in (b"\r\n", b"\n"):
                if lines == 0:
                    continue  # a stray blank line between messages says nothing
                block += line  # a glued header found again needs its blank line
                break
            lines += 1
            block += line
            problem = self._header_problem(line, lines)
            if problem is None:
                name, _, value = line.rstrip(b"\r\n").partition(b":")
                if name.lower() != b"content-length":
                    continue
                m = _LENGTH_VALUE.fullmatch(value)
                if m is None:
                    shown = _show(value.removeprefix(b" "))
                    problem = f"Content-Length must be a decimal number, not {shown}"
                else:
                    digits = m.group(1).lstrip(b"0") or b"0"
                    # Digits beyond any drainable length need not become an int.
                    size = int(digits) if len(digits) <= 20 else -1
                    if length is not None and size != length:
                        problem = "two different Content-Length headers"
                    else:
                        length = size
                        if size < 0 or size > self.max_bytes:
                            oversized = digits.decode("ascii")
            if problem is not None:
                self._restart(block, long_line=not line)
                return FrameError(PARSE_ERROR, f"Parse error: {problem}")
        if oversized is not None:
            limit = self.max_bytes
            if length is not None and 0 <= length <= DRAIN_FACTOR * limit:
                self._skip(length)
            else:
                self._resync()
            return FrameError(
                INVALID_REQUEST,
                f"Invalid Request: a message of {_count(oversized)} bytes is over the limit "
                f"of {limit} bytes; it was not read",
            )
        if length is None:
            self._restart(block, long_line=False)
            return FrameError(PARSE_ERROR, "Parse error: a message without Content-Length")
        return self._take(length)

    def _restart(self, block: bytearray, long_line: bool) -> None:
        """Look for the next message from the second byte of a header block that failed:
        the block may hold the start of the next message (after a body shorter than its
        length said, or junk glued to the next header). A `Content-Length` at the start
        of one of its lines belongs to the failed message and is not looked at again."""
        lowered = block.lower()
        i = lowered.find(_MARKER, 1)
        while i >= 0:
            if block[i - 1] != 0x0A:  # glued to what came before it on the line
                self._buf[0:0] = block[i:]
                return
            i = lowered.find(_MARKER, i + 1)
        if long_line:  # still in the buffer: look from its second byte on
            del self._buf[:1]
        self._resync()

    def _header_problem(self, line: bytes, count: int) -> str | None:
        if not line:
            return f"a header line longer than {MAX_HEADER_LINE} bytes"
        if count > MAX_HEADER_LINES:
            return f"more than {MAX_HEADER_LINES} header lines"
        # LSP ends header lines with CRLF; a bare LF is accepted (a hand-typed session),
        # a CR anywhere else is not.
        text = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if b"\r" in text:
            return "a header line with a stray carriage return"
        name, sep, _ = text.partition(b":")
        if not sep or _FIELD_NAME.fullmatch(name) is None:
            return f"not a header line: {_show(text)}"
        return None


def _show(value: bytes) -> str:
    """A header value quoted for an error message: short, printable ASCII only."""
    text = value[:40].decode("ascii", "backslashreplace")
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return repr(text + ("..." if len(value) > 40 else ""))


def _count(digits: str) -> str:
    return digits if len(digits) <= 24 else f"a {len(digits)}-digit number of"
