"""What `applc lint` does once its options are read: the one run behind the click
command (`lint.py`) and the plain `applc lint FILE...` that starts without click
(`applc/cli/__init__.py`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

from applc.cli.console import (
    check_stdin_filename,
    count,
    echo,
    fail,
    load_configs,
    load_settings,
    load_target_or_fail,
    use_color,
    warn,
    write_atomic,
)

if TYPE_CHECKING:
    from applc.api import Change
    from applc.formatters import Report

# What the click command passes when no option is given (and APPLC_OUTPUT_FORMAT is not
# set): the plain `applc lint FILE...` runs with these. tests/test_cold_start_paths.py
# checks them against the command's own defaults.
PLAIN: dict[str, Any] = {
    "parsed": [("full", None)],
    "fail_level": None,
    "exit_zero": False,
    "stdin_filename": None,
    "target": None,
    "force_exclude": False,
    "color": "auto",
    "quiet": False,
    "fix": False,
    "unsafe_fixes": False,
    "show_diff": False,
    "add_ignore": False,
    "reason": None,
    "show_statistics": False,
    "show_settings": False,
    "show_files": False,
    "budget": None,
    "config": None,
    "select": (),
    "extend_select": (),
    "ignore": (),
    "no_inline_ignores": False,
    "exclude": (),
    "extend_exclude": (),
}


def summary(report: Report, hint_fixes: bool = True) -> str:
    from applc.diagnostics import Severity

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


def run(
    files: tuple[str, ...],
    parsed: list[tuple[str, str | None]],
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
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
) -> NoReturn:
    """Lint `files` (`parsed` are the output formats, FORMAT and PATH or None for
    standard output) and exit with the run's status."""
    from applc.api import Inputs, fix_paths, lint_paths
    from applc.config import ConfigError
    from applc.formatters import renderer
    from applc.frontends import json_loader

    json_loader.FREEZE_SURVIVORS = True  # this process ends with the run
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
    if reason is None:
        from applc.model.fields import DEFAULT_REASON

        reason = DEFAULT_REASON
    if "\n" in reason or "\r" in reason or not reason.strip():
        fail("--reason must be one non-empty line")
    paths = list(files) or ["."]
    check_stdin_filename(stdin_filename, paths)
    if show_settings or show_files:
        _show(paths, show_settings, show_files, stdin_filename, force_exclude, budget, config,
              select, extend_select, ignore, no_inline_ignores, fail_level, exclude,
              extend_exclude)  # fmt: skip
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    editing = fix or show_diff or add_ignore
    changes: list[Change] = []
    configs = load_configs(
        config,
        select,
        extend_select,
        ignore,
        no_inline_ignores,
        fail_level,
        exclude=exclude,
        extend_exclude=extend_exclude,
    )
    first = load_settings(paths, configs)
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
            echo(_changed(changes, add_ignore), err=True)
        echo(summary(report, hint_fixes=not editing), err=True)
    if not report.files and not quiet:
        echo("note: no appliance files found", err=True)
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
        echo(text, err=True)
