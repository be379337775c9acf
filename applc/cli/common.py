"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from applc.rules.context import Budget

if TYPE_CHECKING:
    from applc.config import ConfigCache, Settings
    from applc.targets.base import Target

F = TypeVar("F", bound=Callable[..., Any])

ColorChoice = click.Choice(["auto", "always", "never"])


def count(k: int, word: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: a number and its noun."""
    return f"{k} {word if k == 1 else plural or word + 's'}"


def fail(message: str) -> NoReturn:
    """applc could not run: say why on standard error and exit 2. The message may quote a
    file name or a config value, so control characters in each of its lines are shown
    escaped."""
    from applc.formatters.text import escape_controls

    shown = "\n".join(escape_controls(line) for line in message.split("\n"))
    click.echo(f"applc: error: {shown}", err=True)
    sys.exit(2)


def check_stdin_filename(stdin_filename: str | None, paths: list[str] | tuple[str, ...]) -> None:
    """`--stdin-filename` names what `-` reads: without `-` it would be silently unused."""
    if stdin_filename is not None and "-" not in paths:
        fail("--stdin-filename names standard input: give `-` among the files to read it")


def warn(message: str) -> None:
    """Something the user may have meant was skipped: say so on standard error."""
    click.echo(f"applc: warning: {message}", err=True)


def use_color(choice: str, stream: IO[str]) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write_atomic(path: str, text: str) -> None:
    """Write a file the user named: atomically where that is safe, through symbolic links,
    directly to fifos and devices, never over a read-only file (applc/files.py)."""
    from applc.files import write_file

    write_file(path, text)


def parse_budget(value: str | None) -> Budget | None:
    if value is None:
        return None
    out: dict[str, float] = {}
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, num = part.partition("=")
        key = key.strip()
        if not sep or key not in ("cpus", "mem", "disk", "gpus"):
            raise click.BadParameter(
                f"`{part}`: expected KEY=NUMBER with KEY one of cpus, mem, disk, gpus",
                param_hint="--budget",
            )
        try:
            n = float(num)
        except ValueError:
            raise click.BadParameter(f"`{num}` is not a number", param_hint="--budget") from None
        if n < 0 or n != n or n == float("inf"):
            raise click.BadParameter(
                f"`{num}` must be a finite number of at least 0", param_hint="--budget"
            )
        out[key] = n
    return Budget(**out)


# Options that several commands take, each written once so that its name, help and
# behaviour cannot drift apart between commands.


def color_option(fn: F) -> F:
    return click.option("--color", type=ColorChoice, default="auto", show_default=True)(fn)


def stdin_filename_option(fn: F) -> F:
    return click.option(
        "--stdin-filename", metavar="PATH", help="The name of the file read from `-`."
    )(fn)


def budget_option(fn: F) -> F:
    return click.option(
        "--budget",
        metavar="cpus=N,mem=MiB,disk=MiB,gpus=N",
        callback=lambda ctx, param, value: parse_budget(value),
        help="Resources the appliance may use in all (overrides the config's budget).",
    )(fn)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


def _complete_selectors(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from applc.cli.complete import selectors

    return selectors(ctx, param, incomplete)


def _stash(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep an option for load_configs without adding a parameter to every command."""
    ctx.meta[f"applc.{param.name}"] = value
    return value


def config_options(fn: F) -> F:
    for opt in reversed(
        [
            click.option(
                "--config",
                type=click.Path(dir_okay=False),
                metavar="PATH",
                help="Use this configuration file instead of searching for one.",
            ),
            click.option(
                "--select",
                multiple=True,
                shell_complete=_complete_selectors,
                metavar="RULES",
                help="Only these rules (codes, names or prefixes, comma-separated).",
            ),
            click.option(
                "--extend-select",
                multiple=True,
                shell_complete=_complete_selectors,
                metavar="RULES",
                help="These rules in addition to the selected ones.",
            ),
            click.option(
                "--ignore",
                multiple=True,
                metavar="RULES",
                shell_complete=_complete_selectors,
                help="Skip these rules.",
            ),
            click.option(
                "--no-inline-ignores",
                is_flag=True,
                help="Disregard every x-applc-ignore in the files.",
            ),
            click.option(
                "--exclude",
                multiple=True,
                metavar="GLOBS",
                expose_value=False,
                callback=_stash,
                help="Skip files in the folders searched that match these gitignore-style "
                "patterns, relative to the current folder (comma-separated); replaces the "
                "configuration's `exclude`.",
            ),
            click.option(
                "--extend-exclude",
                multiple=True,
                metavar="GLOBS",
                expose_value=False,
                callback=_stash,
                help="Patterns to skip in addition to the configuration's `exclude`.",
            ),
        ]
    ):
        fn = opt(fn)
    return fn


def load_target_or_fail(name: str) -> Target:
    """Target `name`, built-in or installed, loaded before any rule selector is read
    (so `--ignore` and the configuration may name a third-party target's rules); exit 2
    when it cannot be loaded."""
    from applc.targets.registry import TargetError, load_target, target_checks

    try:
        target = load_target(name)
        target_checks(name)
    except TargetError as exc:
        fail(str(exc))
    return target


def _anchored(pattern: str, option: str) -> str:
    """A pattern from the command line, read from the current folder: one with a slash
    inside becomes an absolute pattern (the configuration's are read from its folder)."""
    from applc.globs import PatternError, validate_pattern

    try:
        validate_pattern(pattern)
    except PatternError as exc:
        fail(f"invalid pattern `{pattern}` in {option}: {exc}")
    negate = "!" if pattern.startswith("!") else ""
    body = pattern[len(negate) :]
    while body.startswith("./"):
        body = body[2:]
    if "/" in body.rstrip("/") and not body.startswith("/"):
        body = Path.cwd().joinpath(body).as_posix() + ("/" if body.endswith("/") else "")
    return negate + body


def load_configs(
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
    fail_level: str | None = None,
) -> Any:
    from applc.config import ConfigCache
    from applc.diagnostics import Severity
    from applc.rules.registry import is_valid_selector, suggest_selector

    overrides: dict[str, Any] = {}
    for name, values in (("select", select), ("extend_select", extend_select), ("ignore", ignore)):
        sels = _split(values)
        for s in sels:
            if not is_valid_selector(s):
                guess = suggest_selector(s)
                fail(
                    f"unknown rule selector `{s}` in --{name.replace('_', '-')}"
                    + (f" (did you mean `{guess}`?)" if guess else "")
                )
        if sels:
            overrides[name] = sels
    if no_inline_ignores:
        overrides["inline_ignores"] = False
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    for name in ("exclude", "extend_exclude"):
        patterns = _split(meta.get(f"applc.{name}") or ())
        if patterns:
            overrides[name] = tuple(_anchored(p, f"--{name.replace('_', '-')}") for p in patterns)
    if fail_level:
        overrides["fail_level"] = Severity.parse(fail_level)
    if config is not None and not Path(config).is_file():
        fail(f"configuration file {config} does not exist")
    return ConfigCache(config, overrides)


def load_settings(
    paths: list[str],
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
    fail_level: str | None = None,
) -> tuple[ConfigCache, Settings]:
    """The configurations of a run with the command line's overrides, and the settings of
    its first input (which decide the run's own choices: fail level, default target);
    exit 2 when a configuration is bad."""
    from applc.config import ConfigError

    configs = load_configs(config, select, extend_select, ignore, no_inline_ignores, fail_level)
    try:
        return configs, configs.for_path(paths[0] if paths[0] != "-" else ".")
    except ConfigError as exc:
        fail(str(exc))
