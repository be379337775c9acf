"""Conversion between the JSON form and the DSL form of an appliance.

Both directions keep every key the source has, in its order, duplicates included
(`Pairs`), so that the converted file lints with the same findings: JSON -> DSL -> JSON
gives back an equal JSON value, and DSL -> JSON -> DSL gives back the canonical DSL text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from applc.frontends.document import Document

LANGUAGES = ("json", "dsl")
_SURROGATE = re.compile("[\ud800-\udfff]")


class ConvertError(Exception):
    """The input could not be read: `document.findings` say why."""

    def __init__(self, document: Document) -> None:
        super().__init__(f"{document.source.path} cannot be read")
        self.document = document


@dataclass
class Loaded:
    """An appliance read for conversion: its value with duplicates kept, and its document."""

    value: Any
    document: Document
    language: str


def language_of(path: str) -> str:
    from applc.inputs import is_dsl

    return "dsl" if is_dsl(path) else "json"


def load(path: str, data: bytes, language: str | None = None) -> Loaded:
    """Read bytes in their language; raise ConvertError when they cannot be read."""
    language = language or language_of(path)
    if language == "dsl":
        from applc.frontends.dsl.loader import decode_dsl_bytes, load_dsl_text, parse_dsl

        text, findings = decode_dsl_bytes(path, data)
        if text is None:
            from applc.source import Source

            raise ConvertError(Document(Source(path, ""), None, findings, "dsl"))
        parsed = parse_dsl(text, pairs=True)
        if parsed.errors:
            raise ConvertError(load_dsl_text(path, text, findings))
        doc = Document(_source(path, text), parsed.value, [], "dsl")
        return Loaded(parsed.value, doc, "dsl")
    from applc.frontends.dsl.syntax import Pairs
    from applc.frontends.json_loader import load_json

    doc = load_json(path, data)
    if not doc.readable:
        raise ConvertError(doc)
    value = json.loads(doc.source.text, object_pairs_hook=Pairs.from_pairs)
    return Loaded(value, doc, "json")


def _source(path: str, text: str) -> Any:
    from applc.source import Source

    return Source(path, text)


def to_json_text(value: Any) -> str:
    """JSON text of a value, two-space indented, duplicate keys of `Pairs` kept.

    Lone surrogates (from `\\ud800` escapes) are written as escapes, so the text is
    always valid UTF-8."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text + "\n"


def to_dsl_text(value: Any) -> str:
    from applc.frontends.dsl.printer import to_dsl

    return to_dsl(value)


def convert(loaded: Loaded, to: str) -> str:
    """The text of `loaded` in language `to` ("json" or "dsl")."""
    if to == "json":
        return to_json_text(loaded.value)
    if to == "dsl":
        if not isinstance(loaded.value, dict):
            raise TypeError(
                "the DSL writes an appliance object; the top level of this file is not an object"
            )
        return to_dsl_text(loaded.value)
    raise ValueError(f"unknown language {to!r}")
