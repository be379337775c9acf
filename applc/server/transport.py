"""The server's main loop over standard input and output.

Used instead of pygls's `start_io`, whose reader trusts `Content-Length` (a MemoryError
or OverflowError on a huge one, a desynchronised stream on a malformed one) and whose
`exit` ends the process with status 0 even without `shutdown`. Reading happens in one
daemon thread (`applc.server.framing`), handling on the event loop, where the server's
timers run as well.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import signal
import threading
from typing import TYPE_CHECKING, BinaryIO

from pygls.io_ import StdoutWriter

from applc.server.framing import MAX_MESSAGE_BYTES, FrameError, FrameReader

if TYPE_CHECKING:
    from applc.server.server import ApplcServer

log = logging.getLogger(__name__)
INTERRUPTED = 130  # the shell's status for a process ended by SIGINT


def serve(
    server: ApplcServer, stdin: BinaryIO, stdout: BinaryIO, max_bytes: int = MAX_MESSAGE_BYTES
) -> int:
    """Serve until `exit` or the end of input; the process's exit status (LSP 3.17:
    0 after `shutdown`, 1 otherwise)."""
    protocol = server.protocol
    protocol.set_writer(StdoutWriter(stdout))
    reader = FrameReader(stdin, max_bytes)
    try:
        return asyncio.run(_loop(server, reader))
    except (BrokenPipeError, ConnectionResetError):
        log.error("the client closed the connection")
        return 0 if protocol._shutdown else 1
    finally:
        server.shutdown()


async def _loop(server: ApplcServer, reader: FrameReader) -> int:
    protocol = server.protocol
    loop = asyncio.get_running_loop()
    # A few messages read ahead at most: a client that writes faster than the server
    # handles waits in its pipe, not in this process's memory.
    frames: asyncio.Queue[bytes | FrameError | None] = asyncio.Queue(maxsize=4)
    # One entry per message read and not yet taken by the loop: while the loop handles
    # one, any entry means the client has sent more (the server coalesces re-lints).
    arrived: collections.deque[None] = collections.deque()
    server.input_waiting = lambda: bool(arrived)

    def read() -> None:
        while True:
            frame = reader.read()
            arrived.append(None)
            try:
                asyncio.run_coroutine_threadsafe(frames.put(frame), loop).result()
            except Exception:  # the loop has closed or cancelled the put: the session is over
                return
            if frame is None:
                return

    # A daemon thread: a read blocked on standard input must not keep the process
    # alive after `exit` or Ctrl-C.
    threading.Thread(target=read, name="applc-stdin", daemon=True).start()
    # Ctrl-C ends the session here, on the loop, rather than by cancelling whatever the
    # loop was doing (asyncio's default), so the way out is the same as after `exit`.
    interrupted = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, interrupted.set)
    stop = asyncio.ensure_future(interrupted.wait())
    while protocol.exit_code is None:
        if not arrived:
            server.idle()  # lint what changes deferred while more messages were coming
        get = asyncio.ensure_future(frames.get())
        await asyncio.wait({get, stop}, return_when=asyncio.FIRST_COMPLETED)
        if not get.done():
            get.cancel()
            log.info("interrupted")
            return INTERRUPTED
        frame = get.result()
        arrived.popleft()
        if frame is None:
            log.info("standard input ended without exit")
            return 0 if protocol._shutdown else 1
        if isinstance(frame, FrameError):
            log.warning("unreadable message: %s", frame.message)
            protocol.send_error(None, frame.code, frame.message)
            continue
        try:
            protocol.receive(frame)
        except (BrokenPipeError, ConnectionResetError):
            raise
        except Exception:  # one bad message must not end an editor's session
            log.exception("could not handle a message")
            protocol.answer_failure(frame)
    stop.cancel()
    return protocol.exit_code
