"""Mutations of appliance files, for fuzzing the front ends, lint and build.

Each mutation takes the bytes of a file and a `random.Random` and returns new bytes. The
structural ones parse the file first and fall back to a byte-level mutation when it does
not parse, so chains of mutations keep working. `mutate` applies one to three of them.
`huge` scales the inputs that are large on purpose (nesting 100,000 levels deep, a 50 MB
string): the in-suite test uses a small scale, the long fuzzer the real one.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable
from typing import Any

from applc.frontends.json_scanner import JsonSyntaxError, scan

Mutation = Callable[[bytes, random.Random, float], bytes]

DEEP = 100_000  # nesting levels at full scale
BIG = 50_000_000  # characters of the big string at full scale

WEIRD_NUMBERS = [
    "1e999",
    "-1e999",
    "-0",
    "-0.0",
    "0e0",
    "1e-999",
    "1E400",
    "-1E-400",
    "4.9e-324",
    "1.7976931348623157e308",
    "9007199254740993",
    "123456789012345678901234567890",
    "1" * 5000,
    "0." + "0" * 4000 + "1",
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "01",
    ".5",
    "+1",
    "1.",
    "1e",
    "0x10",
    "1_000",
    "−1",
]
INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf0\x28\x8c\xbc",
    b"\xf8\x88\x80\x80\x80",
    b"\xc0\xaf",
    b"\x00",
]
PREFIXES = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b" \n\t"]
SURROGATES = [
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"a\\ud83d"',
    '"\\ud83d\\ude00"',
    '"\\u0000"',
    '"\\u00e9@x"',
    '"\\\\@"',
    '"@\\u0040x"',
]
REPLACEMENTS: list[Any] = [
    "",
    "x",
    "@",
    "@x",
    "\\@",
    "@@@",
    "user@example.com",
    "é",
    "\u202e",
    "\x00",
    0,
    -1,
    1,
    0.5,
    65536,
    -0.0,
    2**63,
    True,
    False,
    None,
    [],
    {},
    [1, "a"],
    {"a": 1},
    {"id": 1},
    [[[]]],
    "HOST",
    "service",
    "job",
    "  ",
    "\n",
]


# --- helpers --------------------------------------------------------------------------


def _parse(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _dump(value: Any, rng: random.Random) -> bytes:
    indent = rng.choice([None, 1, 2, 4])
    text = json.dumps(value, indent=indent, ensure_ascii=rng.random() < 0.3)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate makes invalid UTF-8


def _nodes(value: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every value inside `value` (dict keys and list indexes)."""
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, child in v.items():
                out.append((v, k))
                stack.append(child)
        elif isinstance(v, list):
            for i, child in enumerate(v):
                out.append((v, i))
                stack.append(child)
    return out


def _token_ranges(
    data: bytes,
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, int]]] | None:
    """The text, the value ranges, and (key start, key end, value end) of each member."""
    try:
        text = data.decode("utf-8")
        m = scan(text)
    except (UnicodeDecodeError, JsonSyntaxError, RecursionError):
        return None
    members = [(k[0], k[1], m.values[p][1]) for p, k in m.keys.items() if p in m.values]
    return text, list(m.values.values()), members


def _splice_text(data: bytes, rng: random.Random, new: Callable[[str], str]) -> bytes:
    """Replace one value token with `new(token)`, textually."""
    found = _token_ranges(data)
    if found is None or not found[1]:
        return flip_bytes(data, rng, 1.0)
    text, values, _ = found
    a, b = rng.choice(values)
    return (text[:a] + new(text[a:b]) + text[b:]).encode("utf-8", "surrogatepass")


# --- mutations ------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random, scale: float) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random, scale: float) -> bytes:
    return data[: rng.randrange(len(data) + 1)] if data else data


def insert_syntax(data: bytes, rng: random.Random, scale: float) -> bytes:
    """Stray JSON punctuation, comments, quotes and words at random places."""
    pieces = [
        b",",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b'"',
        b"\\",
        b"//x\n",
        b"/*",
        b"'",
        b"True",
        b"None",
        b"undefined",
        b",,",
        b"\n",
        b"\t",
        b" ",
    ]
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        out[i:i] = rng.choice(pieces)
    return bytes(out)


def delete_key(data: bytes, rng: random.Random, scale: float) -> bytes:
    value = _parse(data)
    nodes = [(c, k) for c, k in _nodes(value) if isinstance(c, dict)]
    if not nodes:
        return truncate(data, rng, scale)
    for _ in range(rng.randint(1, 3)):
        c, k = rng.choice(nodes)
        c.pop(k, None)
    return _dump(value, rng)


def duplicate_key(data: bytes, rng: random.Random, scale: float) -> bytes:
    """Repeat a `"key": value` member right after itself (same or changed value)."""
    found = _token_ranges(data)
    if found is None or not found[2]:
        return insert_syntax(data, rng, scale)
    text, _, members = found
    ks, ke, ve = rng.choice(members)
    member = text[ks:ve]
    if rng.random() < 0.5:
        member = text[ks:ke] + ": " + json.dumps(rng.choice(REPLACEMENTS))
    return (text[:ve] + ", " + member + text[ve:]).encode("utf-8", "surrogatepass")


def wrong_type(data: bytes, rng: random.Random, scale: float) -> bytes:
    value = _parse(data)
    nodes = _nodes(value)
    if not nodes:
        return flip_bytes(data, rng, scale)
    for _ in range(rng.randint(1, 4)):
        c, k = rng.choice(nodes)
        with contextlib.suppress(IndexError, KeyError):  # removed by an earlier one
            c[k] = rng.choice(REPLACEMENTS)
    return _dump(value, rng)


def rename_key(data: bytes, rng: random.Random, scale: float) -> bytes:
    value = _parse(data)
    nodes = [(c, k) for c, k in _nodes(value) if isinstance(c, dict)]
    if not nodes:
        return flip_bytes(data, rng, scale)
    c, k = rng.choice(nodes)
    new = rng.choice(
        [
            "",
            "x-applc-ignore",
            "$schema",
            "~",
            "/",
            "a/b~c",
            k.upper(),
            k + " ",
            "é",
            "\x00",
            "depends_on",
            "containers",
            "id",
        ]
    )
    c[new] = c.pop(k)
    return _dump(value, rng)


def deep_nesting(data: bytes, rng: random.Random, scale: float) -> bytes:
    depth = max(2, int(DEEP * scale))
    kind = rng.randrange(4)
    if kind == 0:
        nest = "[" * depth + "]" * depth
    elif kind == 1:
        nest = '{"a":' * depth + "1" + "}" * depth
    elif kind == 2:
        nest = "[" * depth  # never closed
    else:
        nest = '{"containers":[' * depth + "]}" * depth
    if rng.random() < 0.3:
        return nest.encode()
    return _splice_text(data, rng, lambda _: nest)


def weird_number(data: bytes, rng: random.Random, scale: float) -> bytes:
    found = _token_ranges(data)
    if found is None:
        return flip_bytes(data, rng, scale)
    text, values, _ = found
    numbers = [(a, b) for a, b in values if text[a] in "-0123456789"]
    a, b = rng.choice(numbers or values or [(0, 0)])
    return (text[:a] + rng.choice(WEIRD_NUMBERS) + text[b:]).encode("utf-8", "surrogatepass")


def invalid_utf8(data: bytes, rng: random.Random, scale: float) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out) + 1)
        out[i:i] = rng.choice(INVALID_UTF8)
    if rng.random() < 0.2:
        out[0:0] = rng.choice(PREFIXES)
    return bytes(out)


def surrogate_escape(data: bytes, rng: random.Random, scale: float) -> bytes:
    return _splice_text(data, rng, lambda _: rng.choice(SURROGATES))


# Units of a big string. The ones with an `@` carry one reference (or stray at sign) per
# thousand characters: 50,000 in a 50 MB string. Denser ones are `many_references`.
BIG_UNITS = [
    "a",
    "x" * 999 + "@",
    "x" * 995 + " @db ",
    "\\n",
    "é",
    "\\\\@" + "y" * 997,
    "@zookeeper:2181 " + "z" * 984,
    "\\u00e9",
    "\\\\",
    "\\ud83d\\ude00",
]


def big_string(data: bytes, rng: random.Random, scale: float) -> bytes:
    """Replace a value with a huge string: plain, with escapes, or with `@` now and then."""
    n = max(16, int(BIG * scale))
    unit = rng.choice(BIG_UNITS)
    body = unit * max(1, n // len(unit))
    return _splice_text(data, rng, lambda _: '"' + body + '"')


def many_references(data: bytes, rng: random.Random, scale: float) -> bytes:
    """A string made of 20,000 references (known, unknown, with ports, e-mail-like)."""
    units = [
        "@zookeeper:2181 ",
        "@db ",
        "@nope ",
        "a@example.com ",
        "@ ",
        "\\@x ",
        "@spark-master:7077,",
    ]
    body = "".join(rng.choice(units) for _ in range(max(10, int(20_000 * min(scale * 50, 1)))))
    return _splice_text(data, rng, lambda _: '"' + body + '"')


def nan(data: bytes, rng: random.Random, scale: float) -> bytes:
    return _splice_text(data, rng, lambda _: rng.choice(["NaN", "Infinity", "-Infinity"]))


def mistake(data: bytes, rng: random.Random, scale: float) -> bytes:
    """A mistake a user makes, in a file that still parses, so the rules behind the
    parser are reached: a reference to a missing or undeclared container, text full of
    `@`, `\\@`, `$(`, a dependency cycle or a missing dependency, a bad or duplicate
    port, bad resources, or a risky security setting."""
    value = _parse(data)
    cs = value.get("containers") if isinstance(value, dict) else None
    cs = [c for c in cs if isinstance(c, dict)] if isinstance(cs, list) else []
    if not cs:
        return wrong_type(data, rng, scale)
    ids = [c["id"] for c in cs if isinstance(c.get("id"), str)] or ["x"]
    for _ in range(rng.randint(1, 3)):
        c = rng.choice(cs)
        kind = rng.choice(
            ["ref", "text", "cycle", "dependency", "port", "resources", "security", "env"]
        )
        if kind == "ref":
            c["cmd" if c.get("type") == "job" else "args"] = (
                f"run @{rng.choice(ids)} @{rng.choice(ids)}x"
                if c.get("type") == "job"
                else ["--peer", "@" + rng.choice(ids)]
            )
        elif kind == "text":
            c["env"] = {
                "K": "".join(
                    rng.choice(["@", "\\@", "$(", "$", "@x", " ", "a@b.io"])
                    for _ in range(rng.randint(1, 8))
                )
            }
        elif kind == "cycle" and len(ids) >= 2:
            ring = rng.sample(ids, min(len(ids), rng.randint(2, 4)))
            by_id = {x.get("id"): x for x in cs}
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                deps = by_id[a].setdefault("dependencies", [])
                if isinstance(deps, list):
                    deps.append(b)
        elif kind == "dependency":
            c["dependencies"] = [*(c.get("dependencies") or []), "gone"][:5]
        elif kind == "port":
            p = rng.choice([0, 70000, 8080, -1])
            c["ports"] = [{"container_port": p}, {"container_port": p, "host_port": 80}]
        elif kind == "resources":
            c["resources"] = {"cpus": rng.choice([0, -1, 0.001]), "mem": rng.choice([0, 1, 64])}
        elif kind == "security":
            key, val = rng.choice(
                [("is_privileged", True), ("image", "nginx"), ("network_mode", "host")]
            )
            c[key] = val
        else:
            c["env"] = {"DB_PASSWORD": "hunter2", "EMPTY": ""}
    return _dump(value, rng)


MUTATIONS: dict[str, Mutation] = {
    "flip_bytes": flip_bytes,
    "truncate": truncate,
    "insert_syntax": insert_syntax,
    "delete_key": delete_key,
    "duplicate_key": duplicate_key,
    "wrong_type": wrong_type,
    "rename_key": rename_key,
    "deep_nesting": deep_nesting,
    "weird_number": weird_number,
    "invalid_utf8": invalid_utf8,
    "surrogate_escape": surrogate_escape,
    "big_string": big_string,
    "many_references": many_references,
    "nan": nan,
    "mistake": mistake,
}
# Cheap structural mutations come up more often than the big inputs, and a user's
# mistake (which reaches the rules behind the parser) most often.
WEIGHTS = {"deep_nesting": 0.3, "big_string": 0.3, "many_references": 0.3, "mistake": 8.0}


def mutate(
    data: bytes, rng: random.Random, scale: float = 1.0, names: list[str] | None = None
) -> tuple[bytes, list[str]]:
    """Apply one to three mutations; returns the bytes and the names applied."""
    pool = names or list(MUTATIONS)
    weights = [WEIGHTS.get(n, 1.0) for n in pool]
    applied: list[str] = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        name = rng.choices(pool, weights)[0]
        data = MUTATIONS[name](data, rng, scale)
        applied.append(name)
        if len(data) > 2 * BIG * scale + 1_000_000:
            break  # two big strings are no more interesting than one
    return data, applied
