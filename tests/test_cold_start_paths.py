"""A clean lint of a small file imports only what it runs (issue 13).

Every pre-commit run and editor save starts applc cold, so the modules a clean lint
never uses (the fix and ignore editors, the build and template machinery, the DSL
parser, click itself, hashing, subprocesses, temporary files) must stay unimported
on that path. This pins the path in kind, not in milliseconds: a module-level import
that drags one of them back fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Runs the console entry point the way `applc` does and prints the modules applc
# imported itself (not those the interpreter's start-up had already imported).
DRIVER = """
import atexit, json, sys
before = set(sys.modules)
atexit.register(lambda: sys.stderr.write(
    "\\nMODULES " + json.dumps(sorted(set(sys.modules) - before)) + "\\n"))
sys.argv = ["applc", *sys.argv[1:]]
from applc.cli import main
main()
"""

NEVER_ON_A_CLEAN_LINT = (
    "applc.edits",
    "applc.fixing",
    "applc.build",
    "applc.targets.render",
    "applc.frontends.dsl",
    "applc.server",
    "applc.cli.show",
    # A plain `applc lint FILE...` reads its command line without click
    # (tests/test_plain_lint.py shows it ends exactly as click's reading does).
    "applc.cli.app",
    "applc.cli.common",
    "applc.cli.lint",
    "click",
    # Record classes are written by hand (applc/records.py): @dataclass compiled each
    # one's methods at import, and imports inspect.
    "dataclasses",
    "inspect",
    # Rule documentation is dedented when read, not when each rule registers.
    "textwrap",
    # Key positions in configuration files: only when there is one.
    "applc.toml_positions",
    "jinja2",
    "lark",
    "yaml",
    "jsonschema",
    "tempfile",
    "hashlib",
    "subprocess",
    "difflib",
    # Only a build orders the containers (DependencyGraph.topological_order).
    "heapq",
)

CLEAN = {
    "id": "web",
    "containers": [
        {
            "id": "web",
            "type": "service",
            "image": "nginx:1.25",
            "resources": {"cpus": 1, "mem": 512},
        }
    ],
}


def _imported(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return proc, json.loads(line.removeprefix("MODULES "))


def _offenders(modules: list[str]) -> list[str]:
    return [
        m for m in modules if any(m == n or m.startswith(n + ".") for n in NEVER_ON_A_CLEAN_LINT)
    ]


def test_clean_lint_of_a_small_file_imports_only_what_it_runs(tmp_path: Path) -> None:
    (tmp_path / "web.appliance.json").write_text(json.dumps(CLEAN, indent=2))
    proc, modules = _imported(tmp_path, "lint", "web.appliance.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "applc.lint" in modules  # the driver saw the lint run
    assert _offenders(modules) == []


def test_the_driver_sees_a_lazily_imported_module(tmp_path: Path) -> None:
    # The same check on a path that needs the editors must name them, or the test
    # above could pass by not seeing anything.
    broken = dict(CLEAN, name="web")
    (tmp_path / "web.appliance.json").write_text(json.dumps(broken, indent=2))
    proc, modules = _imported(tmp_path, "lint", "--add-ignore", "web.appliance.json")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "applc.edits" in _offenders(modules)


# Prints, after the run, the patterns (applc.patterns.lazy) that were compiled.
PATTERNS_DRIVER = """
import atexit, json, sys
def report():
    from applc.patterns import _Lazy
    compiled = sorted(
        f"{name}.{attr}"
        for name, module in list(sys.modules.items())
        if name.startswith("applc.")
        for attr, value in list(vars(module).items())
        if isinstance(value, _Lazy) and "match" in vars(value)
    )
    sys.stderr.write("\\nCOMPILED " + json.dumps(compiled) + "\\n")
atexit.register(report)
sys.argv = ["applc", *sys.argv[1:]]
from applc.cli import main
main()
"""


def _compiled(cwd: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PATTERNS_DRIVER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("COMPILED "))
    return json.loads(line.removeprefix("COMPILED "))


def test_a_clean_lint_compiles_no_pattern_only_findings_need(tmp_path: Path) -> None:
    # Python compiles regular expressions in Python: those that serve only findings,
    # configuration files, folder searches or syntax errors wait for their first use.
    (tmp_path / "web.appliance.json").write_text(json.dumps(CLEAN, indent=2))
    assert _compiled(tmp_path, "lint", "web.appliance.json") == []
    # ... and the driver sees one that is used: a file with a syntax error.
    (tmp_path / "bad.appliance.json").write_text('{"id": "web",, }')
    assert "applc.frontends.json_scanner._STRING" in _compiled(
        tmp_path, "lint", "bad.appliance.json"
    )


# A project that depends on applc and names a script after it, as a user's pyproject.toml
# does, but does not configure it: the lint decides that without a TOML parser.
DEPENDS_ON_APPLC = """\
[project]
name = "shop"
dependencies = [
  "applc>=0.1",  # applc checks the appliances
  ["nested", "applc"],
]
[project.scripts]
applc = "applc.cli:main"
[tool.ruff]
src = ["applc"]
"""


def test_a_pyproject_that_only_mentions_applc_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(DEPENDS_ON_APPLC)
    (tmp_path / "web.appliance.json").write_text(json.dumps(CLEAN, indent=2))
    proc, modules = _imported(tmp_path, "lint", "web.appliance.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tomllib" not in modules
    # Control: once it configures applc, the parser runs (and the setting applies).
    (tmp_path / "pyproject.toml").write_text(DEPENDS_ON_APPLC + '[tool.applc]\nignore = ["APL1"]\n')
    proc, modules = _imported(tmp_path, "lint", "web.appliance.json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tomllib" in modules


def test_findings_in_plain_text_need_no_escape_pattern_nor_unicode_tables(tmp_path: Path) -> None:
    # The human-readable output escapes what a terminal would act on; text that
    # `str.isprintable` passes has none of it, so the pattern is not compiled, and the
    # Unicode tables are read only for characters beyond ASCII.
    web = {**CLEAN, "containers": [{**CLEAN["containers"][0], "image": "nginx"}]}
    (tmp_path / "web.appliance.json").write_text(json.dumps(web, indent=2))
    proc, modules = _imported(tmp_path, "lint", "web.appliance.json")
    assert "APL" in proc.stdout, proc.stdout + proc.stderr  # a finding was shown
    assert "unicodedata" not in modules
    assert _compiled(tmp_path, "lint", "web.appliance.json") == []
    # ... and a line with a tab and a wide character does need both.
    (tmp_path / "web.appliance.json").write_text(
        json.dumps(web, indent=2).replace('"image"', '"x-note": "字",\t"image"')
    )
    proc, modules = _imported(tmp_path, "lint", "web.appliance.json")
    assert "unicodedata" in modules, proc.stdout
    assert "applc.formatters.text._UNSAFE" in _compiled(tmp_path, "lint", "web.appliance.json")
