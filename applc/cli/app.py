"""The click group of `applc`: every command, imported when it runs or help lists it."""

from __future__ import annotations

import importlib
import importlib.util

import click

from applc import __version__
from applc.cli import COMMANDS


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
