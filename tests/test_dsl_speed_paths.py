"""The DSL reader's fast paths read exactly what lark's own lexer and parser would.

The reader lexes with one regular expression whose alternatives are ordered for speed
and runs lark's LALR tables in its own loop; these tests pin that both agree with lark,
and that errors found by the token filter's added line breaks read as before.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from applc.frontends.dsl.loader import parse_dsl
from applc.frontends.dsl.parser import get_lark, get_lexer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.appl"))

TRICKY = """\
appliance "x y" # comment
n = -0.5e+3
p = [1, 2.0, true, null, "a\\"b\\@c\\u00e9", word.with-dots_1]
service a {
  port 0:8080/tcp,udp
  port 8080/tcp
  port 80
  env { "K" = { "a": [ ], "b": {} }, }
  args "" "\\\\" "\\/"
}
"""


def _ours(text: str) -> list[tuple[str, str, int, int]]:
    lexer = get_lexer()
    out = []
    for m in lexer.pattern.finditer(text):
        t = m.lastgroup
        assert t is not None
        if t in lexer.ignore:
            continue
        start, end = m.span(t)
        out.append((t, m.group(t), start, end))
    return out


def _larks(text: str) -> list[tuple[str, str, int, int]]:
    return [
        (tok.type, tok.value, tok.start_pos, tok.end_pos)
        for tok in get_lark().lex(text, dont_ignore=False)
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_lexer_agrees_with_lark_on_examples(path: Path) -> None:
    # Every example lexes (broken.appl's mistakes are in its grammar, not its tokens):
    # an exception from lark here is a lexer regression, never a reason to skip.
    text = path.read_text(encoding="utf-8")
    assert _ours(text) == _larks(text)


def test_lexer_agrees_with_lark_on_tricky_tokens() -> None:
    assert _ours(TRICKY) == _larks(TRICKY)


def test_lexer_agrees_with_lark_on_shuffled_tokens() -> None:
    rng = random.Random(3)
    pieces = [v for _, v, _, _ in _larks(TRICKY)] + ["# c"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) + rng.choice((" ", "\n", "\t ")) for _ in range(30))
        assert _ours(text) == _larks(text), text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            'service a {\n  image: "x"\n}\n',
            (
                "unexpected `:`; expected the end of the line",
                19,
                20,
                "a field is written without `:`, as `image value` or `image = value`",
            ),
        ),
        (
            'service a { image "x" ]\n',
            (
                "unexpected `]`; expected a field such as `appliance`, `service` or `job`, or `}`",
                22,
                23,
                None,
            ),
        ),
        (
            "service a {\n  env { A = [1, 2 }\n}\n",
            (
                "unexpected `}`; expected `,` or `]`",
                30,
                31,
                "the list opened at 2:13 is not closed",
            ),
        ),
        (
            'service a {\n  image "x"\n',
            (
                "unexpected end of file: the block opened at 1:11 is never closed",
                24,
                24,
                "add the missing `}`",
            ),
        ),
        (
            "appliance x\n}\n",
            (
                "unexpected `}`: no block is open here",
                12,
                13,
                "remove it, or open the block with `{` on its statement",
            ),
        ),
        (
            'x = [1,\n 2,\n]\nservice a {\n  cmd "a" = \n}\n',
            (
                'unexpected end of line; expected a value such as `"text"`, `42`, `true` or '
                "`[...]`",
                38,
                39,
                None,
            ),
        ),
        (
            "service a {\n  resources { cpus = 1 : 2 }\n}\n",
            ("unexpected `:`; expected the end of the line", 35, 36, None),
        ),
    ],
)
def test_errors_read_as_before(text: str, error: tuple[str, int, int, str | None]) -> None:
    parsed = parse_dsl(text)
    assert [(e.message, e.start, e.end, e.help) for e in parsed.errors] == [error]


@pytest.mark.parametrize("text", ["service a { }\n", 'service a {\n  image "x" }'])
def test_blocks_closed_on_the_statement_line(text: str) -> None:
    parsed = parse_dsl(text)
    assert not parsed.errors
    assert parsed.value["containers"][0]["id"] == "a"
