"""The layout docs/architecture.md describes, kept true: one package per target, and no
rule family reaching into a target."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from applc.rules.registry import CHECKS, load_rules
from applc.targets.registry import BUILTIN, load_target, templates_root

APPLC = Path(__file__).resolve().parents[1] / "applc"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_no_rule_module_imports_a_target():
    for path in sorted((APPLC / "rules").rglob("*.py")):
        reaching = {
            m for m in _imports(path) if m == "applc.targets" or m.startswith("applc.targets.")
        }
        assert not reaching, f"{path.relative_to(APPLC.parent)} imports {sorted(reaching)}"


@pytest.mark.parametrize("name", BUILTIN)
def test_a_builtin_target_is_one_package_with_its_templates(name):
    package = APPLC / "targets" / name
    for module in ("__init__.py", "adapter.py", "naming.py", "checks.py"):
        assert (package / module).is_file(), f"applc/targets/{name}/{module}"
    assert any((templates_root() / name).glob("*.j2"))
    target = load_target(name)
    assert target.name == name
    # Its checks are its own: registered for it, and reporting only APL4xx codes.
    checks = list(target.checks())
    assert checks and all(c.target == name for c in checks)
    assert all(code.startswith("APL4") for c in checks for code in c.codes)
    assert {c.fn.__module__ for c in checks} == {f"applc.targets.{name}.checks"}


def test_every_target_check_belongs_to_a_builtin_target():
    load_rules()
    assert {c.target for c in CHECKS if c.target is not None} == set(BUILTIN)
