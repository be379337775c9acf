"""Reading the file (APL001-APL003) and suppression hygiene (APL090, APL091).

These rules are reported by the front ends and by the lint driver, not by checks over the
model, but they are documented and configured like every other rule.
"""

from __future__ import annotations

from applc.diagnostics import Severity
from applc.rules.registry import rule

E, W = Severity.ERROR, Severity.WARNING

_OK = (
    '{"id": "shop", "containers": [{"id": "web", "type": "service", '
    '"image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256}}]}'
)

rule(
    "APL001",
    "invalid-json",
    E,
    "the file is not valid JSON (or DSL)",
    """
    The file does not parse. The message says what was expected and where: a trailing
    comma, a missing comma, an unquoted key, a single-quoted string, a comment, `NaN`,
    a number too large for a float, nesting deeper than 500 levels, an empty file, a
    byte-order mark.
    """,
    fails='{"id": "shop", "containers": [],}',
    passes=_OK,
    always_on=True,
)

rule(
    "APL002",
    "duplicate-key",
    E,
    "a key appears twice in one object",
    """
    JSON parsers keep the last of two equal keys and silently drop the first, so one of
    the two settings is lost.
    """,
    fails=_OK.replace('"mem": 256', '"mem": 256, "mem": 512'),
    passes=_OK,
)

rule(
    "APL003",
    "unreadable-file",
    E,
    "the file cannot be read",
    """
    The file does not exist, is a directory, cannot be opened, or is not UTF-8 text.
    """,
    always_on=True,
)

rule(
    "APL090",
    "unused-suppression",
    W,
    "an `x-applc-ignore` entry that suppresses nothing",
    """
    An `x-applc-ignore` entry whose rule reports nothing in its scope. Remove it, so the
    suppression does not hide a future problem by accident.
    """,
    fails=_OK.replace('"type"', '"x-applc-ignore": {"APL301": "agent"}, "type"'),
    passes=_OK.replace(
        '"resources"', '"x-applc-ignore": {"APL304": "pinned by CI"}, "resources"'
    ).replace("nginx:1.25", "nginx"),
)

rule(
    "APL091",
    "unknown-rule-in-suppression",
    W,
    "an `x-applc-ignore` entry names no rule",
    """
    An `x-applc-ignore` key that is not a rule code, a rule name, or a code prefix.
    """,
    fails=_OK.replace('"type"', '"x-applc-ignore": {"APL999": "typo"}, "type"'),
    passes=_OK,
)
