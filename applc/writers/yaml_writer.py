"""Block-style YAML text of plain data (dict, list, str, int, float, bool, None).

Our own writer rather than PyYAML's emitter: that one spent 90% of a Kubernetes build
(15 s of 16 at 2,000 containers) analysing every scalar in pure Python, and its C
emitter lays sequences out differently, so output bytes would depend on how PyYAML was
installed. The data a target renders is plain, so the whole of YAML's block style it
needs fits here, and every choice is made for safety:

- a string is written plain only when no YAML 1.1 reader (PyYAML, go-yaml v2) and no
  YAML 1.2 reader (go-yaml v3) can take it for anything but that string; everything else
  is double-quoted;
- double-quoted text is JSON's string syntax (every JSON escape is a YAML escape), with
  whatever YAML does not allow raw in a document (C1 controls, DEL, the line and
  paragraph separators, which YAML 1.1 folds as line breaks, the byte-order mark,
  surrogates, U+FFFE/U+FFFF) escaped as well;
- floats are written in decimal, never in an exponent form a 1.1 reader would take for
  a string, and NaN or infinities are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./-]*")
_SPECIAL_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)
_LONGEST_SPECIAL = max(len(w) for w in _SPECIAL_WORDS)
# Strings up to this long are quoted once and remembered, up to this many of them.
_CACHED_LENGTH, _CACHE_SIZE = 64, 1 << 11
_QUOTED: dict[str, str] = {}
# Not allowed raw in a YAML document, or a line break to a YAML 1.1 reader.
_MAX_SIMPLE_KEY = 1000
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_encode_json_string = json.encoder.py_encode_basestring  # type: ignore[attr-defined]
if json.encoder.c_encode_basestring is not None:  # type: ignore[attr-defined]
    _encode_json_string = json.encoder.c_encode_basestring  # type: ignore[attr-defined]


def plain_ok(text: str) -> bool:
    """True when `text` reads back as the same string written without quotes."""
    return _PLAIN.fullmatch(text) is not None and (
        len(text) > _LONGEST_SPECIAL or text.lower() not in _SPECIAL_WORDS
    )


def _quote(text: str) -> str:
    if plain_ok(text):
        return text
    quoted: str = _encode_json_string(text)
    if _UNSAFE.search(quoted):
        quoted = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", quoted)
    return quoted


def quote(text: str) -> str:
    """`text` as a YAML scalar: plain when that reads back as the same string, else
    double-quoted."""
    # Most keys and many values repeat (`name`, `v1`, `IfNotPresent`, label values):
    # short ones are worked out once.
    got = _QUOTED.get(text)
    if got is None:
        got = _quote(text)
        if len(text) <= _CACHED_LENGTH and len(_QUOTED) < _CACHE_SIZE:
            _QUOTED[text] = got
    return got


def float_text(x: float) -> str:
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError(f"{x} cannot be written to YAML for a platform")
    text = repr(x)
    if "e" in text or "E" in text:
        from applc.targets.base import decimal_text

        text = decimal_text(x)
        if "." not in text:
            text += ".0"
    return text


def scalar(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return float_text(value)
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def dump(value: Any, omit_none: bool = False) -> str:
    """YAML text of `value`: block style, keys in the order given, sequences indented
    under their key, no document markers and no trailing newline. With `omit_none`, a
    key whose value is None is left out of every mapping (what the template filter
    `compact` does, without copying the data first)."""
    lines: list[str] = []
    if isinstance(value, dict) and value:
        if not _mapping(value, "", lines, "", omit_none):
            return "{}"
    elif isinstance(value, list | tuple) and value:
        _sequence(value, "", lines, "", omit_none)
    else:
        return _inline(value)
    return "\n".join(lines)


def _inline(value: Any) -> str:
    """A value written on its parent's line: a scalar or an empty collection."""
    if isinstance(value, dict):
        if value:
            raise AssertionError("non-empty mapping written inline")
        return "{}"
    if isinstance(value, list | tuple):
        if value:
            raise AssertionError("non-empty sequence written inline")
        return "[]"
    return scalar(value)


def _mapping(value: dict[Any, Any], indent: str, lines: list[str], first: str, omit: bool) -> bool:
    """The mapping's lines at `indent`; the first line starts with `first` instead (the
    `- ` of a sequence entry that holds it). False when it wrote nothing (every value
    was None and `omit` left them out)."""
    # f-strings (one allocation per line) and the quote cache looked up in place: this
    # loop writes every line of a Kubernetes build.
    lead = first or indent
    inner = indent + "  "
    start = len(lines)
    add = lines.append
    cached = _QUOTED.get
    for key, item in value.items():
        if item is None and omit:
            continue
        k = cached(key)
        if k is None:
            k = quote(key) if isinstance(key, str) else scalar(key)
        if len(k) > _MAX_SIMPLE_KEY:
            # YAML readers refuse an implicit key over 1024 characters: say it is a key.
            add(f"{lead}? {k}")
            lead, k = indent, ""
        cls = item.__class__
        if cls is str:
            v = cached(item)
            add(f"{lead}{k}: {quote(item) if v is None else v}")
        elif cls is dict or (cls is not list and isinstance(item, dict)):
            if item:
                at = len(lines)
                add(f"{lead}{k}:")
                if not _mapping(item, inner, lines, "", omit):
                    lines[at] = f"{lead}{k}: {{}}"
            else:
                add(f"{lead}{k}: {{}}")
        elif cls is list or isinstance(item, list | tuple):
            if item:
                add(f"{lead}{k}:")
                _sequence(item, inner, lines, "", omit)
            else:
                add(f"{lead}{k}: []")
        else:
            add(f"{lead}{k}: {scalar(item)}")
        lead = indent
    return len(lines) > start


def _sequence(value: Any, indent: str, lines: list[str], first: str, omit: bool) -> None:
    lead = first or indent
    inner = indent + "  "
    add = lines.append
    cached = _QUOTED.get
    for item in value:
        cls = item.__class__
        if cls is str:
            v = cached(item)
            add(f"{lead}- {quote(item) if v is None else v}")
        elif cls is dict or (cls is not list and isinstance(item, dict)):
            if not item or not _mapping(item, inner, lines, f"{lead}- ", omit):
                add(f"{lead}- {{}}")
        elif cls is list or isinstance(item, list | tuple):
            if item:
                _sequence(item, inner, lines, f"{lead}- ", omit)
            else:
                add(f"{lead}- []")
        else:
            add(f"{lead}- {scalar(item)}")
        lead = indent
