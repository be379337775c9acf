"""The language server's re-lint after an edit: published as soon as the edit is
handled, once for a burst of edits, and never later than the edit that follows.

Timing is the benchmark's business (benchmarks/bench_server.py); these tests pin the
path in kind, on the server object itself: no timer stands between a fast document's
edit and its diagnostics, and edits that arrive while one is handled are linted once,
at the last of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.workspace import Workspace

from applc.server.server import ApplcServer, create_server

TEXT = """appliance shop

service db {
  image "postgres:15.4"
  resources cpus=1 mem=1024
}

service web {
  image "nginx:1.25.3"
  resources cpus=1 mem=512
  env {
    DATABASE_URL = "postgresql://@db:5432/shop"
  }
}
"""


def _server(tmp_path: Path) -> tuple[ApplcServer, str, list[Any]]:
    server = create_server()
    server.protocol._workspace = Workspace(tmp_path.as_uri())  # what `initialize` sets up
    published: list[Any] = []
    server.text_document_publish_diagnostics = published.append  # type: ignore[method-assign]
    uri = (tmp_path / "shop.appl").as_uri()
    server.workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="appl", version=1, text=TEXT)
    )
    server.publish(uri)
    assert [p.version for p in published] == [1]
    return server, uri, published


def _edit(server: ApplcServer, uri: str, version: int, old: str, new: str) -> None:
    doc = server.workspace.get_text_document(uri)
    at = doc.source.index(old)
    line = doc.source.count("\n", 0, at)
    col = at - (doc.source.rfind("\n", 0, at) + 1)
    rng = types.Range(
        start=types.Position(line=line, character=col),
        end=types.Position(line=line, character=col + len(old)),
    )
    server.workspace.update_text_document(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        types.TextDocumentContentChangePartial(range=rng, text=new),
    )
    server.changed(uri)


def test_an_edit_is_published_when_it_is_handled(tmp_path: Path) -> None:
    server, uri, published = _server(tmp_path)
    _edit(server, uri, 2, "@db", "@dbx")
    # no timer, no pause: the diagnostics of version 2 are out when `changed` returns
    assert not server._timers
    assert [p.version for p in published] == [1, 2]
    assert "APL201" in [d.code for d in published[-1].diagnostics]
    assert "APL201" not in [d.code for d in published[0].diagnostics]


def test_edits_that_arrive_together_are_linted_once_at_the_last(tmp_path: Path) -> None:
    server, uri, published = _server(tmp_path)
    waiting = True
    server.input_waiting = lambda: waiting
    _edit(server, uri, 2, "@db", "@dbx")
    _edit(server, uri, 3, "@dbx", "@dbxy")
    assert [p.version for p in published] == [1]  # more was coming: nothing linted yet
    waiting = False
    _edit(server, uri, 4, "@dbxy", "@db")
    assert [p.version for p in published] == [1, 4]
    assert [d.range for d in published[-1].diagnostics] == [
        d.range for d in published[0].diagnostics
    ]  # the text of version 4 is that of version 1
    # What a burst left deferred is linted once the messages are handled.
    waiting = True
    _edit(server, uri, 5, "@db", "@dbz")
    server.idle()
    server.idle()
    assert [p.version for p in published] == [1, 4, 5]
    assert "APL201" in [d.code for d in published[-1].diagnostics]


def test_a_closed_document_is_not_linted_after_a_burst(tmp_path: Path) -> None:
    server, uri, published = _server(tmp_path)
    server.input_waiting = lambda: True
    _edit(server, uri, 2, "@db", "@dbx")
    server.cancel(uri)  # what didClose and didSave do first
    server.idle()
    assert [p.version for p in published] == [1]
