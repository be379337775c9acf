"""`applc lint`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

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
    write_atomic,
)
from applc.diagnostics import Severity
from applc.formatters import FORMATS, Report, renderer
from applc.model.fields import DEFAULT_REASON

if TYPE_CHECKING:
    from applc.api import Change


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


def summary(report: Report, hint_fixes: bool = True) -> str:
    e, w, i = (report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    files = count(report.files, "file")
    if not report.diagnostics:
        return f"All checks passed! ({files})"
    text = f"Found {count(e, 'error')}, {count(w, 'warning')} and {count(i, 'info')} in {files}."
    safe = sum(1 for d in report.diagnostics if d.fix is not None and d.fix.safe)
    unsafe = sum(1 for d in report.diagnostics if d.fix is not None and not d.fix.safe)
    if hint_fixes and (safe or unsafe):
        more = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
        if safe:
            text += f"\n[*] {safe} fixable with `applc lint --fix`{more}."
        else:
            text += f"\n[*] {unsafe} fixable with `applc lint --fix --unsafe-fixes`."
    return text


def statistics(report: Report, as_json: bool) -> str:
    """How many findings each rule made, most first: a table, or JSON."""
    from collections import Counter

    counts = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    fixable = {d.code for d in report.diagnostics if d.fix is not None and d.fix.safe}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if as_json:
        import json

        items = [
            {"code": c, "name": names[c], "count": k, "fixable": c in fixable} for c, k in rows
        ]
        return json.dumps(items, indent=2) + "\n"
    width = max((len(str(k)) for _, k in rows), default=1)
    return "".join(
        f"{k:>{width}}  {c}  {'[*] ' if c in fixable else ''}{names[c]}\n" for c, k in rows
    )


@click.command("lint")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--output-format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT[=PATH]",
    envvar="APPLC_OUTPUT_FORMAT",
    shell_complete=complete.output_formats,
    help=f"Output format ({', '.join(FORMATS)}); repeat as FORMAT=PATH to also "
    "write other formats to files. Default: full.",
)
@click.option(
    "--fail-level",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 when a finding reaches this severity. Default: error.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@stdin_filename_option
@click.option(
    "--target",
    metavar="NAME",
    shell_complete=complete.targets,
    help="Also report what this build target cannot express.",
)
@click.option(
    "--force-exclude", is_flag=True, help="Apply `exclude` to files named on the command line too."
)
@color_option
@click.option("-q", "--quiet", is_flag=True, help="Print no summary.")
@click.option(
    "--fix", is_flag=True, help="Make the safe fixes and write the files back (atomically)."
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also make fixes that may change what the appliance means, "
    "such as renaming an unknown field to the closest known one.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print what --fix would change as a unified diff, and write nothing. Exit 1 when "
    "there is a change.",
)
@click.option(
    "--add-ignore",
    is_flag=True,
    help="Add an x-applc-ignore entry (`ignore CODE` in the DSL) for every finding, to adopt "
    "applc on existing files; the reason is --reason.",
)
@click.option(
    "--reason",
    metavar="TEXT",
    help=f"The reason --add-ignore writes (default: {DEFAULT_REASON}).",
)
@click.option(
    "--statistics",
    "show_statistics",
    is_flag=True,
    help="Print how many findings each rule made instead of the findings (JSON with -f json).",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings for the first FILE, and where each came from, then exit.",
)
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, then exit.")
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
    fix: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    add_ignore: bool,
    reason: str | None,
    show_statistics: bool,
    show_settings: bool,
    show_files: bool,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
) -> None:
    """Check appliance files and report every problem.

    FILES are appliance files (JSON or `.appl`), folders to search for them, or `-` for
    standard input. Without FILES, the current folder is searched. With --fix, the
    fixed text of standard input goes to standard output and the report to standard
    error.
    """
    from applc.api import Inputs, fix_paths, lint_paths
    from applc.config import ConfigError
    from applc.frontends import json_loader

    json_loader.FREEZE_SURVIVORS = True  # this process ends with the run
    if isinstance(formats, str):  # from the environment variable
        formats = tuple(formats.split())
    parsed = _parse_formats(formats or ("full",))
    stdout_formats = [n for n, p in parsed if p is None]
    if len(stdout_formats) > 1:
        fail("only one --output-format can go to standard output; give the others as FORMAT=PATH")
    if target is not None:
        load_target_or_fail(target)
    if add_ignore and (fix or show_diff):
        fail("--add-ignore cannot be combined with --fix or --diff")
    if add_ignore and no_inline_ignores:
        fail("--add-ignore writes x-applc-ignore entries, which --no-inline-ignores disregards")
    if reason is not None and not add_ignore:
        fail("--reason goes with --add-ignore")
    reason = DEFAULT_REASON if reason is None else reason
    if "\n" in reason or "\r" in reason or not reason.strip():
        fail("--reason must be one non-empty line")
    paths = list(files) or ["."]
    check_stdin_filename(stdin_filename, paths)
    if show_settings or show_files:
        _show(paths, show_settings, show_files, stdin_filename, force_exclude, budget, config,
              select, extend_select, ignore, no_inline_ignores, fail_level)  # fmt: skip
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    editing = fix or show_diff or add_ignore
    changes: list[Change] = []
    configs, first = load_settings(
        paths, config, select, extend_select, ignore, no_inline_ignores, fail_level
    )
    inputs = Inputs(
        paths,
        configs,
        stdin=stdin,
        stdin_filename=stdin_filename,
        target=target,
        budget=budget,  # type: ignore[arg-type]
        force_exclude=force_exclude,
        warn=warn,
    )
    try:
        if editing:
            add = reason if add_ignore else None
            report, changes = fix_paths(inputs, unsafe=unsafe_fixes, add_ignore=add)
        else:
            report = lint_paths(inputs)
    except ConfigError as exc:
        fail(str(exc))

    if show_diff:
        _print_diffs(changes, quiet)
        sys.exit(1 if changes else 0)
    # With --fix on standard input, standard output carries the fixed document.
    report_out = sys.stdout
    if editing and "-" in paths:
        fixed_stdin = next((c.new for c in changes if c.path == "-"), None)
        # Unchanged input goes back byte for byte (even when it is not UTF-8): as an
        # editor filter, applc must never corrupt the buffer it was given.
        fixed = None if fixed_stdin is None else fixed_stdin.encode("utf-8", "surrogatepass")
        data = (stdin or b"") if fixed is None else fixed
        sys.stdout.flush()
        raw = getattr(sys.stdout, "buffer", None)
        if raw is not None:
            raw.write(data)
            raw.flush()
        else:
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
            sys.stdout.flush()
        report_out = sys.stderr
    for c in changes:
        if c.path == "-":
            continue
        try:
            write_atomic(c.path, c.new)
        except OSError as exc:
            fail(f"cannot write {c.path}: {exc.strerror or exc}")

    tty = use_color(color, report_out)
    for name, path in parsed:
        if show_statistics and path is None:
            text = statistics(report, as_json=name == "json")
        else:
            text = renderer(name)(report, tty if path is None else False)
        if path is None:
            report_out.write(text)
        else:
            try:
                write_atomic(path, text)
            except OSError as exc:
                fail(f"cannot write {path}: {exc.strerror or exc}")
    report_out.flush()
    if not quiet:
        if changes:
            click.echo(_changed(changes, add_ignore), err=True)
        click.echo(summary(report, hint_fixes=not editing), err=True)
    if not report.files and not quiet:
        click.echo("note: no appliance files found", err=True)
    if exit_zero or add_ignore:
        sys.exit(0)
    failing = any(d.severity >= first.fail_level for d in report.diagnostics)
    sys.exit(1 if failing else 0)


def _show(
    paths: list[str],
    settings: bool,
    files: bool,
    stdin_filename: str | None,
    force_exclude: bool,
    budget: object,
    *config_args: Any,
) -> NoReturn:
    from applc.cli.common import load_configs
    from applc.cli.show import show_files, show_settings
    from applc.config import ConfigError

    if settings and files:
        fail("--show-settings and --show-files go one at a time")
    try:
        configs = load_configs(*config_args)
        if settings:
            text = show_settings(paths, configs, stdin_filename, budget)  # type: ignore[arg-type]
        else:
            text = show_files(paths, configs, force_exclude)
    except ConfigError as exc:
        fail(str(exc))
    sys.stdout.write(text)
    sys.stdout.flush()
    sys.exit(0)


def _changed(changes: list[Change], ignores: bool, would: bool = False) -> str:
    total = sum(sum(c.counts.values()) for c in changes)
    files = count(len(changes), "file")
    if ignores:
        return f"Added {count(total, 'ignore entry', 'ignore entries')} to {files}."
    return f"{'Would fix' if would else 'Fixed'} {count(total, 'finding')} in {files}."


def _print_diffs(changes: list[Change], quiet: bool) -> None:
    from applc.edits import unified_diff
    from applc.formatters.text import escape_controls

    for c in changes:
        name = escape_controls(c.name)  # as git quotes such names in its headers
        sys.stdout.write(unified_diff(c.old, c.new, f"a/{name}", f"b/{name}"))
    sys.stdout.flush()
    if not quiet:
        text = _changed(changes, False, would=True) if changes else "No fixes to make."
        click.echo(text, err=True)
