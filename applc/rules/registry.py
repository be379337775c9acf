"""The rule registry: every rule's code, name, default severity and documentation.

A rule module declares its rules with `rule(...)` (the documentation and the examples
that pass and fail live beside the check) and its checks with `@check(codes...)`. A check
is a generator over a `LintContext` that yields findings; it never prints. A target's
checks (`@check(codes..., target=NAME)`, in its own package) run only when the target is
named; `Target.checks()` hands them to the lint driver.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

from applc.diagnostics import Finding, Severity
from applc.links import rule_url
from applc.patterns import lazy
from applc.records import Value

if TYPE_CHECKING:
    from applc.rules.context import LintContext


class Security(Value):
    """What code scanning needs to rank a security finding."""

    __slots__ = ("severity", "cwe")
    FIELDS = __slots__
    severity: Final[float]  # GitHub's security-severity, 0.1 to 10.0
    cwe: Final[int]

    def __init__(self, severity: float, cwe: int) -> None:
        self.severity = severity
        self.cwe = cwe


class Rule(Value):
    """A rule's code, name, default severity and documentation. `docs` is given as
    written in the source (indented) and read dedented: only `applc rule`, the
    generated pages and SARIF read it, so a lint never pays for the dedent."""

    FIELDS = (
        "code",
        "name",
        "severity",
        "summary",
        "docs",
        "fails",
        "passes",
        "always_on",
        "example_budget",
        "example_target",
        "fix",
        "docs_url",
        "example_importer",
        "security",
    )
    code: Final[str]
    name: Final[str]
    severity: Final[Severity]
    summary: Final[str]
    fails: Final[str | None]
    passes: Final[str | None]
    always_on: Final[bool]
    example_budget: Final[dict[str, float] | None]
    example_target: Final[str | None]
    fix: Final[str | None]
    docs_url: Final[str | None]
    example_importer: Final[str | None]
    security: Final[Security | None]

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        docs: str,
        fails: str | None = None,
        passes: str | None = None,
        # Rules a user cannot switch off: a file that cannot be read must always be
        # reported.
        always_on: bool = False,
        # Lint options the failing example needs (APL233 needs a budget).
        example_budget: dict[str, float] | None = None,
        # The target the examples are linted for (target compatibility rules, APL4xx).
        example_target: str | None = None,
        # "safe" or "unsafe" when the rule's findings can carry a fix (`--fix`, or
        # `--unsafe-fixes` for the unsafe ones); a finding gets one when applc can tell
        # the fix.
        fix: str | None = None,
        # Where the rule's page is, when not in applc's docs (a plug-in's own rules).
        docs_url: str | None = None,
        # Import rules (APL5xx): the source format their examples are imported from;
        # their examples are compose or Marathon files, checked by the import tests.
        example_importer: str | None = None,
        # Security rules: how bad a finding is on GitHub's 0.1-10 scale (its code
        # scanning ranks alerts by it: 9+ critical, 7+ high, 4+ medium, else low) and
        # the CWE it is.
        security: Security | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self._docs = docs
        self._dedented: str | None = None
        self.fails = fails
        self.passes = passes
        self.always_on = always_on
        self.example_budget = example_budget
        self.example_target = example_target
        self.fix = fix
        self.docs_url = docs_url
        self.example_importer = example_importer
        self.security = security

    @property
    def docs(self) -> str:
        if self._dedented is None:
            import textwrap

            self._dedented = textwrap.dedent(self._docs).strip()
        return self._dedented

    @property
    def url(self) -> str:
        return self.docs_url or rule_url(self.code)

    @property
    def prefix(self) -> str:
        """The letters of the code: `APL` for applc's own rules, another for a plug-in's."""
        return self.code.rstrip("0123456789")

    @property
    def band(self) -> str:
        if self.prefix != "APL":
            return "plug-in"
        return {
            "0": "syntax and suppressions",
            "1": "structure",
            "2": "references, dependencies, ports and resources",
            "3": "security and best practice",
            "4": "target compatibility",
            "5": "import",
        }[self.code[3]]


CheckFn = Callable[["LintContext"], Iterable[Finding]]


class Check(Value):
    """A check function and the codes it reports."""

    FIELDS = ("codes", "fn", "target")
    codes: Final[tuple[str, ...]]
    fn: Final[CheckFn]
    target: Final[str | None]

    def __init__(self, codes: tuple[str, ...], fn: CheckFn, target: str | None = None) -> None:
        self.codes = codes
        self.fn = fn
        # Target checks run only when a target is named (`lint --target`, `build`).
        self.target = target


# `APL` and three digits for applc's own rules; a plug-in's rules take letters of their
# own (say `LST001`), so its codes never collide with applc's.
def is_code(text: str) -> bool:
    """Whether `text` is a rule code, `[A-Z]{2,8}[0-9]{1,4}`, told without a regular
    expression (every rule is checked when its module is imported, on every run)."""
    letters = text.rstrip("0123456789")
    digits = len(text) - len(letters)
    return (
        2 <= len(letters) <= 8
        and 1 <= digits <= 4
        and text.isascii()
        and letters.isalpha()
        and letters.isupper()
    )


RULES: dict[str, Rule] = {}
# The letters of every registered code (`APL`, and a plug-in's own), for `specificity`.
PREFIXES: set[str] = set()
BY_NAME: dict[str, Rule] = {}
CHECKS: list[Check] = []


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    docs: str,
    *,
    fails: str | None = None,
    passes: str | None = None,
    always_on: bool = False,
    example_budget: dict[str, float] | None = None,
    example_target: str | None = None,
    fix: str | None = None,
    docs_url: str | None = None,
    example_importer: str | None = None,
    security: Security | None = None,
) -> Rule:
    if not is_code(code):
        raise ValueError(f"rule code {code!r} is not upper-case letters and digits")
    if fix not in (None, "safe", "unsafe"):
        raise ValueError(f"rule {code}: fix must be 'safe' or 'unsafe'")
    if code in RULES or name in BY_NAME:
        raise ValueError(f"rule {code} {name} registered twice")
    r = Rule(
        code,
        name,
        severity,
        summary,
        docs,
        fails,
        passes,
        always_on,
        example_budget,
        example_target,
        fix,
        docs_url,
        example_importer,
        security,
    )
    RULES[code] = r
    BY_NAME[name] = r
    PREFIXES.add(r.prefix)
    return r


def check(*codes: str, target: str | None = None) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(Check(tuple(codes), fn, target))
        return fn

    return register


def checks_for(target: str) -> list[Check]:
    """The checks registered for `target` (`@check(..., target=target)`)."""
    return [c for c in CHECKS if c.target == target]


_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every rule module once (`applc.catalogue`); returns the registry."""
    global _loaded
    if not _loaded:
        import applc.catalogue  # noqa: F401  (registers on import)

        _loaded = True
    return RULES


def all_rules() -> list[Rule]:
    load_rules()
    return sorted(RULES.values(), key=lambda r: r.code)


def lookup(selector: str) -> Rule | None:
    load_rules()
    return RULES.get(selector.upper()) or BY_NAME.get(selector.lower())


def matches(selector: str, r: Rule) -> bool:
    """A selector is a code, a code prefix with all its letters (`APL3`, `APL`), a name,
    or `ALL`."""
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.lower() == r.name:
        return True
    s = s.upper()
    return r.code.startswith(s) and s.startswith(r.prefix)


def is_valid_selector(selector: str) -> bool:
    load_rules()
    return any(matches(selector, r) for r in RULES.values())


_WILDCARD_CODE = lazy(r"(APL\d*)[X*?]+", re.IGNORECASE)


def suggest_selector(selector: str) -> str | None:
    """The selector probably meant. A code written with placeholders (`APL3xx`,
    `APL3*`) means the prefix before them (`APL3`), not the nearest spelling of a
    full code (`APL403`)."""
    load_rules()
    wildcard = _WILDCARD_CODE.fullmatch(selector.strip())
    if wildcard is not None:
        prefix = wildcard.group(1).upper()
        return prefix if is_valid_selector(prefix) else None
    options = list(RULES) + list(BY_NAME)
    import difflib  # only a misspelt selector needs it

    found = difflib.get_close_matches(selector, options, n=1, cutoff=0.6)
    return found[0] if found else None


def specificity(selector: str) -> int:
    s = selector.strip()
    if s.upper() == "ALL":
        return 0
    letters = s.upper().rstrip("0123456789")
    if letters not in PREFIXES and not s.upper().startswith("APL"):
        return 10  # a name is as specific as a full code
    return len(s)


def iter_codes(selectors: Iterable[str]) -> Iterator[str]:
    load_rules()
    for r in RULES.values():
        if any(matches(s, r) for s in selectors):
            yield r.code
