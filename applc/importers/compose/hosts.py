"""Host names of other services become `@` references.

Only whole host tokens change: a name with a port (`db:5432`), after a scheme
(`http://db/x`), after user information (`postgres://u:p@db/x`), or standing alone where
an address is expected (the whole value of an address-like environment variable, the word
after a command-line option, `--host=db`). A name inside a longer word (`dbadmin`,
`db.example.com`, `/var/lib/db`) never changes. Every other `@` is escaped (`\\@`) so
PIVOT keeps it literally.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Environment variable names that hold an address.
ADDRESS_KEY = re.compile(
    r"HOST|SERVER|ADDR|URL|URI|DSN|ENDPOINT|BROKER|NODES|PEERS|SEEDS|ZOOKEEPER|CONNECT",
    re.IGNORECASE,
)
_HOST_CHAR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
_BEFORE_BARE = frozenset(" \t\n=,;('\"[")


@dataclass(frozen=True)
class Rewrite:
    """`host` (a service's name as written) at text[start:end] became `@ref`."""

    start: int
    end: int
    host: str
    ref: str


def rewrite_hosts(text: str, hosts: Mapping[str, str], *, bare: bool) -> tuple[str, list[Rewrite]]:
    """`text` with each whole host token of `hosts` (name -> container id) replaced by
    `@id` and every other `@` escaped. `bare`: a lone name (no port, scheme or user)
    counts too, when it is the whole text or a `--opt=name` value."""
    found = _find(text, hosts, bare)
    out: list[str] = []
    pos = 0
    for r in found:
        out.append(text[pos : r.start].replace("@", "\\@"))
        out.append("@" + r.ref)
        pos = r.end
    out.append(text[pos:].replace("@", "\\@"))
    return "".join(out), found


def _find(text: str, hosts: Mapping[str, str], bare: bool) -> list[Rewrite]:
    if not hosts:
        return []
    out: list[Rewrite] = []
    n = len(text)
    i = 0
    while i < n:
        if text[i] not in _HOST_CHAR or (i > 0 and text[i - 1] in _HOST_CHAR):
            i += 1
            continue
        j = i
        while j < n and text[j] in _HOST_CHAR:
            j += 1
        word = text[i:j]
        # A trailing dot ends a sentence, not a name (`connect to db.`).
        stripped = word.rstrip(".")
        end = i + len(stripped)
        if stripped in hosts and _is_host_position(text, i, end, bare):
            out.append(Rewrite(i, end, stripped, hosts[stripped]))
        i = j
    return out


def _is_host_position(text: str, start: int, end: int, bare: bool) -> bool:
    before = text[:start]
    after = text[end:]
    after_url = before.endswith("://")
    after_user = before.endswith("@") and start > 1 and text[start - 2] not in " \t\n"
    port = re.match(r":[0-9]+(?![0-9A-Za-z_.-])", after) is not None
    if after_url or after_user:
        return after == "" or after[0] in ":/?#,; \t\n'\")]"
    if port:
        return start == 0 or text[start - 1] in _BEFORE_BARE or before.endswith(("//", "@"))
    if not bare:
        return False
    ends = after == "" or after[0] in ",; \t\n'\")]"
    if not ends:
        return False
    if start == 0:
        return True
    # `--host=db`, `-Ddb.host=db`, `HOST=db` inside a command word.
    return text[start - 1] in "=,"


_WORD = re.compile(r"\S+")


def rewrite_words(
    words: list[str], hosts: Mapping[str, str]
) -> tuple[list[str], list[list[Rewrite]]]:
    """Each word of an argv rewritten: a lone name counts after an option word (`-h db`)
    or as an option's value (`--host=db`); a word holding a shell script (after `-c`) is
    read the same way, word by word."""
    out: list[str] = []
    found: list[list[Rewrite]] = []
    prev = ""
    for w in words:
        if any(c in w for c in " \t\n"):
            text, rw = rewrite_script(w, hosts)
        else:
            text, rw = rewrite_hosts(w, hosts, bare=_option(prev) or "=" in w)
        out.append(text)
        found.append(rw)
        prev = w
    return out, found


def rewrite_script(text: str, hosts: Mapping[str, str]) -> tuple[str, list[Rewrite]]:
    """A shell command line with the hosts of its words rewritten (whitespace kept)."""
    out: list[str] = []
    found: list[Rewrite] = []
    pos = 0
    prev = ""
    for m in _WORD.finditer(text):
        out.append(text[pos : m.start()].replace("@", "\\@"))
        w = m.group()
        new, rw = rewrite_hosts(w, hosts, bare=_option(prev) or "=" in w)
        out.append(new)
        found.extend(Rewrite(r.start + m.start(), r.end + m.start(), r.host, r.ref) for r in rw)
        pos = m.end()
        prev = w
    out.append(text[pos:].replace("@", "\\@"))
    return "".join(out), found


def _option(word: str) -> bool:
    return word.startswith("-") and "=" not in word and len(word) > 1
