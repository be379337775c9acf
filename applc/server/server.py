"""`applc server`: the language server, over stdio, built on pygls 2.x.

Diagnostics are those of `applc lint` for the same file and configuration. They are
pushed (`textDocument/publishDiagnostics`) on open, change and save, or pulled
(`textDocument/diagnostic`) by clients that support pulling and can be told to pull
again after a configuration change (`workspace/diagnostic/refresh`). A client gets one
or the other, never both, so no editor shows each problem twice; the
`diagnosticMode` initialization option ("auto", "push", "pull") overrides the choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from applc import __version__
from applc.server import features
from applc.server.analysis import CONFIG_NAMES, Analysis, ConfigStore, analyse
from applc.server.features import FIX_ALL, Client, RenameError
from applc.server.positions import UTF16, normalise_encoding, position_to_offset
from applc.server.protocol import ApplcProtocol

log = logging.getLogger(__name__)

REQUEST_FAILED = -32803
WATCH_ID = "applc-config-watch"
# A document that lints faster than this is linted on every change, as soon as the
# change is handled (changes that arrive while one is linted are linted once, at the
# last of them: see `changed`). A slower one (thousands of containers) waits for a pause
# in typing as long as its last lint took, at most MAX_DELAY, so the server never falls
# behind the typist nor keeps other requests waiting while one types.
FAST = 0.1
MAX_DELAY = 0.3


def _get(obj: Any, path: str, default: Any = None) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return default
    return obj


class NotOpen(Exception):
    """A request about a document the client has not opened (or has closed)."""


class ApplcServer(LanguageServer):
    protocol: ApplcProtocol

    def __init__(self) -> None:
        super().__init__(
            "applc",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=ApplcProtocol,
        )
        self.configs = ConfigStore()
        self.analyses: dict[str, Analysis] = {}
        self.last_parsed: dict[str, Analysis] = {}
        self.pull = False
        self.refresh_support = False
        self.client_info = Client()
        self.tag_support: frozenset[int] = frozenset()
        self._shown: set[str] = set()
        self._lint_seconds: dict[str, float] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # Whether more messages have arrived than have been handled (set by the
        # transport); documents whose lint waits for them to be handled.
        self.input_waiting: Callable[[], bool] = lambda: False
        self._deferred: dict[str, None] = {}

    # --- analysis ------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return self.client_info.encoding

    def analysis(self, uri: str) -> Analysis:
        """The analysis of an open document; NotOpen for any other URI (the server reads
        only what the editor sent, never a file a request merely names)."""
        if not self.protocol.is_open(uri):
            raise NotOpen(uri)
        doc = self.workspace.get_text_document(uri)
        cached = self.analyses.get(uri)
        if (
            cached is not None
            and cached.version == doc.version
            and cached.generation == self.configs.generation
            and cached.text == doc.source
        ):
            # A config file edited since: its modification time says so.
            self.configs.settings_for(cached.path)
            if cached.generation == self.configs.generation:
                return cached
        started = time.perf_counter()
        a = analyse(uri, doc.version, doc.path or uri, doc.source, self.configs, cached)
        self._lint_seconds[uri] = time.perf_counter() - started
        self.analyses[uri] = a
        if a.parsed:
            self.last_parsed[uri] = a
        self._report(a)
        return a

    def _report(self, a: Analysis) -> None:
        if a.config_error is not None:
            text = str(a.config_error)
            if text not in self._shown:
                self._shown.add(text)
                self.window_show_message(
                    types.ShowMessageParams(
                        type=types.MessageType.Error,
                        message=f"applc: configuration error, linting with default settings: "
                        f"{text}",
                    )
                )
        if a.internal_error is not None:
            text = f"applc could not lint {a.path}: {a.internal_error}"
            if text not in self._shown:
                self._shown.add(text)
                self.window_show_message(
                    types.ShowMessageParams(
                        type=types.MessageType.Error,
                        message=text + " (this is a bug in applc; please report it)",
                    )
                )

    def lsp_diagnostics(self, a: Analysis) -> list[types.Diagnostic]:
        return a.lsp_diagnostics(self.encoding, self.tag_support)

    def publish(self, uri: str) -> None:
        try:
            a = self.analysis(uri)
        except NotOpen:  # saved or closed before a delayed lint: nothing to show
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=a.version, diagnostics=self.lsp_diagnostics(a)
            )
        )

    def changed(self, uri: str) -> None:
        """A keystroke: publish now, or after a pause for a document that lints slowly.

        A fast document is linted at once, unless further messages have already arrived
        (a typist ahead of the server, an editor sending a burst): then it is linted
        when they have been handled (`idle`), at its latest text, once."""
        self.cancel(uri)
        took = self._lint_seconds.get(uri, 0.0)
        if took < FAST:
            if self.input_waiting():
                self._deferred[uri] = None
            else:
                self.publish(uri)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.publish(uri)
            return
        self._timers[uri] = loop.call_later(min(took, MAX_DELAY), self._fire, uri)

    def _fire(self, uri: str) -> None:
        self._timers.pop(uri, None)
        if uri in self.workspace.text_documents:
            self.publish(uri)

    def idle(self) -> None:
        """Every message that arrived has been handled: lint what changes deferred."""
        while self._deferred:
            uri = next(iter(self._deferred))
            del self._deferred[uri]
            if uri in self.workspace.text_documents:
                self.publish(uri)

    def cancel(self, uri: str) -> None:
        self._deferred.pop(uri, None)
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def config_changed(self) -> None:
        """Forget every configuration and lint the open documents again."""
        self.configs.reset()
        self._shown.clear()
        if self.pull:
            if self.refresh_support:
                self.workspace_diagnostic_refresh(None).add_done_callback(_swallow)
            return
        for uri in list(self.workspace.text_documents):
            self.publish(uri)

    def offset(self, a: Analysis, position: types.Position) -> int:
        return position_to_offset(a.source, position, self.encoding)

    # --- set-up --------------------------------------------------------------------------

    def configure(self, params: types.InitializeParams) -> None:
        caps = params.capabilities
        doc_formats = _get(caps, "text_document.completion.completion_item.documentation_format")
        self.client_info = Client(
            encoding=normalise_encoding(self.workspace.position_encoding or UTF16),
            markdown=_prefers_markdown(_get(caps, "text_document.hover.content_format")),
            snippets=bool(
                _get(caps, "text_document.completion.completion_item.snippet_support", False)
            ),
            document_changes=bool(_get(caps, "workspace.workspace_edit.document_changes", False)),
            completion_markdown=_prefers_markdown(doc_formats),
            completion_markup=bool(doc_formats),
        )
        tags = _get(caps, "text_document.publish_diagnostics.tag_support.value_set", [])
        self.tag_support = frozenset(int(t) for t in tags)
        opts = params.initialization_options
        mode = opts.get("diagnosticMode", "auto") if isinstance(opts, dict) else "auto"
        can_pull = _get(caps, "text_document.diagnostic") is not None
        self.refresh_support = bool(_get(caps, "workspace.diagnostics.refresh_support", False))
        if mode == "pull":
            self.pull = can_pull
        elif mode == "push":
            self.pull = False
        else:
            self.pull = can_pull and self.refresh_support
        if self.pull and types.TEXT_DOCUMENT_DIAGNOSTIC not in self.protocol.fm.features:
            self.feature(
                types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(
                    identifier="applc", inter_file_dependencies=False, workspace_diagnostics=False
                ),
            )(pull_diagnostics)
        log.info(
            "applc server: encoding %s, %s diagnostics",
            self.encoding,
            "pull" if self.pull else "push",
        )

    def watch_config_files(self) -> None:
        caps = self.client_capabilities
        if not _get(caps, "workspace.did_change_watched_files.dynamic_registration", False):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
        params = types.RegistrationParams(
            registrations=[
                types.Registration(
                    id=WATCH_ID,
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=watchers
                    ),
                )
            ]
        )

        def done(result: Any) -> None:
            log.debug("watching configuration files: %s", result)

        try:
            fut = self.client_register_capability(params, done)
            fut.add_done_callback(_swallow)
        except Exception:  # the client may not take registrations; lints still notice
            log.exception("cannot register the configuration file watcher")


def _swallow(fut: Any) -> None:
    # Retrieve the outcome so a refused registration is not reported as never retrieved.
    with contextlib.suppress(Exception):
        fut.exception()


def _prefers_markdown(formats: Any) -> bool:
    if not formats:
        return False
    first = formats[0]
    return str(getattr(first, "value", first)) == "markdown"


def is_config_uri(uri: str) -> bool:
    return Path(uri.rsplit("/", 1)[-1]).name in CONFIG_NAMES


# --- handlers -----------------------------------------------------------------------------


def pull_diagnostics(
    ls: ApplcServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    try:
        a = ls.analysis(params.text_document.uri)
    except NotOpen:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = f"{a.version}:{a.generation}"
    if params.previous_result_id == result_id and a.version is not None:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(
        items=ls.lsp_diagnostics(a), result_id=result_id
    )


def open_documents_only(handler: Callable[[ApplcServer, Any], Any]) -> Callable[..., Any]:
    """A request about a document that is not open gets null, which every feature's
    result allows ("nothing here"), instead of an error the editor would show."""

    @functools.wraps(handler)
    def guarded(ls: ApplcServer, params: Any) -> Any:
        try:
            return handler(ls, params)
        except NotOpen:
            return None

    return guarded


def warm_up() -> None:
    """Import the rules and the JSON front end now, so the first document a user opens
    lints as fast as the rest."""
    from applc.api import lint_text

    try:
        lint_text("warm-up.appliance.json", '{"id": "w", "containers": []}')
    except Exception:  # a broken rule shows up, with its message, on the first real lint
        log.exception("warming up failed")


def create_server() -> ApplcServer:
    server = ApplcServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ApplcServer, params: types.InitializeParams) -> None:
        ls.configure(params)

    @server.feature(types.INITIALIZED)
    def initialized(ls: ApplcServer, params: types.InitializedParams) -> None:
        ls.watch_config_files()
        warm_up()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ApplcServer, params: types.DidOpenTextDocumentParams) -> None:
        if not ls.pull:
            ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ApplcServer, params: types.DidChangeTextDocumentParams) -> None:
        if not ls.pull:
            ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: ApplcServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if is_config_uri(uri):
            ls.config_changed()
        elif not ls.pull:
            ls.cancel(uri)
            ls.publish(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ApplcServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.cancel(uri)
        ls.analyses.pop(uri, None)
        ls.last_parsed.pop(uri, None)
        ls._lint_seconds.pop(uri, None)
        if not ls.pull:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ApplcServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(is_config_uri(c.uri) for c in params.changes):
            ls.config_changed()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @open_documents_only
    def hover(ls: ApplcServer, params: types.HoverParams) -> types.Hover | None:
        a = ls.analysis(params.text_document.uri)
        return features.hover(a, ls.offset(a, params.position), ls.client_info)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @open_documents_only
    def definition(ls: ApplcServer, params: types.DefinitionParams) -> types.Location | None:
        a = ls.analysis(params.text_document.uri)
        return features.definition(a, ls.offset(a, params.position), ls.encoding)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @open_documents_only
    def references(ls: ApplcServer, params: types.ReferenceParams) -> list[types.Location] | None:
        a = ls.analysis(params.text_document.uri)
        return features.references(
            a, ls.offset(a, params.position), ls.encoding, params.context.include_declaration
        )

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @open_documents_only
    def prepare_rename(
        ls: ApplcServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        a = ls.analysis(params.text_document.uri)
        return features.prepare_rename(a, ls.offset(a, params.position), ls.encoding)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    @open_documents_only
    def rename(ls: ApplcServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        a = ls.analysis(params.text_document.uri)
        try:
            edits = features.rename_edits(
                a, ls.offset(a, params.position), params.new_name, ls.encoding
            )
        except RenameError as exc:
            raise JsonRpcException(str(exc), code=REQUEST_FAILED) from None
        return features._edit(a.uri, a.version, edits, ls.client_info)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["@", '"'])
    )
    @open_documents_only
    def completion(ls: ApplcServer, params: types.CompletionParams) -> types.CompletionList | None:
        uri = params.text_document.uri
        a = ls.analysis(uri)
        if not a.active:
            return None
        return features.completion(
            a, ls.offset(a, params.position), ls.client_info, ls.last_parsed.get(uri)
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    @open_documents_only
    def code_action(
        ls: ApplcServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        a = ls.analysis(params.text_document.uri)
        return features.code_actions(a, params.range, params.context, ls.client_info) or None

    @server.command("applc.import")
    def import_file(ls: ApplcServer, *args: Any) -> dict[str, Any]:
        """`applc import` on a compose file or Marathon group (applc/server/importing.py):
        arguments `[uri]` or `[uri, options]`."""
        from pygls.exceptions import JsonRpcInvalidParams

        from applc.server.importing import run_import_command

        if not 1 <= len(args) <= 2:
            raise JsonRpcInvalidParams("applc.import takes [uri] or [uri, options]")
        try:
            return run_import_command(args[0], args[1] if len(args) > 1 else None, ls.encoding)
        except ValueError as exc:
            raise JsonRpcInvalidParams(str(exc)) from None

    return server


def run(log_file: str | None = None, level: int = logging.WARNING) -> int:
    """Serve over stdin and stdout until the client says exit; the exit status."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )  # stderr
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    from applc.server.transport import serve

    # The raw file: a read blocked in it holds no lock of the buffered stdin, which
    # the interpreter would wait for on the way out.
    stdin = getattr(sys.stdin.buffer, "raw", sys.stdin.buffer)
    return serve(create_server(), stdin, sys.stdout.buffer)
