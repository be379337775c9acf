"""`applc lint`: its options; the run itself is `lint_run.run`."""

from __future__ import annotations

import click

from applc.cli import complete
from applc.cli.common import budget_option, color_option, config_options, stdin_filename_option
from applc.formatters import FORMATS
from applc.model.fields import DEFAULT_REASON


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
    ctx = click.get_current_context()
    if isinstance(formats, str):  # from the environment variable
        formats = tuple(formats.split())
    parsed = _parse_formats(formats or ("full",))
    from applc.cli.lint_run import run

    run(
        files,
        parsed,
        fail_level,
        exit_zero,
        stdin_filename,
        target,
        force_exclude,
        color,
        quiet,
        fix,
        unsafe_fixes,
        show_diff,
        add_ignore,
        reason,
        show_statistics,
        show_settings,
        show_files,
        budget,
        config,
        select,
        extend_select,
        ignore,
        no_inline_ignores,
        exclude=ctx.meta.get("applc.exclude") or (),
        extend_exclude=ctx.meta.get("applc.extend_exclude") or (),
    )
