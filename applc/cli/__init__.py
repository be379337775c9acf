"""The `applc` command: thin click commands over the library API.

Each command lives in its own module here and is listed in COMMANDS; the click group that
finds them is `app.py`. Heavy libraries are imported inside the commands so `applc lint`
starts fast, and a plain `applc lint FILE...` (no option at all: what pre-commit hooks
and editors run on every save) starts without importing click, whose own imports cost
more than the whole lint of a small file.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from applc.cli.app import LazyGroup, cli

__all__ = ["COMMANDS", "LazyGroup", "cli", "main"]

# module name -> command names it defines
COMMANDS = {
    "lint": ("lint",),
    "rules": ("rule", "rules"),
    "schema": ("schema",),
    "build": ("build",),
    "graph": ("graph",),
    "convert": ("convert", "fmt"),
    "server": ("server",),
    "import_": ("import",),
    "complete": ("completion",),
    "up": ("up", "down"),
}


def __getattr__(name: str) -> Any:
    # `from applc.cli import cli` (tests, docs generation, completion) imports click then.
    if name in ("cli", "LazyGroup"):
        from applc.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Closed(io.TextIOBase):
    """Stands for a standard stream the shell closed (`>&-`, `<&-`): using it is an
    error applc reports, where `None` in its place would be an internal error."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, *args: object) -> str:
        raise _StreamClosed(self.name)

    read = write = readline = _fail  # type: ignore[assignment]

    @property
    def buffer(self) -> _Closed:
        return self

    def flush(self) -> None:
        pass


class _StreamClosed(OSError):
    def __init__(self, name: str) -> None:
        super().__init__(errno.EBADF, f"{name} is closed")


def main() -> None:
    if sys.stdin is None:
        sys.stdin = _Closed("standard input")
    if sys.stdout is None:
        sys.stdout = _Closed("standard output")
    for stream in (sys.stdout, sys.stderr):
        # Lone surrogates from JSON escapes must not crash the output.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    from applc.cli.console import echo

    try:
        files = plain_lint_files(sys.argv[1:])
        if files is None:
            from applc.cli.app import cli

            cli.main(prog_name="applc", standalone_mode=True)
        else:
            _plain_lint(files)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        _reader_went_away()
    except _StreamClosed as exc:
        echo(f"applc: error: {exc.strerror}", err=True)
        sys.exit(2)
    except Exception as exc:  # the last line of defence: never a bare traceback
        import traceback

        echo(f"applc: internal error: {type(exc).__name__}: {exc}", err=True)
        echo("This is a bug in applc; please report it with the input that caused it.", err=True)
        if "-v" in sys.argv or "--verbose" in sys.argv:
            traceback.print_exc()
        sys.exit(2)


def plain_lint_files(args: list[str]) -> tuple[str, ...] | None:
    """The files of `applc lint FILE...` when click would read that command line as
    the lint with every option at its default, and its messages would reach the
    standard streams unchanged; None for every other command line, which click reads.

    No argument may start with `-` (an option, `-` for standard input, `--`); click's
    own inputs stay unset (APPLC_OUTPUT_FORMAT, shell completion's _APPLC_COMPLETE); and
    each file must pass click's `Path` check (an existing file it cannot read is
    click's error to report).
    """
    if not args or args[0] != "lint":
        return None
    files = args[1:]
    if any(a.startswith("-") for a in files):
        return None
    if "APPLC_OUTPUT_FORMAT" in os.environ or "_APPLC_COMPLETE" in os.environ:
        return None
    from applc.cli.console import plain_streams

    if not plain_streams():
        return None
    for f in files:
        try:
            os.stat(f)
        except OSError:
            continue  # click passes on what it cannot stat; lint reports it
        except ValueError:
            return None
        if not os.access(f, os.R_OK):
            return None
    return tuple(files)


def _plain_lint(files: tuple[str, ...]) -> NoReturn:
    try:
        from applc.cli.lint_run import PLAIN, run

        run(files, **PLAIN)
    except (EOFError, KeyboardInterrupt) as exc:
        _as_click_would(exc)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        _as_click_would(exc)


def _as_click_would(exc: BaseException) -> NoReturn:
    """What click's standalone mode makes of an exception a command raised (Ctrl-C:
    `Aborted!` and exit 1; a closed pipe: exit 1, quietly), by raising it inside a
    click command: the plain lint ends as `applc lint --` would, whatever click's
    version."""
    import click

    @click.command()
    def again() -> None:
        raise exc

    again.main([], prog_name="applc", standalone_mode=True)
    raise AssertionError("click's standalone mode exits")  # pragma: no cover


def _reader_went_away() -> None:
    """The reader of standard output left (`applc lint . | head`): stop quietly, as
    click does for the same case inside a command (exit 1), and keep Python's final
    flush from complaining on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)
