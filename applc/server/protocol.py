"""JSON-RPC 2.0 and the LSP 3.17 lifecycle, checked before pygls sees a message.

pygls 2.1 trusts its client: a request whose params do not fit gets no response, a
request after `shutdown` is dropped in silence, one before `initialize` fails with a
traceback, invalid JSON becomes a `window/showMessage`, and `exit` without `shutdown`
ends the process with status 0. `ApplcProtocol.receive` takes each message body from
the framing layer and answers every request exactly once:

- invalid JSON (or not UTF-8): -32700 with id null;
- not a request, notification or response (`{}`, `[]`, `null`, `"jsonrpc": "1.0"`, an
  id that is neither string nor integer): -32600, with the id when there is one;
- params that are not an object or array, or that lack what the method needs: -32602;
- a request before `initialize`: -32002; after `shutdown`: -32600; an unknown method:
  -32601; notifications in those states are dropped, as LSP says;
- `exit`: the session ends with status 0 after `shutdown`, 1 without.

Internal errors reach the client as -32603 with a one-line message and no traceback.
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import Future
from functools import partial
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    MsgId,
)
from pygls.protocol.language_server import lsp_method

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
_MISSING = object()


class _Rejected(Exception):
    """A message answered with an error (or, for a notification, dropped)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _ClientErrorsWithoutTraceback(logging.Filter):
    """pygls logs every error response with its traceback. For a client's mistake
    (invalid params, an unknown command) the one-line message says it all; a traceback
    in the log then means a bug in applc, and the fuzzer can look for exactly that."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JsonRpcException) and not isinstance(exc, JsonRpcInternalError):
            record.exc_info = None
            record.exc_text = None
            record.msg = f"{record.msg}: {exc}"
        return True


logging.getLogger("pygls.protocol.json_rpc").addFilter(_ClientErrorsWithoutTraceback())


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _camel(path: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)


class ApplcProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False
        self.exit_code: int | None = None

    # --- entry point: one message body ----------------------------------------------------

    def receive(self, body: bytes) -> None:
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
            self.send_error(None, PARSE_ERROR, f"Parse error: the message is {reason}")
            return
        if isinstance(data, list):
            self._batch(data)
            return
        self._one(data)

    def _batch(self, items: list[Any]) -> None:
        # LSP has no batches; each request in one still gets its (error) response.
        ids = [
            m["id"]
            for m in items
            if isinstance(m, dict) and "method" in m and _usable_id(m.get("id", _MISSING))
        ]
        text = "Invalid Request: LSP does not allow batches"
        if not items:
            text = "Invalid Request: an empty batch"
        for msg_id in ids or [None]:
            self.send_error(msg_id, INVALID_REQUEST, text)

    def _one(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.send_error(None, INVALID_REQUEST, "Invalid Request: a message is a JSON object")
            return
        msg_id = data.get("id", _MISSING)
        method = data.get("method", _MISSING)
        is_request = msg_id is not _MISSING
        # Not a valid request object at all: JSON-RPC answers even a would-be notification,
        # with the id if it could be read and null otherwise.
        envelope = None
        if data.get("jsonrpc") != "2.0":
            envelope = 'Invalid Request: "jsonrpc" must be "2.0"'
        elif is_request and not _usable_id(msg_id):
            envelope = "Invalid Request: an id is a string or an integer"
        elif method is not _MISSING and not isinstance(method, str):
            envelope = 'Invalid Request: "method" must be a string'
        elif method is _MISSING and (not is_request or ("result" in data) == ("error" in data)):
            envelope = "Invalid Request: not a request, a notification or a response"
        if envelope is not None:
            # The id of a would-be response names one of the client's own requests:
            # answering it would resolve that request with this error.
            echo = _usable_id(msg_id) and isinstance(method, str)
            self.send_error(msg_id if echo else None, INVALID_REQUEST, envelope)
            return
        if method is _MISSING:
            self._response(data)
            return
        try:
            message = self._admit(data, method, is_request)
        except _Rejected as exc:
            if is_request:
                self.send_error(msg_id, exc.code, exc.message)
            else:  # a notification is never answered (JSON-RPC 2.0, section 4.1)
                log.warning("dropped notification %r: %s", method[:200], exc.message)
            return
        if message is not None:
            self.handle_message(message)

    def _admit(self, data: dict[str, Any], method: str, is_request: bool) -> Any:
        """The structured message to dispatch; None to drop a notification; _Rejected
        for a message the lifecycle or the method's params do not allow."""
        if method == types.EXIT:
            self.exit_code = 0 if self._shutdown else 1
            return None
        if not self.initialize_received and method != types.INITIALIZE:
            if is_request:
                raise _Rejected(
                    SERVER_NOT_INITIALIZED,
                    "ServerNotInitialized: the first request must be initialize",
                )
            return None
        if self._shutdown:
            if is_request:
                raise _Rejected(INVALID_REQUEST, "Invalid Request: the server has been shut down")
            return None
        if method == types.INITIALIZE and self.initialize_received:
            raise _Rejected(INVALID_REQUEST, "Invalid Request: initialize may be sent only once")
        params = data.get("params", _MISSING)
        if params is not _MISSING and not isinstance(params, dict | list):
            raise _Rejected(INVALID_PARAMS, "Invalid params: params must be an object or array")
        known = method in self.fm.builtin_features or method in self.fm.features
        if not known and method != types.CANCEL_REQUEST:
            if is_request:
                raise _Rejected(METHOD_NOT_FOUND, f"Method not found: {method[:200]!r}")
            return None  # `$/...` and unknown notifications are ignored
        msg_type = self.get_message_type(method) or (
            JsonRPCRequestMessage if is_request else JsonRPCNotification
        )
        if is_request and attrs.has(msg_type) and "id" not in attrs.fields_dict(msg_type):
            raise _Rejected(
                INVALID_REQUEST, f"Invalid Request: {method} is a notification, sent with an id"
            )
        if params is _MISSING and msg_type in (JsonRPCRequestMessage, JsonRPCNotification):
            data = {**data, "params": None}
        try:
            message = self._converter.structure(data, msg_type)
        except Exception as exc:
            raise _Rejected(
                INVALID_PARAMS, f"Invalid params for {method}: {_explain(exc)}"
            ) from None
        if method == types.INITIALIZE:
            self.initialize_received = True
        return message

    def _response(self, data: dict[str, Any]) -> None:
        """A client's answer to one of the server's requests."""
        try:
            message = self.structure_message(data)
            self.handle_message(message)
        except Exception:  # a response nobody can answer: note it and go on
            log.warning("could not take a response from the client", exc_info=True)

    def answer_failure(self, body: bytes) -> None:
        """The last resort when handling a message failed before pygls could answer."""
        try:
            data = json.loads(body)
        except Exception:
            return
        if isinstance(data, dict) and "method" in data and _usable_id(data.get("id")):
            self.send_error(data["id"], INTERNAL_ERROR, "applc server error (please report it)")

    # --- sending -------------------------------------------------------------------------

    def send_error(self, msg_id: MsgId | None, code: int, message: str) -> None:
        self._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        )

    def _send_response(
        self,
        msg_id: MsgId,
        result: Any | None = None,
        error: types.ResponseError | None = None,
    ) -> None:
        if error is not None and (error.data is not None or error.code == INTERNAL_ERROR):
            # pygls puts the traceback of an internal error in `data`: keep it in the log.
            log.error("request %r failed: %s %s", msg_id, error.message, error.data or "")
            message = error.message.splitlines()[0] if error.message else ""
            if error.code == INTERNAL_ERROR:
                message = f"applc server error (please report it): {message}"
            error = types.ResponseError(code=error.code, message=message)
        super()._send_response(msg_id, result, error)

    # --- bookkeeping ---------------------------------------------------------------------

    def _execute_handler(  # type: ignore[override]
        self,
        msg_id: MsgId,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        # pygls files the future of every generator handler (didOpen, didClose,
        # didChange...) under a fresh id and removes it only for requests: a server
        # kept open for days would keep one future per notification. Forget each one
        # when it is done.
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(partial(self._forget, msg_id))

    def _forget(self, msg_id: MsgId, future: Future[Any]) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if not self.is_open(params.text_document.uri):
            log.warning("didChange for a document that is not open: %s", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)

    def is_open(self, uri: str) -> bool:
        from urllib.parse import unquote

        return unquote(uri) in self.workspace.text_documents


def _usable_id(msg_id: Any) -> bool:
    return isinstance(msg_id, str) or (isinstance(msg_id, int) and not isinstance(msg_id, bool))


def _explain(exc: Exception) -> str:
    try:
        from cattrs import transform_error

        lines = transform_error(exc, path="$")  # type: ignore[arg-type]
    except Exception:
        lines = [type(exc).__name__]
    lines = [_camel(line) for line in lines[:3]]
    return "; ".join(lines)[:500]
