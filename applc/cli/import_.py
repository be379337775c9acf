"""`applc import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from applc.cli.common import color_option, count, fail, use_color, write_atomic


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--from",
    "from_",
    type=click.Choice(["compose", "marathon"]),
    help="The format of FILES. Default: Marathon for JSON, compose for YAML.",
)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write the appliance to PATH (default, and `-`: standard output).",
)
@click.option(
    "--to",
    "to",
    type=click.Choice(["json", "dsl"]),
    help="The language to write. Default: DSL when PATH ends in `.appl`, else JSON.",
)
@click.option(
    "--id",
    "appliance_id",
    metavar="ID",
    help="The appliance id (default: the compose project name, or the Marathon group id).",
)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    metavar="NAME",
    help="compose: a profile to enable (repeatable); as `docker compose --profile`.",
)
@click.option(
    "--allow-outside",
    "allow_outside",
    multiple=True,
    metavar="FOLDER",
    type=click.Path(exists=True, file_okay=False),
    help="compose: also read `.env`, `env_file` and `extends` files inside FOLDER "
    "(repeatable). By default only regular files inside the first compose file's folder "
    "are read.",
)
@click.option(
    "--output-format",
    "-f",
    "output_format",
    default="full",
    show_default=True,
    metavar="FORMAT",
    help="How to show the findings on standard error: full, concise, json, json-lines, "
    "sarif, github, gitlab, junit, rdjson.",
)
@color_option
@click.option("-q", "--quiet", is_flag=True, help="Show only errors, and no summary.")
def import_command(
    files: tuple[str, ...],
    from_: str | None,
    output: str | None,
    to: str | None,
    appliance_id: str | None,
    profiles: tuple[str, ...],
    allow_outside: tuple[str, ...],
    output_format: str,
    color: str,
    quiet: bool,
) -> None:
    """Turn docker-compose files or Marathon apps and groups into one appliance.

    Several compose FILES are merged in order, as `docker compose -f a -f b` merges
    them; `-` is standard input. What the appliance cannot carry is reported (APL5xx)
    with its line and column, and `applc rule APL5xx` explains each finding. Exit 0 when
    the appliance was written, 1 when there are errors (the appliance is still written
    when one could be made), 2 when applc could not run.
    """
    from applc.diagnostics import Severity
    from applc.formatters import FORMATS, Report, renderer
    from applc.importers import ImportError_, detect_format, run_import

    if output_format not in FORMATS:
        fail(f"unknown output format `{output_format}`; choose one of {', '.join(FORMATS)}")
    if list(files).count("-") > 1:
        fail("standard input (`-`) can be read once")
    if output is not None and output != "-" and Path(output).is_dir():
        fail(f"{output} is a directory; -o takes the file to write")
    stdin = sys.stdin.buffer.read() if "-" in files else None
    fmt = from_ or _detect(files[0], stdin, detect_format)
    if fmt == "marathon" and profiles:
        fail("--profile applies to compose files")
    if fmt == "marathon" and allow_outside:
        fail("--allow-outside applies to compose files")
    target = to or ("dsl" if output is not None and output.endswith(".appl") else "json")
    settings = _settings(files[0])
    try:
        result = run_import(
            list(files),
            fmt,
            appliance_id=appliance_id,
            profiles=list(profiles),
            stdin=stdin,
            settings=settings,
            allow_outside=list(allow_outside),
        )
    except ImportError_ as exc:
        fail(str(exc))
    diags = result.reporter.diagnostics(settings)
    shown = [d for d in diags if not quiet or d.severity >= Severity.ERROR]
    errors = sum(1 for d in diags if d.severity >= Severity.ERROR)
    if shown or output_format not in ("full", "concise"):
        report = Report(shown, result.reporter.sources, len(files))
        sys.stderr.write(renderer(output_format)(report, use_color(color, sys.stderr)))
        sys.stderr.flush()
    if result.value is None:
        click.echo("applc: nothing was imported", err=True)
        sys.exit(1)
    text = _text(result.value, target)
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            write_atomic(output, text)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    if not quiet and output_format in ("full", "concise"):
        n = len(result.value.get("containers", []))
        where = "standard output" if output in (None, "-") else output
        summary = f"imported {count(n, 'container')} into {where}"
        if errors:
            summary += f", with {count(errors, 'error')}: fix them and import again"
        click.echo(f"applc: {summary}", err=True)
    sys.exit(1 if errors else 0)


def _detect(first: str, stdin: bytes | None, detect: object) -> str:
    assert callable(detect)
    if first == "-":
        return str(detect("-", stdin or b""))
    from applc.files import read_regular

    try:
        # Without blocking: a fifo named on the command line is refused, not waited on.
        head = read_regular(first, limit=4096)
    except (OSError, ValueError):
        head = b""
    return str(detect(first, head))


def _settings(first: str) -> object:
    from applc.config import ConfigCache, ConfigError

    try:
        return ConfigCache(None, {}).for_path(first if first != "-" else ".")
    except ConfigError as exc:
        fail(str(exc))


def _text(value: dict[str, object], to: str) -> str:
    from applc.convert import to_dsl_text, to_json_text

    return to_dsl_text(value) if to == "dsl" else to_json_text(value)
