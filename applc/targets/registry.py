"""Which targets exist: the built-in folders, plus third-party `applc.targets` entry points.

A built-in target is a package `applc/targets/<name>/` (its `adapter` module defines
`TARGET`, an `applc.targets.base.Target`; its `checks` module the target's rules and
checks) and a template folder `targets/<name>/` at the top of the repository, which the
wheel ships as `applc/_data/targets/<name>/`. A third-party target is an entry point in
the group `applc.targets` whose object is a `Target` instance, a `Target` subclass, or a
module defining `TARGET`; its `template_dir()` says where its templates are, and its
`checks()` what it cannot express.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from applc.rules.registry import Check
    from applc.targets.base import Target

BUILTIN = ("marathon", "compose", "kubernetes")
ENTRY_POINT_GROUP = "applc.targets"


class TargetError(Exception):
    """A target cannot be loaded (unknown name, broken plug-in): applc cannot run."""


def target_names() -> list[str]:
    names = list(BUILTIN)
    try:
        from importlib.metadata import entry_points

        names += [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in names]
    except Exception:  # a broken third-party package must not stop lint
        pass
    return names


def templates_root() -> Path:
    """Where the built-in template folders are: `applc/_data/targets` in an installed
    wheel, else the top-level `targets/` of the source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_data" / "targets"
    if installed.is_dir():
        return installed
    return package.parent / "targets"


def import_builtin_checks() -> None:
    """Register the rules and checks of every built-in target (part of applc's catalogue,
    so `applc rules` lists them and a configuration may name them)."""
    importlib.import_module("applc.targets.checks")
    for name in BUILTIN:
        importlib.import_module(f"applc.targets.{name}.checks")


@functools.cache
def load_target(name: str) -> Target:
    """The adapter of target `name` (loaded once); raises TargetError when there is none."""
    import inspect

    from applc.targets.base import Target

    if name in BUILTIN:
        module = importlib.import_module(f"applc.targets.{name}.adapter")
        obj: Any = module.TARGET
    else:
        obj = _entry_point(name)
        if inspect.ismodule(obj):
            obj = getattr(obj, "TARGET", None)
        if inspect.isclass(obj):
            obj = obj()
    if not isinstance(obj, Target):
        raise TargetError(f"target `{name}` does not provide an applc.targets.base.Target")
    return obj


def target_checks(name: str) -> list[Check]:
    """The checks of target `name`, as its `Target.checks()` gives them."""
    try:
        return list(load_target(name).checks())
    except TargetError:
        raise
    except Exception as exc:  # a broken plug-in: applc cannot run, and says why
        raise TargetError(
            f"target `{name}` could not give its checks: {type(exc).__name__}: {exc}"
        ) from exc


def _entry_point(name: str) -> Any:
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        import difflib

        names = target_names()
        guess = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean `{guess[0]}`?)" if guess else ""
        raise TargetError(f"unknown target `{name}`{hint}; choose from {', '.join(names)}")
    try:
        return found[0].load()
    except Exception as exc:
        raise TargetError(
            f"target `{name}` could not be loaded: {type(exc).__name__}: {exc}"
        ) from exc
