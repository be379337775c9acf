"""`@` resolution against expectations from outside applc: hand-written cases, and an
independent reference implementation of PIVOT's documented rule with applc's
documented differences (tests/support/oracle.py), over text biased toward the
characters that carry meaning (`@`, `\\@`, `$`, `$(`, id characters)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applc.model.build import build_appliance
from applc.resolve.references import Escape, Reference, StrayAt, rewrite, tokenize, unescape
from applc.source import Source
from applc.targets.base import TargetOptions, resolve_text
from applc.targets.registry import BUILTIN, load_target
from tests.support import oracle

KNOWN = {"db", "web-1", "a"}
MARATHON = ".marathon.containerip.dcos.thisdcos.directory"

# (text, what the marathon target makes of it in appliance `shop` with KNOWN)
CASES = [
    ("@db", f"db-shop{MARATHON}"),
    ("postgres://@db:5432/x", f"postgres://db-shop{MARATHON}:5432/x"),
    ("\\@db", "@db"),
    ("mail\\@example.com", "mail@example.com"),
    ("\\\\@db", "\\@db"),  # a backslash, then the escape
    ("@@db", f"@db-shop{MARATHON}"),  # a stray `@`, then a reference
    ("@db@a", f"db-shop{MARATHON}a-shop{MARATHON}"),  # PIVOT misses the second
    ("@dbx", "@dbx"),  # unknown: left as written (APL201)
    ("@db_x", f"db-shop{MARATHON}_x"),  # `_` ends an id
    ("@web-1.", f"web-1-shop{MARATHON}."),
    ("@", "@"),
    ("@ db", "@ db"),
    ("a@", "a@"),
    ("x\\y", "x\\y"),
    ("$(@db) $@db $$@db", f"$(db-shop{MARATHON}) $db-shop{MARATHON} $$db-shop{MARATHON}"),
    ("  @db\t\n@a  ", f"  db-shop{MARATHON}\t\na-shop{MARATHON}  "),  # whitespace kept
    ("user@db", f"userdb-shop{MARATHON}"),
    ("", ""),
]


def marathon_naming():
    value = {
        "id": "shop",
        "containers": [
            {"id": i, "type": "service", "image": "x:1", "resources": {"cpus": 1, "mem": 64}}
            for i in sorted(KNOWN)
        ],
    }
    app = build_appliance(Source("shop.json", ""), value)
    return load_target("marathon").naming(app, TargetOptions())


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_hand_written_cases(text: str, expected: str) -> None:
    assert resolve_text(text, marathon_naming(), KNOWN) == expected
    # The reference implementation agrees with the hand-written cases too.
    assert oracle.rewrite(text, KNOWN, oracle.name_of("marathon", "shop")) == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("@db \\@x @ @a", [Reference("db", 0, 3), Escape(4), StrayAt(8), Reference("a", 10, 12)]),
        ("me@example.com", [Reference("example", 2, 10, email_like=True)]),
        ("me@db", [Reference("db", 2, 5)]),
        ("no at sign", []),
        # E-mail-like: a local-part character right before the `@`, a dotted domain
        # with a top-level label of two letters or more right after it.
        ("a@example.com", [Reference("example", 1, 9, email_like=True)]),
        ("a b@example.com", [Reference("example", 3, 11, email_like=True)]),
        ("me@e.com", [Reference("e", 2, 4, email_like=True)]),
        ("@example.com", [Reference("example", 0, 8)]),  # nothing before the `@`
        (" @example.com", [Reference("example", 1, 9)]),
        ("x @example.com", [Reference("example", 2, 10)]),
        ("me@example.c", [Reference("example", 2, 10)]),  # a one-letter top level
        ("me@example. com", [Reference("example", 2, 10)]),
    ],
)
def test_tokens_are_what_the_text_says(text: str, tokens: list) -> None:
    assert list(tokenize(text)) == tokens


def test_a_reference_made_without_saying_so_is_not_email_like() -> None:
    # Built here, not in a parameter list (made once at import): the default is part of
    # the record's contract for anyone who constructs one.
    ref = Reference("db", 2, 5)
    assert ref.email_like is False
    assert list(tokenize("me@db")) == [ref]


# Text made of the pieces that carry meaning (two pieces in three), so nearly every
# example has references, escapes and stray `@`s next to each other and to `$`, `$(`.
MEANING = st.sampled_from(
    ["@db", "$(", "\\@", "@", "@a", "$(", "@web-1", "\\\\@", "@dbx", "@@", "$"]
)
FILLER = st.one_of(
    st.sampled_from(["db", "-", "_", ".", " ", "\t", "\n", "x", "é", ":", ")", "\\", "$$"]),
    st.text(max_size=3),
)
TEXTS = st.lists(st.one_of(MEANING, MEANING, FILLER), min_size=6, max_size=20).map("".join)


@settings(max_examples=500)
@given(TEXTS)
def test_every_target_agrees_with_the_reference_implementation(text: str) -> None:
    ids = ["a", "db", "web-1"]
    value = {
        "id": "shop",
        "containers": [
            {
                "id": i,
                "type": "service",
                "image": "x:1",
                "resources": {"cpus": 1, "mem": 64},
                "network_mode": "HOST" if i == "a" else "BRIDGE",
            }
            for i in ids
        ],
    }
    app = build_appliance(Source("shop.json", ""), value)
    for target in BUILTIN:
        naming = load_target(target).naming(app, TargetOptions())
        expected = oracle.rewrite(
            text,
            set(ids),
            oracle.name_of(target, "shop", host_mode=oracle.host_mode(value["containers"])),
        )
        assert resolve_text(text, naming, set(ids)) == expected, target


@settings(max_examples=300)
@given(TEXTS)
def test_unescape_resolves_escapes_and_keeps_references(text: str) -> None:
    # The reference: escapes become `@`, references (to any id) stay as written.
    expected = text.replace("\\@", "@")
    assert unescape(text) == expected
    assert rewrite(text, lambda cid: "<" + cid + ">") == oracle.rewrite(
        text, None, lambda cid: "<" + cid + ">"
    )


def test_the_strategy_reaches_every_kind_of_token() -> None:
    """Measured share of generated texts with each token kind (reported in
    docs/testing.md): the strategy is worth little if references or escapes are rare."""
    counts = {"reference": 0, "escape": 0, "stray": 0, "dollar-paren": 0}
    n = 0

    # derandomize: the share is a measurement of the strategy, so the same examples
    # every run; a random draw made this test fail now and then near the bound.
    @settings(max_examples=300, database=None, derandomize=True)
    @given(TEXTS)
    def sample(text: str) -> None:
        nonlocal n
        n += 1
        kinds = {type(t) for t in tokenize(text)}
        counts["reference"] += Reference in kinds
        counts["escape"] += Escape in kinds
        counts["stray"] += StrayAt in kinds
        counts["dollar-paren"] += "$(" in text

    sample()
    shares = {k: v / n for k, v in counts.items()}
    assert all(share >= 0.3 for share in shares.values()), shares
