"""Every rule applc knows, imported once so its rules and checks register.

A new rule goes into the module of its family in `applc/rules/` (or a new module listed
below); a rule about what a target cannot express goes into that target's package,
`applc/targets/<name>/checks.py` (or `applc/targets/checks.py` when several targets
report it). A third-party target's rules register when the target is loaded. The import
findings (APL5xx) live beside the importers, in `applc/importers/rules.py`.
"""

import applc.importers.rules  # noqa: F401
from applc.rules import (  # noqa: F401
    pivot,
    ports,
    reading,
    references,
    resources,
    security,
    structure,
    values,
)
from applc.targets.registry import import_builtin_checks

import_builtin_checks()
