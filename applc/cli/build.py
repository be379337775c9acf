"""`applc build`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from applc.cli import complete
from applc.cli.common import (
    ColorChoice,
    budget_option,
    check_stdin_filename,
    config_options,
    count,
    fail,
    load_settings,
    load_target_or_fail,
    use_color,
)


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
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from `-`.")
@click.option("--color", type=ColorChoice, default="auto", show_default=True)
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
    from applc.config import ConfigError
    from applc.diagnostics import Severity
    from applc.formatters import Report, renderer
    from applc.frontends import json_loader
    from applc.targets.base import TargetOptions
    from applc.targets.registry import target_names

    json_loader.FREEZE_SURVIVORS = True  # this process ends with the run

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
        )
    except (BuildError, ConfigError) as exc:
        fail(str(exc))

    report = result.report
    shown = [d for d in report.diagnostics if not quiet or d.severity >= Severity.ERROR]
    if shown:
        text = renderer("full")(
            Report(shown, report.sources, report.files), use_color(color, sys.stderr)
        )
        sys.stderr.write(text)
        sys.stderr.flush()
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

    if output == "-":
        if len(result.outputs) != 1:
            names = ", ".join(o.name for o in result.outputs)
            fail(
                f"-o - prints one file, but the {target} target writes "
                f"{len(result.outputs)} here ({names}); give -o DIR"
            )
        sys.stdout.write(result.outputs[0].text)
        sys.stdout.flush()
        sys.exit(0)

    out_dir = Path(output if output is not None else Path("build") / target)
    if check or show_diff:
        found = changes(out_dir, result.outputs, result.obsolete)
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
                click.echo(f"{count(n, 'file')} up to date in {out_dir.as_posix()}", err=True)
        sys.exit(1 if found else 0)
    try:
        done = write_outputs(out_dir, result.outputs, result.obsolete)
    except OSError as exc:
        fail(
            f"cannot write to {out_dir.as_posix()}: {exc.strerror or exc}; "
            "the previous files are left as they were"
        )
    if not quiet:
        for ch in done:
            verb = {"create": "wrote", "update": "updated", "remove": "removed"}[ch.kind]
            click.echo(f"{verb} {(out_dir / ch.name).as_posix()}", err=True)
        unchanged = len(result.outputs) - sum(1 for ch in done if ch.kind != "remove")
        if unchanged:
            click.echo(
                f"{count(unchanged, 'file')} already up to date in {out_dir.as_posix()}",
                err=True,
            )
    sys.exit(0)
