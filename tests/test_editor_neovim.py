"""The Neovim 0.7-0.9 set-up of docs/editors.md, run as it is on the page in a real
headless Neovim (Debian's `neovim` package): diagnostics from applc must arrive."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.docblocks import read_blocks

ROOT = Path(__file__).resolve().parents[1]
MARKER = "-- applc language server, Neovim 0.7 to 0.9"

# Waits for the first diagnostics of the buffer, writes them out and quits.
CHECK = """
local ok = vim.wait(90000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, vim.fn.json_encode({
    lnum = d.lnum, col = d.col, code = d.code, source = d.source, severity = d.severity,
    message = d.message }))
end
vim.fn.writefile(out, "diagnostics.jsonl")
vim.cmd("qa!")
"""


def _snippet() -> str:
    found = [
        b.text
        for b in read_blocks(ROOT / "docs" / "editors.md")
        if b.info == "lua" and b.text.startswith(MARKER)
    ]
    assert len(found) == 1, "docs/editors.md has one Neovim 0.7-0.9 snippet"
    return found[0]


def _nvim() -> str:
    nvim = shutil.which("nvim")
    if nvim is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Neovim test: apt-get install neovim")
        pytest.skip("no nvim on PATH (apt-get install neovim)")
    return nvim


def test_snippet_uses_only_what_neovim_0_7_has():
    text = _snippet()
    assert "vim.lsp.start_client" in text and "vim.lsp.buf_attach_client" in text
    assert "nvim_create_autocmd" in text and '"FileType"' in text
    # 0.8+ and 0.10+ APIs that 0.7 lacks
    for newer in ("vim.lsp.start(", "vim.fs.", "vim.lsp.config", "vim.lsp.enable"):
        assert newer not in text


def test_headless_neovim_gets_applc_diagnostics(tmp_path):
    nvim = _nvim()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "applc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m applc "$@"\n')
    shim.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "examples" / "broken.appliance.json", work)
    (work / "init.lua").write_text(_snippet(), encoding="utf-8")
    (work / "check.lua").write_text(CHECK, encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    run = subprocess.run(
        [nvim, "--headless", "-u", "init.lua", "-c", "luafile check.lua", "broken.appliance.json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    out = work / "diagnostics.jsonl"
    assert out.is_file(), run.stderr
    diags = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert diags, "no diagnostics arrived in Neovim"
    # examples/README.md, row 1: the misspelt `@zookeper` on line 34, column 41 (1-based).
    assert {
        "lnum": 33,
        "col": 40,
        "code": "APL201",
        "source": "applc",
        "severity": 1,  # vim.diagnostic.severity.ERROR
        "message": "unknown reference `@zookeper`",
    } in diags
    # Everything `applc lint` reports for the file arrives, no more and no less.
    lint = subprocess.run(
        [sys.executable, "-m", "applc", "lint", "-f", "json-lines", "broken.appliance.json"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    expected = sorted(json.loads(line)["code"] for line in lint.stdout.splitlines())
    assert sorted(d["code"] for d in diags) == expected
