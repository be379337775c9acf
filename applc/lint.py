"""The lint driver: run the checks on a document, then select, suppress and resolve.

Findings become positioned diagnostics only after selection and suppression, so the
source map of a clean (or fully suppressed) file is never built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from applc.config import Settings
from applc.diagnostics import Diagnostic, Finding, Loc, Severity, resolve
from applc.frontends.document import Document
from applc.frontends.json_loader import gc_paused
from applc.model.fields import IGNORE_KEY
from applc.records import Value
from applc.rules.context import LintContext, LintOptions, did_you_mean
from applc.rules.registry import CHECKS, RULES, Check, Rule, load_rules, matches, specificity
from applc.source import has_u_escape, join_pointer, parent_pointer, pointer_within


class InternalError(Exception):
    """A bug in applc, not a problem in the input: exit 2 with a request to report it."""


class Directive(Value):
    """One `x-applc-ignore` entry: a selector covering the object at `scope`."""

    FIELDS = ("scope", "selector", "key_pointer", "rules", "used")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        scope: str,
        selector: str,
        key_pointer: str,
        rules: tuple[str, ...],
        used: bool = False,
    ) -> None:
        self.scope = scope
        self.selector = selector
        self.key_pointer = key_pointer
        self.rules = rules
        self.used = used


class Selection(Value):
    """Which rules run on one file, and at what severity."""

    FIELDS = ("settings", "file", "enabled")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(self, settings: Settings, file: str, enabled: set[str] | None = None) -> None:
        self.settings = settings
        self.file = file
        self.enabled: set[str] = set() if enabled is None else enabled
        s = self.settings
        extra = [
            sel
            for glob, sels in s.per_file_ignores
            if s.file_matches(glob, self.file)
            for sel in sels
        ]
        positive = list(s.select) + list(s.extend_select)
        negative = list(s.ignore) + extra
        for code, r in RULES.items():
            if r.always_on:
                self.enabled.add(code)
                continue
            best_pos = max((specificity(x) for x in positive if matches(x, r)), default=-1)
            best_neg = max((specificity(x) for x in negative if matches(x, r)), default=-1)
            if best_pos >= 0 and best_pos > best_neg:
                self.enabled.add(code)

    def severity(self, r: Rule, finding: Finding) -> Severity:
        best: tuple[int, Severity] | None = None
        for sel, lvl in self.settings.severity:
            if matches(sel, r):
                sp = specificity(sel)
                if best is None or sp >= best[0]:
                    best = (sp, lvl)
        if best is not None:
            return best[1]
        return finding.severity or r.severity


def collect_directives(value: Any) -> tuple[list[Directive], list[Finding]]:
    """Every `x-applc-ignore` in the document, and the findings about bad ones."""
    directives: list[Directive] = []
    findings: list[Finding] = []
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        v, ptr = stack.pop()
        if isinstance(v, dict):
            for k, child in v.items():
                cptr = join_pointer(ptr, k)
                if k == IGNORE_KEY:
                    _directive(child, ptr, cptr, directives, findings)
                elif isinstance(child, dict | list):
                    stack.append((child, cptr))
        elif isinstance(v, list):
            for i, child in enumerate(v):
                if isinstance(child, dict | list):
                    stack.append((child, join_pointer(ptr, i)))
    return directives, findings


def _directive(
    value: Any, scope: str, ptr: str, out: list[Directive], findings: list[Finding]
) -> None:
    if not isinstance(value, dict):
        findings.append(
            Finding(
                "APL103",
                Loc(ptr),
                f"`{IGNORE_KEY}` must be an object of rule = reason",
                help=f'write "{IGNORE_KEY}": {{"APL301": "why this is fine"}}',
            )
        )
        return
    for sel, reason in value.items():
        kptr = join_pointer(ptr, sel)
        rules = tuple(code for code, r in RULES.items() if matches(sel, r))
        if not rules:
            guess = did_you_mean(sel, list(RULES) + [r.name for r in RULES.values()])
            findings.append(
                Finding(
                    "APL091",
                    Loc(kptr, "key"),
                    f"`{sel}` in `{IGNORE_KEY}` names no rule",
                    help=f"did you mean `{guess}`?" if guess else "run `applc rules` for the list",
                )
            )
            continue
        if not isinstance(reason, str):
            findings.append(
                Finding(
                    "APL103",
                    Loc(kptr),
                    "the reason of a suppression must be a string",
                    help=f'write "{sel}": "why this is fine"',
                )
            )
        out.append(Directive(scope, sel, kptr, rules))


def checks_to_run(options: LintOptions) -> list[Check]:
    """The checks of every rule family, and those of the target named in `options`
    (`Target.checks()`, built-in or installed). Raises TargetError for a target that
    cannot be loaded."""
    load_rules()
    checks = [chk for chk in CHECKS if chk.target is None]
    if options.target is not None:
        from applc.targets.registry import target_checks

        checks += target_checks(options.target)
    return checks


def run_checks(
    doc: Document, options: LintOptions, enabled: set[str], checks: Iterable[Check]
) -> list[Finding]:
    findings = list(doc.findings)
    if doc.value is None:
        return findings
    ctx = LintContext(doc, options)
    for chk in checks:
        if not any(c in enabled for c in chk.codes):
            continue
        try:
            findings.extend(chk.fn(ctx))
        except Exception as exc:  # a bug in a check must not look like a finding
            raise InternalError(
                f"check {chk.fn.__module__}.{chk.fn.__name__} failed on "
                f"{doc.source.path}: {type(exc).__name__}: {exc}"
            ) from exc
    return findings


def lint_document(
    doc: Document,
    settings: Settings | None = None,
    options: LintOptions | None = None,
) -> list[Diagnostic]:
    # The model and the findings of a big document are many objects and no cycles.
    with gc_paused():
        return _lint_document(doc, settings, options)


def _lint_document(
    doc: Document,
    settings: Settings | None = None,
    options: LintOptions | None = None,
) -> list[Diagnostic]:
    settings = settings or Settings()
    options = options or LintOptions(budget=settings.budget)
    # The named target is loaded first, so a third-party target's rules are selectable.
    checks = checks_to_run(options)
    sel = Selection(settings, doc.source.path)
    findings = run_checks(doc, options, sel.enabled, checks)

    directives: list[Directive] = []
    if settings.inline_ignores and doc.value is not None and _may_hold_directives(doc):
        directives, bad = collect_directives(doc.value)
        findings.extend(bad)
    config_rules = [
        s
        for s in settings.suppress
        if any(settings.file_matches(g, doc.source.path) for g in s.files)
    ]

    by_scope: dict[str, list[Directive]] = {}
    for d in directives:
        by_scope.setdefault(d.scope, []).append(d)
    kept: list[Finding] = []
    for f in findings:
        if f.code not in sel.enabled:
            continue
        if _suppressed(f, by_scope, config_rules):
            continue
        kept.append(f)
    for d in directives:
        if not d.used and "APL090" in sel.enabled and any(c in sel.enabled for c in d.rules):
            kept.append(
                Finding(
                    "APL090",
                    Loc(d.key_pointer, "key"),
                    f"unused suppression of `{d.selector}`: nothing here reports it",
                    help=f"remove the `{d.selector}` entry",
                )
            )

    out = set()
    for f in kept:
        r = RULES[f.code]
        out.add(resolve(f, doc.source, r.name, sel.severity(r, f), r.docs_url))
    return sorted(out, key=lambda d: d.sort_key)


def _may_hold_directives(doc: Document) -> bool:
    """Whether the value can have an `x-applc-ignore` key: its text names the key (the
    DSL may write `ignore CODE "reason"` instead), or writes some character as a `\\u`
    escape, the one way a key can spell it otherwise. A text without either has none to
    collect, and the walk over the whole value is skipped."""
    text = doc.source.text
    return (IGNORE_KEY if doc.language == "json" else "ignore") in text or has_u_escape(text)


# Findings no x-applc-ignore or config entry can silence: the file could not be read, or
# the finding is about the suppressions themselves.
UNSUPPRESSIBLE = frozenset({"APL001", "APL003", "APL090", "APL091"})


def _suppressed(
    f: Finding, by_scope: dict[str, list[Directive]], config_rules: Iterable[Any]
) -> bool:
    """Whether a directive (by the scope it covers) or a config entry suppresses `f`.

    Only the directives of the finding's node and its ancestors can cover it, so each
    finding looks up a handful of scopes instead of every directive in the file.
    """
    if f.code in UNSUPPRESSIBLE:
        return False
    hit = False
    if by_scope:
        p: str | None = f.loc.pointer
        while p is not None:
            for d in by_scope.get(p, ()):
                if f.code in d.rules:
                    d.used = True
                    hit = True
            p = parent_pointer(p) if p else None
    if hit:
        return True
    r = RULES[f.code]
    for s in config_rules:
        if pointer_within(f.loc.pointer, s.pointer) and any(matches(x, r) for x in s.rules):
            return True
    return False
