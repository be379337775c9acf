"""`applc schema`: the appliance JSON Schema that editors use."""

from __future__ import annotations

import sys

import click

from applc.cli.common import fail, write_atomic


@click.command("schema")
@click.option("-o", "--output", metavar="PATH", help="Write the schema to a file.")
def schema_command(output: str | None) -> None:
    """Print the JSON Schema (draft-07) of the appliance format."""
    from applc.schema import schema_text

    text = schema_text()
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
