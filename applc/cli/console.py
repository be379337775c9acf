"""What the commands share that needs no click: messages, exits, colour, writes, and
loading the configurations.

A plain `applc lint FILE...` runs without importing click at all (`applc/cli/__init__.py`),
so everything that run touches lives here; `common.py` adds the click options on top.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from applc.config import ConfigCache, Settings
    from applc.targets.base import Target


def echo(message: str, err: bool = False) -> None:
    """A line on standard output (or error), as `click.echo` writes it.

    Under click (any command but a plain lint, and the tests' runner) this is
    `click.echo` itself. The plain lint only runs on the standard streams click would use
    as they are (`plain_streams`), where `click.echo` comes down to the steps below:
    escape sequences removed when the stream is not a terminal, the line written, the
    stream flushed.
    """
    click = sys.modules.get("click")
    if click is not None:
        click.echo(message, err=err)
        return
    stream = sys.stderr if err else sys.stdout
    out = message + "\n"
    if "\033" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)  # click's strip_ansi
    stream.write(out)
    stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False


def plain_streams() -> bool:
    """Whether standard output and error are the interpreter's own text streams in an
    encoding other than ASCII: the streams that `click.echo` writes to unchanged (it
    re-wraps an ASCII one, and Windows consoles, and Jupyter's)."""
    import codecs
    import io

    if os.name == "nt":
        return False
    for stream in (sys.stdout, sys.stderr):
        if type(stream) is not io.TextIOWrapper:
            return False
        try:
            if codecs.lookup(stream.encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


def count(k: int, word: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`: a number and its noun."""
    return f"{k} {word if k == 1 else plural or word + 's'}"


def fail(message: str) -> NoReturn:
    """applc could not run: say why on standard error and exit 2. The message may quote a
    file name or a config value, so control characters in each of its lines are shown
    escaped."""
    from applc.formatters.text import escape_controls

    shown = "\n".join(escape_controls(line) for line in message.split("\n"))
    echo(f"applc: error: {shown}", err=True)
    sys.exit(2)


def check_stdin_filename(stdin_filename: str | None, paths: list[str] | tuple[str, ...]) -> None:
    """`--stdin-filename` names what `-` reads: without `-` it would be silently unused."""
    if stdin_filename is not None and "-" not in paths:
        fail("--stdin-filename names standard input: give `-` among the files to read it")


def warn(message: str) -> None:
    """Something the user may have meant was skipped: say so on standard error."""
    echo(f"applc: warning: {message}", err=True)


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


def split_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options whose values are comma-separated lists, as one list."""
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


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
    exclude: tuple[str, ...] = (),
    extend_exclude: tuple[str, ...] = (),
) -> ConfigCache:
    """The configurations of a run, with the command line's overrides; exit 2 on an
    unknown rule selector, a bad pattern or a missing `--config` file."""
    from applc.config import ConfigCache
    from applc.diagnostics import Severity
    from applc.rules.registry import is_valid_selector, suggest_selector

    overrides: dict[str, Any] = {}
    for name, values in (("select", select), ("extend_select", extend_select), ("ignore", ignore)):
        sels = split_values(values)
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
    for name, given in (("exclude", exclude), ("extend_exclude", extend_exclude)):
        patterns = split_values(given)
        if patterns:
            overrides[name] = tuple(_anchored(p, f"--{name.replace('_', '-')}") for p in patterns)
    if fail_level:
        overrides["fail_level"] = Severity.parse(fail_level)
    if config is not None and not Path(config).is_file():
        fail(f"configuration file {config} does not exist")
    return ConfigCache(config, overrides)


def load_settings(
    paths: list[str],
    configs: ConfigCache,
) -> Settings:
    """The settings of a run's first input, which decide the run's own choices (fail
    level, default target); exit 2 when a configuration is bad."""
    from applc.config import ConfigError

    try:
        return configs.for_path(paths[0] if paths[0] != "-" else ".")
    except ConfigError as exc:
        fail(str(exc))
