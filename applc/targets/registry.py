"""Which targets exist: the built-in folders, plus third-party `applc.targets` entry points."""

from __future__ import annotations

BUILTIN = ("marathon", "compose", "kubernetes")


def target_names() -> list[str]:
    names = list(BUILTIN)
    try:
        from importlib.metadata import entry_points

        names += [ep.name for ep in entry_points(group="applc.targets") if ep.name not in names]
    except Exception:  # a broken third-party package must not stop lint
        pass
    return names
