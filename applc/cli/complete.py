"""Shell completion: `applc completion SHELL`, and the values options complete to.

Click does the completing (the script `applc completion bash` prints calls applc back
with `_APPLC_COMPLETE` set); these callbacks say what the values are. They import what
they need when called, and return plain strings, so defining them costs a normal run
nothing: `click.shell_completion` is only imported while completing.
"""

from __future__ import annotations

import sys

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_APPLC_COMPLETE"


def _prefixed(incomplete: str, values: list[str]) -> list[str]:
    """Values for the last item of a comma-separated list (`APL2,unk` -> `APL2,unknown-
    field`), earlier items kept."""
    head, sep, last = incomplete.rpartition(",")
    lead = head + sep
    return [lead + v for v in values if v.lower().startswith(last.lower())]


def targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Built-in targets and the installed plug-in ones."""
    from applc.targets.registry import target_names

    return [t for t in target_names() if t.startswith(incomplete)]


def output_formats(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from applc.formatters import FORMATS

    if "=" in incomplete:  # FORMAT=PATH: the path is the shell's to complete
        return []
    return [f for f in FORMATS if f.startswith(incomplete.lower())]


def _selectors() -> list[str]:
    from applc.rules.registry import RULES, load_rules

    load_rules()
    codes = sorted(RULES)
    bands = sorted({c[:4] for c in codes})  # APL0 .. APL5: the families
    names = sorted(r.name for r in RULES.values())
    return ["ALL", *bands, *codes, *names]


def selectors(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Rule codes, family prefixes and names, for comma-separated lists too."""
    return _prefixed(incomplete, _selectors())


def rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """A rule for `applc rule`: codes and names."""
    return [s for s in _selectors() if s.lower().startswith(incomplete.lower()) and s != "ALL"]


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    \b
    bash:  eval "$(applc completion bash)"        in ~/.bashrc
    zsh:   eval "$(applc completion zsh)"         in ~/.zshrc
    fish:  applc completion fish > ~/.config/fish/completions/applc.fish

    Commands, options, targets (installed plug-ins included), output formats, rule
    codes and names for --select/--ignore, and file names complete.
    """
    from click.shell_completion import get_completion_class

    from applc.cli import cli

    cls = get_completion_class(shell)
    assert cls is not None  # SHELLS are the ones click ships
    sys.stdout.write(cls(cli, {}, "applc", COMPLETE_VAR).source())
    sys.stdout.flush()
