"""The `applc` command: thin click commands over the library API.

Each command lives in its own module here and is listed in COMMANDS; heavy libraries
are imported inside the commands so `applc lint` starts fast.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import io
import os
import sys

import click

from applc import __version__

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


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or help lists it)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [n for mod, cmds in COMMANDS.items() for n in cmds if _exists(mod)]
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for mod, cmds in COMMANDS.items():
            if cmd_name in cmds and _exists(mod):
                module = importlib.import_module(f"applc.cli.{mod}")
                cmd: click.Command = getattr(module, cmd_name.replace("-", "_") + "_command")
                return cmd
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            import difflib

            guess = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.5)
            hint = f" Did you mean '{guess[0]}'?" if guess else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)


def _exists(mod: str) -> bool:
    return importlib.util.find_spec(f"applc.cli.{mod}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="applc")
def cli() -> None:
    """applc: lint PIVOT appliance specs and compile them to Marathon, compose and
    Kubernetes."""


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
    try:
        cli.main(prog_name="applc", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        _reader_went_away()
    except _StreamClosed as exc:
        click.echo(f"applc: error: {exc.strerror}", err=True)
        sys.exit(2)
    except Exception as exc:  # the last line of defence: never a bare traceback
        import traceback

        click.echo(f"applc: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo(
            "This is a bug in applc; please report it with the input that caused it.", err=True
        )
        if "-v" in sys.argv or "--verbose" in sys.argv:
            traceback.print_exc()
        sys.exit(2)


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
