"""The `applc.import` command of the language server (`workspace/executeCommand`).

An editor calls it on a compose file or a Marathon group, as saved on disk, with
`arguments: [uri, {"from"?, "to"?, "id"?, "profiles"?}]`, and gets back the appliance
text (JSON, or the DSL with `"to": "dsl"`), or null when nothing could be imported, and
the import's findings with ranges in the client's position encoding, each with the uri of
the file it points into, so the editor can open the result as a new document and show the
findings where they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from applc.server.positions import range_to_json, span_to_range

COMMAND = "applc.import"
_LSP_SEVERITY = {3: 1, 2: 2, 1: 3}  # applc error/warning/info -> LSP Error/Warning/Information


def run_import_command(uri: Any, options: Any, encoding: str) -> dict[str, Any]:
    """The command's result; raises ValueError (invalid params) for bad arguments."""
    from pygls.uris import to_fs_path

    from applc.convert import to_dsl_text, to_json_text
    from applc.importers import FORMATS, detect_format, run_import

    if not isinstance(uri, str):
        raise ValueError("the first argument must be the uri of the file to import")
    opts = options if isinstance(options, dict) else {}
    path = to_fs_path(uri)
    if path is None:
        raise ValueError(f"{uri} is not a file uri")
    fmt = opts.get("from")
    if fmt is None:
        from applc.files import UnsafeFile, read_regular

        try:
            # Never a plain open: a fifo named by the editor would block the server.
            fmt = detect_format(path, read_regular(path, limit=4096))
        except (OSError, UnsafeFile):
            fmt = "compose"
    if fmt not in FORMATS:
        raise ValueError(f"`from` must be one of {', '.join(FORMATS)}")
    to = opts.get("to", "json")
    if to not in ("json", "dsl"):
        raise ValueError("`to` must be json or dsl")
    profiles = opts.get("profiles") or []
    if not isinstance(profiles, list) or not all(isinstance(p, str) for p in profiles):
        raise ValueError("`profiles` must be a list of names")
    appliance_id = opts.get("id")
    if appliance_id is not None and not isinstance(appliance_id, str):
        raise ValueError("`id` must be a string")
    result = run_import([path], fmt, appliance_id=appliance_id, profiles=profiles)
    sources = result.reporter.sources
    diagnostics = []
    for d in result.reporter.diagnostics():
        source = sources.get(d.file)
        if source is None:
            continue
        file_uri = Path(d.file).resolve().as_uri() if d.file not in ("<stdin>",) else uri
        if d.file in result.reporter.hidden:
            # The import keeps no text of a file the user did not name, so its columns
            # stay code points: exact for ASCII, which dotenv and compose names are.
            rng = {
                "start": {"line": d.span.line - 1, "character": d.span.column - 1},
                "end": {"line": d.span.end_line - 1, "character": d.span.end_column - 1},
            }
        else:
            rng = range_to_json(span_to_range(source, d.span, encoding))
        diagnostics.append(
            {
                "uri": file_uri,
                "range": rng,
                "severity": _LSP_SEVERITY[int(d.severity)],
                "code": d.code,
                "source": "applc",
                "message": d.message + (f"\nhelp: {d.help}" if d.help else ""),
            }
        )
    text = None
    if result.value is not None:
        text = to_dsl_text(result.value) if to == "dsl" else to_json_text(result.value)
    return {
        "appliance": text,
        "language": to,
        "errors": sum(1 for x in diagnostics if x["severity"] == 1),
        "diagnostics": diagnostics,
    }
