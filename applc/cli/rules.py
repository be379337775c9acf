"""`applc rule CODE` and `applc rules`: the rule documentation, from the registry."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from applc.cli import complete
from applc.cli.common import fail, load_target_or_fail
from applc.docgen import rule_markdown, rule_targets
from applc.rules.registry import Rule, all_rules, lookup, suggest_selector


def rule_dict(r: Rule) -> dict[str, object]:
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.label,
        "summary": r.summary,
        "docs": r.docs,
        "url": r.url,
        "fix": r.fix,
        "targets": list(rule_targets(r)),
        "fails": r.fails,
        "passes": r.passes,
    }


def _format_option(fn: Any) -> Any:
    return click.option(
        "--output-format", "-f", type=click.Choice(["text", "json"]), default="text"
    )(fn)


def _target_option(fn: Any) -> Any:
    return click.option(
        "--target",
        metavar="NAME",
        help="Also the rules of this target (one installed through the `applc.targets` "
        "entry point brings its own).",
    )(fn)


@click.command("rule")
@click.argument("selector", shell_complete=complete.rules)
@_format_option
@_target_option
def rule_command(selector: str, output_format: str, target: str | None) -> None:
    """Print the documentation of one rule, by code (APL201) or name."""
    if target is not None:
        load_target_or_fail(target)
    r = lookup(selector)
    if r is None:
        guess = suggest_selector(selector)
        fail(
            f"no rule `{selector}`"
            + (f"; did you mean `{guess}`?" if guess else "; run `applc rules` for the list")
        )
    if output_format == "json":
        sys.stdout.write(json.dumps(rule_dict(r), indent=2) + "\n")
    else:
        sys.stdout.write(rule_markdown(r) + f"\nOnline: {r.url}\n")


@click.command("rules")
@_format_option
@click.option(
    "--write-docs",
    metavar="DIR",
    help="Write each rule's page to DIR/<code>.md and the index to DIR/README.md.",
)
@_target_option
def rules_command(output_format: str, write_docs: str | None, target: str | None) -> None:
    """List every rule with its code, name and default severity."""
    if target is not None:
        if write_docs is not None:
            fail("--write-docs writes applc's own rule pages; it does not take --target")
        load_target_or_fail(target)
    rules = all_rules()
    if write_docs is not None:
        from pathlib import Path

        from applc.docgen import write_rule_docs

        write_rule_docs(Path(write_docs))
        return
    if output_format == "json":
        sys.stdout.write(json.dumps([rule_dict(r) for r in rules], indent=2) + "\n")
        return
    for r in rules:
        sys.stdout.write(f"{r.code}  {r.name:<34} {r.severity.label:<8} {r.summary}\n")
