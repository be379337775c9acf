"""`applc convert` and `applc fmt`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from applc.cli.common import color_option, count, fail, use_color, write_atomic
from applc.formatters.text import escape_controls


def _print_findings(doc: object, color: str) -> None:
    """Show why a file cannot be read, as lint shows it, on standard error: standard
    output carries only converted or formatted text (an editor filter such as
    `:%!applc fmt -` replaces its buffer with whatever arrives there)."""
    from applc.diagnostics import resolve
    from applc.formatters import Report, renderer
    from applc.frontends.document import Document
    from applc.rules.registry import RULES, load_rules

    assert isinstance(doc, Document)
    load_rules()
    diags = sorted(
        (
            resolve(f, doc.source, RULES[f.code].name, f.severity or RULES[f.code].severity)
            for f in doc.findings
            if f.code in ("APL001", "APL003")
        ),
        key=lambda d: d.sort_key,
    )
    report = Report(diags, {doc.source.path: doc.source}, 1)
    sys.stderr.write(renderer("full")(report, use_color(color, sys.stderr)))
    sys.stderr.flush()


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        fail(f"{path} is a directory")
    except FileNotFoundError:
        fail(f"{path} does not exist")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


@click.command("convert")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--to",
    "to",
    type=click.Choice(["json", "dsl"]),
    help="The language to write. Default: the other one (`.appl` files are DSL, all others JSON).",
)
@click.option(
    "--from",
    "from_",
    type=click.Choice(["json", "dsl"]),
    help="The language of FILE, when its name does not say (standard input is JSON unless given).",
)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write to PATH instead of standard output (`-` is standard output).",
)
@color_option
def convert_command(
    file: str, to: str | None, from_: str | None, output: str | None, color: str
) -> None:
    """Convert an appliance between JSON and the DSL.

    Every key is kept, unknown and duplicate ones included, so the result lints with
    the same findings. JSON -> DSL -> JSON gives back an equal document. A file that
    cannot be read is reported as lint reports it, with exit status 1.
    """
    from applc.convert import ConvertError, convert, language_of, load

    source_lang = from_ or ("json" if file == "-" else language_of(file))
    target = to or ("json" if source_lang == "dsl" else "dsl")
    data = _read(file)
    name = "<stdin>" if file == "-" else file
    try:
        loaded = load(name, data, source_lang)
    except ConvertError as exc:
        _print_findings(exc.document, color)
        click.echo(f"applc: {escape_controls(name)} was not converted: it cannot be read", err=True)
        sys.exit(1)
    try:
        text = convert(loaded, target)
    except TypeError as exc:
        click.echo(f"applc: {escape_controls(f'{name} was not converted: {exc}')}", err=True)
        sys.exit(1)
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_atomic(output, text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")


def _fmt_inputs(files: tuple[str, ...]) -> list[str]:
    from applc.inputs import discover, is_dsl

    out: list[str] = []
    for f in files or (".",):
        p = Path(f)
        if f != "-" and p.is_dir():
            out.extend(str(x) for x in discover(p) if is_dsl(str(x)))
        elif f == "-" or is_dsl(f):
            out.append(f)
        elif p.exists():
            fail(
                f"{f} is not a DSL file: `applc fmt` formats `.appl` files "
                "(use `applc convert` to turn JSON into the DSL)"
            )
        else:
            fail(f"{f} does not exist")
    return list(dict.fromkeys(out))


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when a file is not in the canonical layout.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Write nothing; show what would change as a unified diff (exit 1 when something would).",
)
@color_option
def fmt_command(files: tuple[str, ...], check: bool, diff: bool, color: str) -> None:
    """Format DSL (`.appl`) files in the one canonical layout, keeping comments.

    FILES are `.appl` files, folders to search for them, or `-` (standard input to
    standard output). Without FILES, the current folder is searched. Formatting is
    idempotent: a formatted file formats to itself.
    """
    import difflib

    from applc.frontends.dsl.formatter import format_text
    from applc.frontends.dsl.loader import decode_dsl_bytes, load_dsl_text
    from applc.source import line_ending, with_line_ending

    paths = _fmt_inputs(files)
    changed: list[str] = []
    unchanged = 0
    broken = 0
    for path in paths:
        data = _read(path)
        name = "<stdin>" if path == "-" else path
        text, findings = decode_dsl_bytes(name, data)
        if text is None:
            from applc.frontends.document import Document
            from applc.source import Source

            _print_findings(Document(Source(name, ""), None, findings, "dsl"), color)
            broken += 1
            continue
        formatted, errors = format_text(text)
        if formatted is None:
            _print_findings(load_dsl_text(name, text, findings), color)
            broken += 1
            continue
        formatted = with_line_ending(formatted, line_ending(text))
        if path == "-" and not check and not diff:
            sys.stdout.write(formatted)
            continue
        if formatted == text:
            unchanged += 1
            continue
        changed.append(name)
        if diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    fromfile=name,
                    tofile=name,
                )
            )
        elif check:
            click.echo(f"would reformat {escape_controls(name)}")
        else:
            try:
                write_atomic(path, formatted)
            except OSError as exc:
                fail(f"cannot write {path}: {exc.strerror or exc}")
    sys.stdout.flush()
    if paths != ["-"] or check or diff:
        verb = "would be reformatted" if (check or diff) else "reformatted"
        parts = []
        if changed:
            parts.append(f"{count(len(changed), 'file')} {verb}")
        if unchanged:
            parts.append(f"{count(unchanged, 'file')} left unchanged")
        if broken:
            parts.append(f"{count(broken, 'file')} could not be read")
        if parts:
            click.echo(", ".join(parts), err=True)
        elif not paths:
            click.echo("note: no .appl files found", err=True)
    if broken or ((check or diff) and changed):
        sys.exit(1)
