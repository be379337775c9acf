"""Marathon ids: paths of segments, relative ones resolved against their group."""

from __future__ import annotations


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def resolve_id(base: list[str], rel: str) -> list[str]:
    """A Marathon id resolved against the group `base` (absolute ids stand alone), as
    Marathon resolves app ids and dependencies: `..` goes up, `.` stays."""
    out = [] if rel.startswith("/") else list(base)
    for seg in segments(rel):
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    return out
