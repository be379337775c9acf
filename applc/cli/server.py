"""`applc server`: the language server for editors (LSP over stdio)."""

from __future__ import annotations

import logging
import sys

import click


@click.command("server")
@click.option(
    "--stdio",
    is_flag=True,
    help="Talk LSP over standard input and output (the default and only transport; "
    "accepted because some clients pass it).",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Write the server's log here instead of standard error.",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def server_command(stdio: bool, log_file: str | None, verbose: int) -> None:
    """Run the language server: diagnostics, quick fixes, hover, completion, go to
    definition, references and rename for JSON and `.appl` appliances.

    Editors start it as `applc server`; it speaks LSP on standard input and output.
    """
    from applc.server.server import run

    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    sys.exit(run(log_file=log_file, level=level))
