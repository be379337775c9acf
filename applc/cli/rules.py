"""`applc rule CODE` and `applc rules`: the rule documentation, from the registry."""

from __future__ import annotations

import json
import sys

import click

from applc.cli.common import fail
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


@click.command("rule")
@click.argument("selector")
@click.option("--output-format", "-f", type=click.Choice(["text", "json"]), default="text")
def rule_command(selector: str, output_format: str) -> None:
    """Print the documentation of one rule, by code (APL201) or name."""
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
@click.option("--output-format", "-f", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--write-docs",
    metavar="DIR",
    help="Write each rule's page to DIR/<code>.md and the index to DIR/README.md.",
)
def rules_command(output_format: str, write_docs: str | None) -> None:
    """List every rule with its code, name and default severity."""
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
