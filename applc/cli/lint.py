"""`applc lint`."""

from __future__ import annotations

import sys

import click

from applc.cli.common import (
    ColorChoice,
    budget_option,
    config_options,
    fail,
    load_configs,
    use_color,
    write_atomic,
)
from applc.diagnostics import Severity
from applc.formatters import FORMATS, Report, renderer


def _parse_formats(values: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for v in values:
        name, _, path = v.partition("=")
        name = name.strip().lower()
        if name not in FORMATS:
            import difflib

            guess = difflib.get_close_matches(name, FORMATS, n=1)
            hint = f" (did you mean `{guess[0]}`?)" if guess else ""
            raise click.BadParameter(
                f"unknown format `{name}`{hint}; choose from {', '.join(FORMATS)}",
                param_hint="--output-format",
            )
        out.append((name, path or None))
    return out


def summary(report: Report) -> str:
    e, w, i = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if not report.diagnostics:
        return f"All checks passed! ({files})"

    def n(k: int, word: str) -> str:
        return f"{k} {word}{'s' if k != 1 else ''}"

    return f"Found {n(e, 'error')}, {n(w, 'warning')} and {n(i, 'info')} in {files}."


@click.command("lint")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--output-format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT[=PATH]",
    envvar="APPLC_OUTPUT_FORMAT",
    help=f"Output format ({', '.join(FORMATS)}); repeat as FORMAT=PATH to also "
    "write other formats to files. Default: full.",
)
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 when a finding reaches this severity. Default: error.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from `-`.")
@click.option("--target", metavar="NAME", help="Also report what this build target cannot express.")
@click.option(
    "--force-exclude", is_flag=True, help="Apply `exclude` to files named on the command line too."
)
@click.option("--color", type=ColorChoice, default="auto", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print no summary.")
@budget_option
@config_options
def lint_command(
    files: tuple[str, ...],
    formats: tuple[str, ...],
    fail_level: str | None,
    exit_zero: bool,
    stdin_filename: str | None,
    target: str | None,
    force_exclude: bool,
    color: str,
    quiet: bool,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
) -> None:
    """Check appliance files and report every problem.

    FILES are appliance files (JSON or `.appl`), folders to search for them, or `-` for
    standard input. Without FILES, the current folder is searched.
    """
    from applc.api import lint_paths
    from applc.config import ConfigError

    if isinstance(formats, str):  # from the environment variable
        formats = tuple(formats.split())
    parsed = _parse_formats(formats or ("full",))
    stdout_formats = [n for n, p in parsed if p is None]
    if len(stdout_formats) > 1:
        fail("only one --output-format can go to standard output; give the others as FORMAT=PATH")
    if target is not None:
        from applc.targets.registry import target_names

        names = target_names()
        if target not in names:
            fail(f"unknown target `{target}`; choose from {', '.join(names)}")
    paths = list(files) or ["."]
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    try:
        configs = load_configs(config, select, extend_select, ignore, no_inline_ignores, fail_level)
        report = lint_paths(
            paths,
            configs,
            stdin=stdin,
            stdin_filename=stdin_filename,
            target=target,
            budget=budget,  # type: ignore[arg-type]
            force_exclude=force_exclude,
        )
        level = configs.for_path(paths[0] if paths[0] != "-" else ".").fail_level
    except ConfigError as exc:
        fail(str(exc))
    tty = use_color(color, sys.stdout)
    for name, path in parsed:
        text = renderer(name)(report, tty if path is None else False)
        if path is None:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                fail(f"cannot write {path}: {exc.strerror or exc}")
    sys.stdout.flush()
    if not quiet:
        click.echo(summary(report), err=True)
    if not report.files and not quiet:
        click.echo("note: no appliance files found", err=True)
    if exit_zero:
        sys.exit(0)
    failing = any(d.severity >= level for d in report.diagnostics)
    sys.exit(1 if failing else 0)
