"""The language server's `applc.import` command, driven by a real LSP client (pytest-lsp)
over stdio, as an editor calls it on a compose file."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")

COMPOSE = """\
services:
  db:
    image: postgres:16
  web:
    image: shop/web:1.4
    environment:
      DB_HOST: db:5432
    ports: ["80:http"]
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "applc", "server"]),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass

    caps = client_capabilities("visual-studio-code")
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri())
    )
    lsp_client.init_result = result  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_the_server_offers_import_and_runs_it(client: LanguageClient, tmp_path: Path):
    caps = client.init_result.capabilities  # type: ignore[attr-defined]
    assert "applc.import" in caps.execute_command_provider.commands
    f = tmp_path / "compose.yaml"
    f.write_text(COMPOSE)
    got = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="applc.import", arguments=[f.as_uri()])
    )
    app = json.loads(got["appliance"])
    web = next(c for c in app["containers"] if c["id"] == "web")
    assert web["env"]["DB_HOST"] == "@db:5432"
    assert got["errors"] == 1
    bad = next(d for d in got["diagnostics"] if d["code"] == "APL502")
    # Line 8 (0-based 7), the value `"80:http"` after `    ports: [`.
    assert bad["uri"] == f.resolve().as_uri()
    assert bad["range"]["start"] == {"line": 7, "character": 12}
    assert bad["severity"] == 1
    rewrite = next(d for d in got["diagnostics"] if d["code"] == "APL506")
    assert rewrite["range"]["start"] == {"line": 6, "character": 15}
    assert rewrite["severity"] == 3


async def test_the_dsl_and_bad_arguments(client: LanguageClient, tmp_path: Path):
    f = tmp_path / "compose.yaml"
    f.write_text(COMPOSE.replace('    ports: ["80:http"]\n', ""))
    got = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="applc.import", arguments=[f.as_uri(), {"to": "dsl", "id": "shop"}]
        )
    )
    assert got["language"] == "dsl"
    assert got["errors"] == 0
    assert "shop" in got["appliance"] and "@db:5432" in got["appliance"]
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="applc.import", arguments=[f.as_uri(), {"from": "helm"}]
            )
        )
    missing = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="applc.import", arguments=[(tmp_path / "nope.yaml").as_uri()]
        )
    )
    assert missing["appliance"] is None
    assert [d["code"] for d in missing["diagnostics"]] == ["APL501"]


async def test_a_finding_in_a_file_the_compose_file_names_keeps_its_place(
    client: LanguageClient, tmp_path: Path
):
    # The import keeps no text of app.env (the user did not name it), yet the editor
    # must still be sent to line 3, column 3: where `"unclosed` opens its quote.
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  web:\n    image: shop/web:1.4\n    env_file: app.env\n")
    (tmp_path / "app.env").write_text('A=1\n# c\nB="unclosed\n')
    got = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="applc.import", arguments=[f.as_uri()])
    )
    bad = next(d for d in got["diagnostics"] if d["code"] == "APL502")
    assert bad["uri"] == (tmp_path / "app.env").resolve().as_uri()
    assert bad["range"]["start"] == {"line": 2, "character": 2}
    assert "unclosed" not in bad["message"]


async def test_importing_a_fifo_answers_without_waiting_for_a_writer(
    client: LanguageClient, tmp_path: Path
):
    fifo = tmp_path / "compose.yaml"
    os.mkfifo(fifo)
    got = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="applc.import", arguments=[fifo.as_uri()])
        ),
        timeout=60,  # a hang guard: a blocking open never returns
    )
    assert got["appliance"] is None
    bad = next(d for d in got["diagnostics"] if d["code"] == "APL501")
    assert "not a regular file" in bad["message"]
