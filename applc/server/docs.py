"""Words for hovers and completion items, from the field table and the rule registry."""

from __future__ import annotations

import json
from typing import Any

from applc.model.fields import IGNORE_KEY, Field, Ignored, ObjectKind
from applc.model.nodes import Container
from applc.rules.registry import Rule


def _code(text: str, markdown: bool) -> str:
    return f"`{text}`" if markdown else text


def _strip_ticks(text: str, markdown: bool) -> str:
    return text if markdown else text.replace("`", "")


def field_doc(kind: ObjectKind, f: Field, markdown: bool = True) -> str:
    types = " | ".join(f.types)
    facts = [types]
    if f.required:
        facts.append("required")
    if f.only:
        facts.append(f"{f.only}s only")
    head = f"**{f.name}**" if markdown else f.name
    lines = [
        f"{head} ({', '.join(facts)}): a field of {kind.title.lower()}",
        "",
        _strip_ticks(f.description, markdown),
    ]
    if f.enum:
        vals = ", ".join(_code(v, markdown) for v in f.enum)
        lines += ["", f"One of {vals}" + (" (any case)" if f.case_insensitive else "") + "."]
    if f.default is not None and f.default not in ([], {}):
        lines += ["", f"Default: {_code(json.dumps(f.default), markdown)}."]
    return "\n".join(lines)


def alias_doc(kind: ObjectKind, key: str, real: Field, markdown: bool = True) -> str:
    return (
        f"{_code(key, markdown)} is not a field of {kind.title.lower()}: PIVOT calls it "
        f"{_code(real.name, markdown)}.\n\n" + field_doc(kind, real, markdown)
    )


def ignored_doc(kind: ObjectKind, item: Ignored, markdown: bool = True) -> str:
    return (
        f"{_code(item.name, markdown)} is accepted by PIVOT and then ignored: "
        f"{_strip_ticks(item.why, markdown)}."
    )


def ignore_key_doc(markdown: bool = True) -> str:
    k = _code(IGNORE_KEY, markdown)
    return (
        f"{k}: rules to ignore in this object and everything inside it, as "
        f"rule = reason.\n\nKeys are rule codes ({_code('APL301', markdown)}), rule names "
        f"({_code('privileged', markdown)}) or code prefixes ({_code('APL3', markdown)}). "
        "applc drops the key from everything it builds."
    )


def rule_doc(rule: Rule, markdown: bool = True) -> str:
    if markdown:
        head = f"**{rule.code}** `{rule.name}` ({rule.severity.label}): {rule.summary}"
        tail = f"[{rule.code} documentation]({rule.url})"
    else:
        head = f"{rule.code} {rule.name} ({rule.severity.label}): {rule.summary}"
        tail = rule.url
    body = rule.docs if markdown else rule.docs.replace("`", "")
    return f"{head}\n\n{body}\n\n{tail}"


def container_doc(c: Container, markdown: bool = True) -> str:
    facts = [c.type or "container"]
    if c.image:
        facts.append(_code(c.image, markdown))
    if c.network_mode:
        facts.append(f"{c.network_mode} network")
    ports = ", ".join(str(p.container_port) for p in c.ports if p.container_port is not None)
    if ports:
        facts.append(f"ports {ports}")
    name = _code(c.id or "?", markdown)
    text = f"container {name}: " + ", ".join(facts)
    if c.dependencies:
        text += "\n\ndepends on " + ", ".join(_code(d, markdown) for d in c.dependencies)
    return text


def value_snippet(f: Field, snippet: bool) -> str:
    """The value part inserted after a completed field name."""
    t = f.types[0]
    if not snippet:
        return {"object": "{}", "array": "[]"}.get(t, "")
    if f.enum:
        choices = ",".join(_snippet_escape(json.dumps(v)) for v in f.enum)
        return "${1|" + choices + "|}"
    return {
        "string": '"$1"',
        "object": "{$1}",
        "array": "[$1]",
        "boolean": "${1|true,false|}",
    }.get(t, "$1")


def _snippet_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("$", "\\$")
        .replace("}", "\\}")
        .replace(",", "\\,")
        .replace("|", "\\|")
    )


def describe(value: Any) -> str:
    return json.dumps(value)[:60]
