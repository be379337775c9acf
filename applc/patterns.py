"""Regular expressions compiled when first used, not when their module is imported.

Python compiles a pattern in Python code: the 39 patterns a lint of a small file used to
compile at import were a third of the instructions applc itself runs for it, and half of
them serve only findings, configuration files or syntax errors that a clean file never
has. A module keeps such a pattern as `lazy(r"...")` and uses it as it would the compiled
one.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """Stands for `re.compile(pattern, flags)` and compiles it on the first attribute
    asked for; the compiled pattern's methods are then kept on this object, so later
    calls cost what calls on the compiled pattern cost."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not kept yet
        compiled = re.compile(*self._source)
        for method in ("match", "fullmatch", "search", "finditer", "findall", "sub", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled on first use."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
