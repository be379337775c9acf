"""`applc build`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from applc.cli import complete
from applc.cli.common import (
    budget_option,
    check_stdin_filename,
    color_option,
    config_options,
    count,
    fail,
    load_settings,
    load_target_or_fail,
    stdin_filename_option,
    use_color,
    warn,
)
from applc.diagnostics import Severity
from applc.formatters import Report

if TYPE_CHECKING:
    from applc.build import OutputText


@click.command("build")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--target",
    "-t",
    metavar="NAME",
    shell_complete=complete.targets,
    help="marathon, compose or kubernetes (or a plug-in target). "
    "Default: `default-target` from the configuration.",
)
@click.option(
    "-o",
    "--output",
    metavar="DIR|-",
    help="The folder to write to (default: build/<target>/), or `-` to print "
    "the one file the target writes.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when the files in the output folder are stale.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Write nothing; print how the files in the output folder would change "
    "(exit 1 when they would).",
)
@click.option(
    "--namespace",
    metavar="NAME",
    help="kubernetes: the namespace to deploy into (default: the appliance id).",
)
@click.option(
    "--output-format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT[=PATH]",
    envvar="APPLC_OUTPUT_FORMAT",
    help="How to report findings, as for `applc lint` (full, concise, github, json, "
    "sarif, ...); repeat as FORMAT=PATH to also write other formats to files. Default: "
    "full, on standard error. A format chosen here goes to standard output, unless that "
    "carries the build (-o -) or the diff (--diff).",
)
@click.option(
    "--validate",
    is_flag=True,
    help="Also check every output against the schemas applc ships for the target "
    "(the marathon target: Marathon groups and Chronos jobs); exit 1 and write nothing when "
    "one fails.",
)
@stdin_filename_option
@color_option
@click.option(
    "-q", "--quiet", is_flag=True, help="Show only errors, and no summary of the files written."
)
@budget_option
@config_options
def build_command(
    files: tuple[str, ...],
    target: str | None,
    output: str | None,
    check: bool,
    show_diff: bool,
    namespace: str | None,
    stdin_filename: str | None,
    formats: tuple[str, ...],
    validate: bool,
    color: str,
    quiet: bool,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
) -> None:
    """Compile appliances for a platform: Marathon (with Chronos), compose or Kubernetes.

    FILES are appliance files (JSON or `.appl`), folders to search for them, or `-` for
    standard input (default: the current folder). Every file is linted first, with the
    target's own checks; a file with errors stops the build and nothing is written.
    Exit 0 when the outputs were written (or are current), 1 when errors stopped the
    build (or --check/--diff found stale files), 2 when applc could not run.
    """
    from applc.build import BuildError, changes, compile_paths, unified_diff, write_outputs
    from applc.cli.lint import _parse_formats
    from applc.config import ConfigError
    from applc.frontends import json_loader
    from applc.targets.base import TargetOptions
    from applc.targets.registry import target_names

    json_loader.FREEZE_SURVIVORS = True  # this process ends with the run

    if isinstance(formats, str):  # from the environment variable
        formats = tuple(formats.split())
    parsed = _parse_formats(formats or ("full",))
    if sum(1 for _, path in parsed if path is None) > 1:
        fail("only one --output-format can go to standard output; give the others as FORMAT=PATH")
    # The default report is for a person at a terminal; a chosen format is for a
    # program, on standard output when the build does not use it.
    stdout_busy = output == "-" or show_diff
    report_out = sys.stderr if not formats or stdout_busy else sys.stdout
    paths = list(files) or ["."]
    check_stdin_filename(stdin_filename, paths)
    if (check or show_diff) and output == "-":
        fail("--check and --diff compare files in a folder; they cannot be used with -o -")
    if target is not None:
        load_target_or_fail(target)
    configs, settings = load_settings(
        paths, config, select, extend_select, ignore, no_inline_ignores
    )
    target = target or settings.default_target
    if target is None:
        fail(
            "no target: pass --target ("
            + ", ".join(target_names())
            + ") or set `default-target` in the configuration"
        )
    if namespace is not None and target != "kubernetes":
        fail(f"--namespace applies to the kubernetes target, not to {target}")
    out_dir = (
        None if output == "-" else Path(output if output is not None else Path("build") / target)
    )
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    try:
        result = compile_paths(
            paths,
            configs,
            target,
            TargetOptions(namespace=namespace),
            budget=budget,  # type: ignore[arg-type]
            stdin=stdin,
            stdin_filename=stdin_filename,
            out_dir=out_dir,
            validate=validate,
            warn=warn,
        )
    except BuildError as exc:
        if exc.report is not None:
            _report(exc.report, parsed, report_out, quiet, color, explicit=bool(formats))
        fail(str(exc))
    except ConfigError as exc:
        fail(str(exc))

    report = result.report
    _report(report, parsed, report_out, quiet, color, explicit=bool(formats))
    if result.refused:
        n = sum(1 for d in report.diagnostics if d.severity >= Severity.ERROR)
        bad = sorted({d.file for d in report.diagnostics if d.severity >= Severity.ERROR})
        click.echo(
            f"applc: build refused: {count(n, 'error')} in {', '.join(bad)}; nothing was written",
            err=True,
        )
        sys.exit(1)
    if not report.files:
        fail("no appliance files found in " + ", ".join(paths))
    if result.invalid:
        click.echo(
            f"applc: build refused: the output fails the {target} schemas applc ships "
            "(a check lint was told to skip, or a bug in applc); nothing was written\n  "
            + "\n  ".join(result.invalid),
            err=True,
        )
        sys.exit(1)

    if out_dir is None:
        if len(result.outputs) != 1:
            names = ", ".join(o.name for o in result.outputs)
            fail(
                f"-o - prints one file, but the {target} target writes "
                f"{len(result.outputs)} here ({names}); give -o DIR"
            )
        _print(result.outputs[0])
        sys.exit(0)

    where = out_dir.as_posix()
    if check or show_diff:
        try:
            found = changes(out_dir, result, texts=show_diff)
        except BuildError as exc:
            fail(f"cannot compare with {where}: {exc}")
        _notes(result.notes, quiet)
        if show_diff:
            for ch in found:
                sys.stdout.write(unified_diff(out_dir, ch))
            sys.stdout.flush()
        if not quiet:
            for ch in found:
                what = {"create": "missing", "update": "stale", "remove": "obsolete"}[ch.kind]
                click.echo(f"{what}: {(out_dir / ch.name).as_posix()}", err=True)
            if not found:
                n = len(result.outputs)
                click.echo(f"{count(n, 'file')} up to date in {where}", err=True)
        sys.exit(1 if found else 0)
    try:
        done = write_outputs(out_dir, result)
    except BuildError as exc:
        fail(f"cannot write to {where}: {exc}; the previous files are left as they were")
    except OSError as exc:
        why = exc.strerror or exc
        fail(f"cannot write to {where}: {why}; the previous files are left as they were")
    _notes(result.notes, quiet)
    if not quiet:
        for ch in done:
            verb = {"create": "wrote", "update": "updated", "remove": "removed"}[ch.kind]
            click.echo(f"{verb} {(out_dir / ch.name).as_posix()}", err=True)
        unchanged = len(result.outputs) - sum(1 for ch in done if ch.kind != "remove")
        if unchanged:
            click.echo(f"{count(unchanged, 'file')} already up to date in {where}", err=True)
    sys.exit(0)


def _report(
    report: Report,
    parsed: list[tuple[str, str | None]],
    out: IO[str],
    quiet: bool,
    color: str,
    explicit: bool,
) -> None:
    """The findings in each format asked for: the default `full` only when there is
    something to say, a chosen format always (a program reading it expects a document)."""
    from applc.cli.common import write_atomic
    from applc.formatters import renderer

    shown = [d for d in report.diagnostics if not quiet or d.severity >= Severity.ERROR]
    filtered = Report(shown, report.sources, report.files)
    for name, path in parsed:
        if path is None:
            if not shown and not explicit:
                continue
            out.write(renderer(name)(filtered, use_color(color, out)))
            out.flush()
        else:
            try:
                write_atomic(path, renderer(name)(filtered, False))
            except OSError as exc:
                fail(f"cannot write {path}: {exc.strerror or exc}")


def _print(output: OutputText) -> None:
    """The file on standard output, a piece at a time as it was rendered (held until the
    end: a lone surrogate found late makes a JSON file start again in ASCII)."""
    pieces: list[str] = []

    class Pieces:
        def write(self, text: str) -> None:
            pieces.append(text)

        def restart(self) -> None:
            pieces.clear()

    output.write_to(Pieces())
    for piece in pieces:
        sys.stdout.write(piece)
    sys.stdout.flush()


def _notes(notes: list[str], quiet: bool) -> None:
    if not quiet:
        for note in notes:
            click.echo(f"applc: note: {note}", err=True)
