"""Shortcuts that keep a cold lint from compiling patterns it does not need (issue 13),
each held to the pattern it stands in for, the reference."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from applc.formatters import text as shown
from applc.rules.registry import is_code

# The characters the human-readable formats escape, written out from their description:
# C0 controls, DEL, C1 controls, the Arabic letter mark, the bidirectional marks,
# embeddings, overrides and isolates, and the line and paragraph separators.
UNSAFE = (
    [chr(c) for c in range(0x00, 0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + ["\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x2028, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
REFERENCE = re.compile("[" + "".join(re.escape(c) for c in UNSAFE) + "]")


def test_every_character_escaped_is_one_isprintable_refuses() -> None:
    # What makes `text.isprintable()` a safe first answer.
    assert not any(c.isprintable() for c in UNSAFE)
    for c in UNSAFE:
        assert shown.escape_controls(f"a{c}b") != f"a{c}b"


@given(st.text(alphabet=st.sampled_from([*UNSAFE, "a", " ", "é", "\u00a0", "字", "\u0301"])))
def test_escape_controls_escapes_exactly_the_unsafe_characters(text: str) -> None:
    out = shown.escape_controls(text)
    if REFERENCE.search(text) is None:
        assert out == text
    else:
        assert REFERENCE.search(out) is None
        assert len(out) > len(text)


@given(st.characters())
def test_character_widths_follow_the_unicode_tables(ch: str) -> None:
    if ch == "\t":
        expected = 4
    elif unicodedata.combining(ch):
        expected = 0
    else:
        expected = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    assert shown.char_width(ch) == expected


CODE = re.compile(r"[A-Z]{2,8}[0-9]{1,4}")


@given(st.text(alphabet=st.sampled_from(list("APLXZapl0123456789٣_ -")), max_size=14))
def test_rule_codes_are_what_the_pattern_says(text: str) -> None:
    assert is_code(text) == (CODE.fullmatch(text) is not None)


def test_rule_code_edges() -> None:
    assert is_code("APL001") and is_code("AB1") and is_code("ABCDEFGH1234")
    assert not is_code("A1") and not is_code("ABCDEFGHI1") and not is_code("APL12345")
    assert not is_code("APL") and not is_code("apl001") and not is_code("APL٣")
