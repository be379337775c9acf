"""The click options the commands share, and the helpers they use from `console.py`
(which a plain `applc lint` uses without click)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from applc.cli import console
from applc.cli.console import (  # noqa: F401  (what the commands import from here)
    check_stdin_filename,
    count,
    fail,
    load_target_or_fail,
    use_color,
    warn,
    write_atomic,
)

if TYPE_CHECKING:
    from applc.config import ConfigCache, Settings
    from applc.rules.context import Budget

F = TypeVar("F", bound=Callable[..., Any])

ColorChoice = click.Choice(["auto", "always", "never"])


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
    from applc.rules.context import Budget

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


def load_configs(
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
    fail_level: str | None = None,
) -> ConfigCache:
    """`console.load_configs` with the `--exclude` and `--extend-exclude` that
    `config_options` kept in the running command's context."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return console.load_configs(
        config,
        select,
        extend_select,
        ignore,
        no_inline_ignores,
        fail_level,
        exclude=meta.get("applc.exclude") or (),
        extend_exclude=meta.get("applc.extend_exclude") or (),
    )


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
    configs = load_configs(config, select, extend_select, ignore, no_inline_ignores, fail_level)
    return configs, console.load_settings(paths, configs)
