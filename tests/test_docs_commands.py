"""Every `applc` command the docs mention, wherever (prose, CI workflows, hook configs, editor
settings), names a command that exists with options it has and values they accept. The
shell examples are also run (test_docs_examples.py); this catches the rest, such as a
renamed option in a GitHub workflow on docs/ci.md."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
# docs/cli.md is click's own help, generated.
PAGES = [
    ROOT / "README.md",
    *(p for p in sorted((ROOT / "docs").rglob("*.md")) if p.name != "cli.md"),
]
CODE_SPAN = re.compile(r"`(applc\s[^`]*)`")
IN_LINE = re.compile(r"(?<![\w/.-])applc\s+(?=[-a-z])")


def _mentions(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    fence: str | None = None  # the info string of the open fenced block
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^ {0,3}(?:```|~~~)\s*(\S*)", line)
        if m:
            fence = m.group(1) if fence is None else None
            continue
        if fence in ("", "text"):
            continue  # output applc printed, not a command
        if fence is not None:
            if line.lstrip().startswith(("--", "#", ";", "//")):
                continue  # a comment in the example's language
            for m in IN_LINE.finditer(line):
                quote = line[: m.start()].rstrip()[-1:] in ("\"'")
                rest = line[m.start() :]
                if quote:
                    rest = re.split(r"[\"']", rest, maxsplit=1)[0]
                found.append((number, rest))
        else:
            found += [(number, m.group(1)) for m in CODE_SPAN.finditer(line)]
    return found


def _words(command: str) -> list[str] | None:
    """The arguments after `applc`, from a mention that may be a synopsis."""
    text = re.split(r"\s(?:\||&&|;|#|>|2>)\s|`|\)\s*$", command + " ")[0]
    text = text.replace("[", " ").replace("]", " ")
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    args = [w.split("|")[0] if "|" in w and not w.startswith("|") else w for w in words[1:]]
    return [a for a in args if a not in ("...", "|")]


def _problem(args: list[str]) -> str | None:
    from applc.cli import cli

    try:
        if not args or args[0].startswith("-"):
            cli.make_context("applc", list(args))
            return None
        # The group's own settings (-h): a bare context would make click cache a
        # subcommand's help option as `--help` only, and docs/cli.md would look stale.
        root = click.Context(cli, info_name="applc", **cli.context_settings)
        cmd = cli.get_command(root, args[0])
        if cmd is None:
            return f"no command `{args[0]}`"
        cmd.make_context(args[0], list(args[1:]), parent=root)
    except click.exceptions.Exit:
        return None  # --version, --help
    except (click.MissingParameter, click.BadOptionUsage):
        return None  # a synopsis that names an option without its value
    except click.UsageError as exc:
        return exc.format_message()
    return None


CASES = [(p, n, c) for p in PAGES for n, c in _mentions(p)]


def test_the_docs_mention_many_commands():
    assert len(CASES) > 60
    assert any("sarif=applc.sarif" in c for _, _, c in CASES)  # the GitHub workflow


@pytest.mark.parametrize(
    ("page", "line", "command"),
    CASES,
    ids=[f"{p.relative_to(ROOT)}:{n}" for p, n, _ in CASES],
)
def test_command_exists_with_its_options(page, line, command):
    args = _words(command)
    assert args is not None, f"{page}:{line}: cannot read `{command}`"
    problem = _problem(args)
    assert problem is None, f"{page.relative_to(ROOT)}:{line}: `{command}`: {problem}"


def test_a_renamed_option_is_caught():
    assert _problem(["lint", "--output-fromat", "github"]) is not None
    assert _problem(["lnt", "x.json"]) is not None
    assert _problem(["build", "--target"]) is None  # a mention of the option
    assert _problem(["convert", "f", "--to", "yaml"]) is not None
