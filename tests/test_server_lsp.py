"""End-to-end tests of `applc server`, driven the way editors drive it.

Each test starts `python -m applc server` in a subprocess and talks LSP to it over stdio
with pytest-lsp's client, announcing the capabilities that real editors send (neovim,
Visual Studio Code, Emacs; recorded by pytest-lsp). Positions are checked against values
computed here independently of the server's own conversion code.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from applc.api import Inputs, lint_paths
from applc.config import ConfigCache

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
# A reply that a real client of these capabilities could not take fails the test.
pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")
PRESETS = ["neovim", "visual-studio-code", "emacs"]
TIMEOUT = 20

SHOP = """{
  "id": "shop",
  "containers": [
    {
      "id": "db",
      "type": "service",
      "image": "postgres:15.4",
      "resources": {"cpus": 1, "mem": 1024},
      "network_mode": "BRIDGE",
      "ports": [{"container_port": 5432}]
    },
    {
      "id": "web",
      "type": "service",
      "image": "nginx:1.25.3",
      "resources": {"cpus": 1, "mem": 512},
      "network_mode": "BRIDGE",
      "ports": [{"container_port": 80}],
      "env": {"DATABASE_URL": "postgresql://@db:5432/shop"},
      "dependencies": ["db"]
    }
  ]
}
"""


def capabilities(spec: str) -> types.ClientCapabilities:
    """A real editor's capabilities, optionally adjusted: `neovim+utf16` offers only
    UTF-16, `neovim+pull` also supports `workspace/diagnostic/refresh`."""
    name, *extras = spec.split("+")
    caps = client_capabilities(name)
    for extra in extras:
        if extra.startswith("utf"):
            enc = {"utf8": "utf-8", "utf16": "utf-16", "utf32": "utf-32"}[extra]
            caps.general = caps.general or types.GeneralClientCapabilities()
            caps.general.position_encodings = [enc]
        elif extra == "pull":
            assert caps.workspace is not None
            caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
                refresh_support=True
            )
    return caps


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "applc", "server"]),
    params=PRESETS,
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    registrations: list[types.RegistrationParams] = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.append(params)

    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="work")],
        )
    )
    lsp_client.init_result = result  # type: ignore[attr-defined]
    lsp_client.registrations = registrations  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


# --- helpers -----------------------------------------------------------------------------


def encoding_of(client: LanguageClient) -> str:
    enc = client.init_result.capabilities.position_encoding  # type: ignore[attr-defined]
    return str(getattr(enc, "value", enc) or "utf-16")


def units(text: str, enc: str) -> int:
    if enc == "utf-8":
        return len(text.encode("utf-8"))
    if enc == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def position(text: str, offset: int, enc: str) -> types.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=units(text[start:offset], enc))


def lsp_range(text: str, start: int, end: int, enc: str) -> types.Range:
    return types.Range(start=position(text, start, enc), end=position(text, end, enc))


def offset_of(text: str, pos: types.Position, enc: str) -> int:
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    seen = i = 0
    while i < len(line) and seen < pos.character:
        seen += units(line[i], enc)
        i += 1
    return start + i


def apply_edits(text: str, edits: list[types.TextEdit], enc: str) -> str:
    spans = sorted(
        (
            (offset_of(text, e.range.start, enc), offset_of(text, e.range.end, enc), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def edits_of(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    assert edit is not None
    if edit.document_changes:
        out: list[types.TextEdit] = []
        for dc in edit.document_changes:
            assert isinstance(dc, types.TextDocumentEdit)
            assert dc.text_document.uri == uri
            out.extend(e for e in dc.edits if isinstance(e, types.TextEdit))
        return out
    assert edit.changes is not None
    return list(edit.changes[uri])


class Doc:
    """An open document whose text the test keeps in step with the server."""

    def __init__(
        self, client: LanguageClient, path: Path, text: str, language: str = "json"
    ) -> None:
        self.client = client
        self.path = path
        self.uri = path.as_uri()
        self.text = text
        self.version = 1
        self.language = language
        self.enc = encoding_of(client)

    def expect_publish(self) -> asyncio.Future[Any]:
        return self.client.protocol.wait_for_notification_async(PUBLISH)

    async def diagnostics(self, fut: asyncio.Future[Any]) -> list[types.Diagnostic]:
        """The diagnostics published for this document at its current version."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            params = await asyncio.wait_for(fut, max(0.1, deadline - time.monotonic()))
            if params.uri == self.uri and params.version in (None, self.version):
                return list(params.diagnostics)
            fut = self.expect_publish()

    async def open(self) -> list[types.Diagnostic]:
        fut = self.expect_publish()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id=self.language, version=self.version, text=self.text
                )
            )
        )
        return await self.diagnostics(fut)

    def change_send(self, start: int, end: int, new: str) -> None:
        rng = lsp_range(self.text, start, end, self.enc)
        self.text = self.text[:start] + new + self.text[end:]
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[types.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )

    async def change(self, start: int, end: int, new: str) -> list[types.Diagnostic]:
        fut = self.expect_publish()
        self.change_send(start, end, new)
        return await self.diagnostics(fut)

    async def apply(self, edit: types.WorkspaceEdit | None) -> list[types.Diagnostic]:
        """Apply a workspace edit the way an editor does: as one full-text change."""
        new = apply_edits(self.text, edits_of(edit, self.uri), self.enc)
        fut = self.expect_publish()
        self.text = new
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new)],
            )
        )
        return await self.diagnostics(fut)

    def pos(self, needle: str, delta: int = 0, occurrence: int = 1) -> types.Position:
        idx = -1
        for _ in range(occurrence):
            idx = self.text.index(needle, idx + 1)
        return position(self.text, idx + delta, self.enc)

    def span(self, needle: str, occurrence: int = 1) -> types.Range:
        idx = -1
        for _ in range(occurrence):
            idx = self.text.index(needle, idx + 1)
        return lsp_range(self.text, idx, idx + len(needle), self.enc)

    def ident(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri)


async def open_doc(
    client: LanguageClient, tmp_path: Path, text: str, name: str = "shop.appliance.json"
) -> tuple[Doc, list[types.Diagnostic]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = Doc(client, path, text)
    return doc, await doc.open()


# --- diagnostics -------------------------------------------------------------------------


async def test_open_gives_the_diagnostics_of_applc_lint(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = (EXAMPLES / "broken.appliance.json").read_text(encoding="utf-8")
    doc, diags = await open_doc(client, tmp_path, text, "broken.appliance.json")
    report = lint_paths(Inputs([str(doc.path)], ConfigCache()))
    assert len(diags) == len(report.diagnostics) > 20
    severity = {"error": 1, "warning": 2, "info": 3}
    for got, want in zip(diags, report.diagnostics, strict=True):
        assert got.code == want.code
        assert got.message == want.message
        assert got.source == "applc"
        assert got.severity == severity[want.severity.label]
        assert got.code_description is not None and got.code_description.href == want.url
        assert want.code in got.code_description.href
        assert got.range.start == types.Position(
            line=want.span.line - 1, character=want.span.column - 1
        )
        assert got.range.end == types.Position(
            line=want.span.end_line - 1, character=want.span.end_column - 1
        )
        labels = [r.message for r in got.related_information or []]
        assert [lb.message for lb in want.labels] == labels[: len(want.labels)]
    dup = next(d for d in diags if d.code == "APL002")
    assert dup.related_information and dup.related_information[0].message == "first defined here"


async def test_typing_a_misspelt_reference_is_flagged_and_quick_fixed(
    client: LanguageClient, tmp_path: Path
) -> None:
    doc, diags = await open_doc(client, tmp_path, SHOP)
    assert diags == []
    at = doc.text.index("@db:5432") + len("@db")
    # One keystroke: @db -> @dbx. The diagnostics that come back are this version's (the
    # reference as typed, at its place); TIMEOUT only guards against a hang.
    diags = await doc.change(at, at, "x")
    assert [d.code for d in diags] == ["APL201"]
    assert diags[0].message == "unknown reference `@dbx`"
    assert diags[0].range == doc.span("@dbx")

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions is not None
    fixes = [a for a in actions if isinstance(a, types.CodeAction) and a.is_preferred]
    assert [f.title for f in fixes] == ["Replace with `@db` (APL201)"]
    assert fixes[0].kind == types.CodeActionKind.QuickFix
    diags = await doc.apply(fixes[0].edit)
    assert diags == []
    assert '"postgresql://@db:5432/shop"' in doc.text


async def test_save_publishes(client: LanguageClient, tmp_path: Path) -> None:
    doc, _ = await open_doc(client, tmp_path, SHOP)
    fut = doc.expect_publish()
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc.ident()))
    assert await doc.diagnostics(fut) == []


async def test_requests_about_a_closed_or_never_opened_document_get_null(
    client: LanguageClient, tmp_path: Path
) -> None:
    # On disk but never opened: the server answers from what the editor sent, and
    # reads no file a request merely names.
    (tmp_path / "disk.appliance.json").write_text(SHOP, encoding="utf-8")
    doc, _ = await open_doc(client, tmp_path, SHOP)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc.ident()))
    at = position(SHOP, SHOP.index('"db"') + 1, doc.enc)
    for uri in ((tmp_path / "disk.appliance.json").as_uri(), doc.uri):
        ident = types.TextDocumentIdentifier(uri=uri)
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=ident, position=at)
        )
        assert hover is None
        where = await client.text_document_definition_async(
            types.DefinitionParams(text_document=ident, position=at)
        )
        assert where is None


async def test_other_json_is_left_alone(client: LanguageClient, tmp_path: Path) -> None:
    text = json.dumps({"name": "site", "version": "1.0.0", "dependencies": {"x": "1"}})
    _, diags = await open_doc(client, tmp_path, text, "package.json")
    assert diags == []
    # A JSON file with `containers` at the top level is an appliance, whatever its name.
    _, diags = await open_doc(client, tmp_path, '{"id": "x", "containers": []}', "x.json")
    assert [d.code for d in diags] == ["APL107"]


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_fast_typing_on_a_big_document_ends_on_the_latest_text(
    client: LanguageClient, tmp_path: Path
) -> None:
    # 3,000 containers lint in well over 50 ms, so the server waits for a pause in
    # typing; whatever it skips, the last diagnostics are those of the last keystroke.
    value = json.loads(SHOP)
    web = value["containers"][1]
    value["containers"] += [{**web, "id": f"web{i}", "dependencies": ["db"]} for i in range(3000)]
    text = json.dumps(value, indent=1)
    doc, diags = await open_doc(client, tmp_path, text)
    assert diags == []
    at = doc.text.index("@db:5432") + len("@db")
    for ch in "xyz":
        doc.change_send(at, at, ch)
        at += 1
    fut = doc.expect_publish()
    diags = await doc.diagnostics(fut)
    assert [d.message for d in diags] == ["unknown reference `@dbxyz`"]
    assert diags[0].range == doc.span("@dbxyz")


# --- navigation --------------------------------------------------------------------------


async def test_go_to_definition(client: LanguageClient, tmp_path: Path) -> None:
    doc, _ = await open_doc(client, tmp_path, SHOP)
    decl = doc.span('"db"')
    for where in (doc.pos("@db:5432", 2), doc.pos('["db"]', 2)):
        got = await client.text_document_definition_async(
            types.DefinitionParams(text_document=doc.ident(), position=where)
        )
        locs = got if isinstance(got, list) else [got]
        assert len(locs) == 1
        loc = locs[0]
        assert isinstance(loc, types.Location)
        assert loc.uri == doc.uri and loc.range == decl


async def test_references_and_rename(client: LanguageClient, tmp_path: Path) -> None:
    doc, _ = await open_doc(client, tmp_path, SHOP)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc.ident(),
            position=doc.pos('"db"', 1),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert sorted((r.range.start.line, r.range.start.character) for r in refs) == sorted(
        (r.start.line, r.start.character)
        for r in (doc.span("db", 1), doc.span("db", 2), doc.span("db", 3))
    )

    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc.ident(), position=doc.pos("@db", 1))
    )
    assert isinstance(prep, types.PrepareRenamePlaceholder)
    assert prep.placeholder == "db" and prep.range == doc.span("db", 2)

    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=doc.ident(), position=doc.pos("@db", 2), new_name="postgres"
        )
    )
    diags = await doc.apply(edit)
    assert diags == []
    value = json.loads(doc.text)
    assert value["containers"][0]["id"] == "postgres"
    assert value["containers"][1]["dependencies"] == ["postgres"]
    assert value["containers"][1]["env"]["DATABASE_URL"] == "postgresql://@postgres:5432/shop"

    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=doc.ident(), position=doc.pos('"web"', 1), new_name="postgres"
            )
        )


# --- hover -------------------------------------------------------------------------------


async def test_hover_on_field_and_on_rule_code(client: LanguageClient, tmp_path: Path) -> None:
    text = SHOP.replace(
        '"id": "web",', '"id": "web", "x-applc-ignore": {"APL301": "ok"}, "is_privileged": true,'
    )
    doc, diags = await open_doc(client, tmp_path, text)
    assert diags == []
    hov = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos('"image"', 2))
    )
    assert hov is not None and isinstance(hov.contents, types.MarkupContent)
    assert "Docker image" in hov.contents.value
    assert hov.range == doc.span('"image"')

    hov = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos('"APL301"', 3))
    )
    assert hov is not None and isinstance(hov.contents, types.MarkupContent)
    assert "privileged" in hov.contents.value
    assert "docs/rules/APL301" in hov.contents.value


# --- completion --------------------------------------------------------------------------


def labels(result: Any) -> list[str]:
    if result is None:
        return []
    items = result.items if isinstance(result, types.CompletionList) else result
    return [i.label for i in items]


async def test_completion(client: LanguageClient, tmp_path: Path) -> None:
    doc, _ = await open_doc(client, tmp_path, SHOP)
    # Container ids right after typing `@` in a string PIVOT rewrites (JSON now broken).
    at = doc.text.index('"postgresql://@db:5432/shop"')
    diags = await doc.change(at, at + len('"postgresql://@db:5432/shop"'), '"http://@')
    assert diags and diags[0].code == "APL001"
    got = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=doc.ident(),
            position=position(doc.text, at + len('"http://@'), doc.enc),
            context=types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character="@"
            ),
        )
    )
    assert labels(got) == ["db"]  # not `web` itself

    # Dependencies: the ids not yet listed.
    doc2, _ = await open_doc(client, tmp_path, SHOP.replace('["db"]', '[""]'), "b.appliance.json")
    got = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc2.ident(), position=doc2.pos('[""]', 2))
    )
    assert labels(got) == ["db"]

    # Field names where a key goes, while the key is being typed.
    at = doc2.text.index('"image": "nginx')
    await doc2.change(at, at, '"im')
    got = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=doc2.ident(), position=position(doc2.text, at + 3, doc2.enc)
        )
    )
    names = labels(got)
    assert "instances" in names and "health_check" in names
    assert "retries" not in names  # a job field, and this is a service
    assert "id" not in names and "type" not in names  # already there


# --- code actions ------------------------------------------------------------------------


async def test_ignore_this_rule_here(client: LanguageClient, tmp_path: Path) -> None:
    text = SHOP.replace(
        '"image": "nginx:1.25.3",', '"image": "nginx:1.25.3", "is_privileged": true,'
    )
    doc, diags = await open_doc(client, tmp_path, text)
    assert [d.code for d in diags] == ["APL301"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions is not None
    ignore = [
        a
        for a in actions
        if isinstance(a, types.CodeAction) and a.title.startswith("Ignore APL301")
    ]
    assert [a.title for a in ignore] == ["Ignore APL301 (privileged) for container `web`"]
    diags = await doc.apply(ignore[0].edit)
    assert diags == []  # suppressed, and the new entry is used (no APL090)
    value = json.loads(doc.text)
    assert "APL301" in value["containers"][1]["x-applc-ignore"]


# --- configuration -----------------------------------------------------------------------


async def test_config_change_relints_open_documents(client: LanguageClient, tmp_path: Path) -> None:
    text = SHOP.replace("nginx:1.25.3", "nginx")
    doc, diags = await open_doc(client, tmp_path, text)
    assert [d.code for d in diags] == ["APL304"]

    cfg = tmp_path / "applc.toml"
    cfg.write_text('ignore = ["unpinned-image"]\n', encoding="utf-8")
    fut = doc.expect_publish()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=cfg.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    assert await doc.diagnostics(fut) == []

    # A broken config is reported to the user, and linting goes on with the defaults.
    cfg.write_text('ignroe = ["APL304"]\n', encoding="utf-8")
    fut = doc.expect_publish()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=cfg.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert [d.code for d in await doc.diagnostics(fut)] == ["APL304"]
    shown = [m for m in client.messages if m.type == types.MessageType.Error]
    assert shown and "unknown configuration key `ignroe`" in shown[-1].message
    assert "did you mean `ignore`?" in shown[-1].message

    # The server is still serving.
    hov = await client.text_document_hover_async(
        types.HoverParams(text_document=doc.ident(), position=doc.pos('"image"', 2))
    )
    assert hov is not None


async def test_config_watch_is_registered_when_the_client_allows(client: LanguageClient) -> None:
    await asyncio.sleep(0.2)
    caps = client.capabilities
    dynamic = bool(
        caps
        and caps.workspace
        and caps.workspace.did_change_watched_files
        and caps.workspace.did_change_watched_files.dynamic_registration
    )
    regs = [r for p in client.registrations for r in p.registrations]  # type: ignore[attr-defined]
    assert bool(regs) == dynamic
    if regs:
        assert regs[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES


# --- position encodings ------------------------------------------------------------------

WIDE = SHOP.replace(
    '"DATABASE_URL": "postgresql://@db:5432/shop"',
    '"GREETING": "名前 😀 @dbb", "DATABASE_URL": "postgresql://@db:5432/shop"',
)


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("visual-studio-code", "utf-16"),
        ("neovim", "utf-8"),
        ("neovim+utf16", "utf-16"),
        ("emacs", "utf-32"),
    ],
    indirect=["client"],
)
async def test_positions_on_a_line_with_emoji_and_cjk(
    client: LanguageClient, tmp_path: Path, expected: str
) -> None:
    doc, diags = await open_doc(client, tmp_path, WIDE)
    assert doc.enc == expected
    start = WIDE.index("@dbb")
    line_start = WIDE.rfind("\n", 0, start) + 1
    want_char = units(WIDE[line_start:start], expected)
    (d,) = [d for d in diags if d.code == "APL201"]
    assert d.range.start.character == want_char
    assert d.range.end.character == want_char + len("@dbb")
    assert d.range.start.character != start - line_start or expected == "utf-32"

    # The quick fix lands exactly on the reference in this encoding too.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred)
    assert await doc.apply(fix.edit) == []
    assert '"名前 😀 @db"' in doc.text

    # Positions the client sends are read in its encoding: definition from `@db` there.
    got = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc.ident(), position=doc.pos("😀 @db", 4))
    )
    loc = got[0] if isinstance(got, list) else got
    assert isinstance(loc, types.Location) and loc.range == doc.span('"db"')

    # And a keystroke after the emoji is applied at the right place.
    at = doc.text.index("😀 @db") + len("😀 @db")
    diags = await doc.change(at, at, "x")
    (d,) = diags
    assert d.message == "unknown reference `@dbx`"
    assert d.range == doc.span("@dbx")


# --- pull diagnostics --------------------------------------------------------------------


@pytest.mark.parametrize("client", ["neovim+pull"], indirect=True)
async def test_pull_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    caps = client.init_result.capabilities  # type: ignore[attr-defined]
    assert caps.diagnostic_provider is not None
    path = tmp_path / "shop.appliance.json"
    text = SHOP.replace("nginx:1.25.3", "nginx")
    path.write_text(text, encoding="utf-8")
    doc = Doc(client, path, text)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc.uri, language_id="json", version=1, text=text
            )
        )
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc.ident())
    )
    assert report.kind == "full"
    assert [d.code for d in report.items] == ["APL304"]
    assert doc.uri not in client.diagnostics  # pulled, never also pushed

    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=doc.ident(), previous_result_id=report.result_id
        )
    )
    assert again.kind == "unchanged"

    cfg = tmp_path / "applc.toml"
    cfg.write_text('ignore = ["APL304"]\n', encoding="utf-8")
    before = client.diagnostic_refresh_count
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=cfg.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    for _ in range(100):
        if client.diagnostic_refresh_count > before:
            break
        await asyncio.sleep(0.05)
    assert client.diagnostic_refresh_count > before
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=doc.ident(), previous_result_id=report.result_id
        )
    )
    assert report.kind == "full" and list(report.items) == []


@pytest.mark.parametrize("client", ["neovim"], indirect=True)
async def test_push_for_clients_that_cannot_be_asked_to_pull_again(client: LanguageClient) -> None:
    # neovim 0.11 can pull but has no workspace/diagnostic/refresh, so a config change
    # could not reach it: it gets push, and no diagnosticProvider to pull twice from.
    assert client.init_result.capabilities.diagnostic_provider is None  # type: ignore[attr-defined]


# --- DSL ---------------------------------------------------------------------------------


async def test_dsl_documents_get_the_same_features(client: LanguageClient, tmp_path: Path) -> None:
    from applc.api import lint_text
    from applc.frontends.dsl.printer import to_dsl

    value = json.loads(SHOP)
    value["containers"][1]["env"]["DATABASE_URL"] = "postgresql://@dbx:5432/shop"
    text = to_dsl(value)
    path = tmp_path / "shop.appl"
    path.write_text(text, encoding="utf-8")
    doc = Doc(client, path, text, language="appl")
    diags = await doc.open()
    _, want = lint_text(str(path), text)
    assert [(d.code, d.message) for d in diags] == [(w.code, w.message) for w in want]
    assert [d.code for d in diags] == ["APL201"]
    assert diags[0].range == doc.span("@dbx")

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc.ident(),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred)
    assert await doc.apply(fix.edit) == []

    # Go to definition from the dependency, and ids after `@`.
    dep = doc.text.index("db", doc.text.index("depends"))
    got = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc.ident(), position=position(doc.text, dep + 1, doc.enc)
        )
    )
    loc = got[0] if isinstance(got, list) else got
    assert isinstance(loc, types.Location)
    assert loc.range.start.line == doc.pos("service db").line
    at = doc.text.index("@db") + 1
    got = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc.ident(), position=position(doc.text, at, doc.enc))
    )
    assert labels(got) == ["db"]
