"""Code-point offsets and spans <-> LSP positions in the negotiated encoding.

applc counts columns in Unicode code points (1-based, end exclusive). LSP positions are
0-based and count code units of the encoding the client and server agreed on at
`initialize`: UTF-16 unless the client offered another (`general.positionEncodings`).
A character outside the Basic Multilingual Plane (an emoji) is one code point, two UTF-16
units and four UTF-8 bytes; a CJK character is one code point, one UTF-16 unit and three
UTF-8 bytes.

The conversion works on the document text directly (not on pygls' line list), so it is
the same for diagnostics, navigation and edits.
"""

from __future__ import annotations

from lsprotocol import types

from applc.source import Source, Span

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def normalise_encoding(encoding: object) -> str:
    """`PositionEncodingKind` or a plain string -> "utf-8" | "utf-16" | "utf-32"."""
    value = getattr(encoding, "value", encoding)
    if value in (UTF8, UTF32):
        return str(value)
    return UTF16


def units(text: str, encoding: str) -> int:
    """How many code units `text` takes in `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


def _char_units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == UTF16:
        return 2 if cp > 0xFFFF else 1
    if cp < 0x80:
        return 1
    if cp < 0x800:
        return 2
    if cp < 0x10000:
        return 3
    return 4


def chars_for_units(line: str, count: int, encoding: str) -> int:
    """The code-point index in `line` that `count` code units reach.

    A count that falls inside a character (half a surrogate pair, a byte in the middle
    of a UTF-8 sequence) rounds up to the end of that character; a count beyond the line
    clamps to its end, as LSP asks.
    """
    if count <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(count, len(line))
    seen = 0
    for i, ch in enumerate(line):
        if seen >= count:
            return i
        seen += _char_units(ch, encoding)
    return len(line)


def _line_bounds(source: Source, line0: int) -> tuple[int, int]:
    """Code-point start and end (before the line break) of 0-based line `line0`."""
    starts = source.line_starts
    text = source.text
    start = starts[line0]
    end = starts[line0 + 1] - 1 if line0 + 1 < len(starts) else len(text)
    if end > start and text[end - 1] == "\r" and end < len(text) and text[end] == "\n":
        end -= 1
    return start, end


def offset_to_position(source: Source, offset: int, encoding: str) -> types.Position:
    offset = max(0, min(offset, len(source.text)))
    line, col = source.position(offset)
    start = source.line_starts[line - 1]
    prefix = source.text[start:offset]
    return types.Position(line=line - 1, character=units(prefix, encoding))


def position_to_offset(source: Source, position: types.Position, encoding: str) -> int:
    """The code-point offset of an LSP position; out-of-range positions clamp."""
    starts = source.line_starts
    if position.line < 0:
        return 0
    if position.line >= len(starts):
        return len(source.text)
    start, end = _line_bounds(source, position.line)
    return start + chars_for_units(source.text[start:end], position.character, encoding)


def span_to_range(source: Source, span: Span, encoding: str) -> types.Range:
    """A 1-based code-point span -> a 0-based LSP range in `encoding`."""
    return types.Range(
        start=_lc_to_position(source, span.line, span.column, encoding),
        end=_lc_to_position(source, span.end_line, span.end_column, encoding),
    )


def _lc_to_position(source: Source, line: int, column: int, encoding: str) -> types.Position:
    starts = source.line_starts
    if line > len(starts):
        return offset_to_position(source, len(source.text), encoding)
    line = max(line, 1)
    start = starts[line - 1]
    prefix = source.text[start : start + max(column, 1) - 1]
    return types.Position(line=line - 1, character=units(prefix, encoding))


def offsets_to_range(source: Source, start: int, end: int, encoding: str) -> types.Range:
    return types.Range(
        start=offset_to_position(source, start, encoding),
        end=offset_to_position(source, max(start, end), encoding),
    )


def range_to_offsets(source: Source, rng: types.Range, encoding: str) -> tuple[int, int]:
    a = position_to_offset(source, rng.start, encoding)
    b = position_to_offset(source, rng.end, encoding)
    return (a, b) if a <= b else (b, a)


def range_to_json(rng: types.Range) -> dict[str, dict[str, int]]:
    """A range as the plain JSON that travels in `Diagnostic.data`."""
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def range_from_json(value: object) -> types.Range | None:
    try:
        s = value["start"]  # type: ignore[index]
        e = value["end"]  # type: ignore[index]
        return types.Range(
            start=types.Position(line=int(s["line"]), character=int(s["character"])),
            end=types.Position(line=int(e["line"]), character=int(e["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None
