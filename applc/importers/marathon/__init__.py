"""Marathon apps and groups, and Chronos jobs, into an appliance.

Reads what Marathon's REST API returns or takes (1.4 to 1.10): a group (`/v2/groups`,
nested groups flattened), one app (`/v2/apps/<id>`, bare or under `app`), a list of apps
(`/v2/apps`, bare or under `apps`), and Chronos jobs (one or a list). Several files make
one appliance, so `applc build --target marathon`'s `<id>.marathon.json` and
`<id>.chronos.json` import together. `names.py` turns PIVOT's and Marathon-DNS names of
the appliance's containers back into `@` references; `apps.py` maps each app and job.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from applc.frontends.document import Document
from applc.importers import ImportResult, Origin, Reporter
from applc.importers.marathon.apps import Mapper
from applc.importers.marathon.paths import resolve_id
from applc.source import Source, join_pointer

MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class Item:
    """One app or job found in a document, with where it sits and its full path."""

    kind: str  # "app" or "job"
    value: dict[str, Any]
    doc: Document
    pointer: str
    path: list[str]  # app: id path segments; job: name split at the first `.`


def import_files(
    files: list[str], *, appliance_id: str | None = None, stdin: bytes | None = None
) -> ImportResult:
    reporter = Reporter()
    items: list[Item] = []
    group_path: list[str] | None = None
    first: Source | None = None
    for f in files:
        doc = _read(f, stdin, reporter)
        if doc is None:
            continue
        first = first or doc.source
        found, gpath = _items(doc, reporter)
        items.extend(found)
        if gpath and group_path is None:
            group_path = gpath
    if first is None:
        return ImportResult(None, reporter)
    if not items:
        reporter.add(
            "APL501",
            first,
            first.span(0, 0),
            f"{first.path}: no Marathon app, group or Chronos job in the file",
        )
        return ImportResult(None, reporter)
    aid = appliance_id or _appliance_id(items, group_path)
    mapper = Mapper(reporter, aid)
    value, origins = mapper.run(items)
    root = Origin(first, first.span(0, 0), "")
    return ImportResult(value, reporter, [Origin(*o) for o in origins], root)


def _read(f: str, stdin: bytes | None, reporter: Reporter) -> Document | None:
    from applc.frontends.json_loader import load_json

    name = "<stdin>" if f == "-" else f
    if f == "-":
        data = stdin if stdin is not None else sys.stdin.buffer.read()
    else:
        p = Path(f)
        empty = Source(name, "")
        try:
            if not p.is_file():
                why = "is a directory" if p.is_dir() else "does not exist"
                if p.exists() and not p.is_dir():
                    why = "is not a regular file"
                reporter.add("APL501", empty, empty.span(0, 0), f"{name} {why}")
                return None
            from applc.files import read_regular

            # Checked on the open descriptor: the file may be swapped for a fifo after the
            # check above. One byte past the cap is enough to know it is too large.
            data = read_regular(p, limit=MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                reporter.add("APL501", empty, empty.span(0, 0), f"{name} is too large")
                return None
        except OSError as exc:
            reporter.add("APL501", empty, empty.span(0, 0), f"cannot read {name}: {exc.strerror}")
            return None
    doc = load_json(name, data)
    if not doc.readable:
        for finding in doc.findings:
            span = finding.span or doc.source.locate(finding.loc.pointer)
            reporter.add("APL501", doc.source, span, f"{name}: {finding.message}")
        if not doc.findings:
            reporter.add("APL501", doc.source, doc.source.span(0, 0), f"{name} is not JSON")
        return None
    return doc


def _is_job(v: Any) -> bool:
    return isinstance(v, dict) and "name" in v and "id" not in v


def _items(doc: Document, reporter: Reporter) -> tuple[list[Item], list[str] | None]:
    v = doc.value
    out: list[Item] = []
    src = doc.source
    if isinstance(v, list):
        for i, x in enumerate(v):
            ptr = join_pointer("", i)
            if _is_job(x):
                out.append(Item("job", x, doc, ptr, _job_path(x)))
            elif isinstance(x, dict) and isinstance(x.get("id"), str):
                out.append(Item("app", x, doc, ptr, resolve_id([], x["id"])))
            else:
                reporter.add(
                    "APL501",
                    src,
                    src.locate(ptr),
                    "each item must be a Marathon app (with `id`) or a Chronos job (with `name`)",
                    pointer=ptr,
                )
        return out, None
    if not isinstance(v, dict):
        reporter.add("APL501", src, src.span(0, 0), "the top level must be an object or a list")
        return out, None
    if isinstance(v.get("app"), dict):
        a = v["app"]
        return [Item("app", a, doc, "/app", resolve_id([], str(a.get("id", ""))))], None
    if "apps" in v or "groups" in v:
        gid = v["id"] if isinstance(v.get("id"), str) else "/"
        base = resolve_id([], gid)
        _group(v, "", base, doc, reporter, out)
        return out, base
    if _is_job(v):
        return [Item("job", v, doc, "", _job_path(v))], None
    if isinstance(v.get("id"), str):
        return [Item("app", v, doc, "", resolve_id([], v["id"]))], None
    reporter.add(
        "APL501",
        src,
        src.span(0, 0),
        "not a Marathon app (no `id`), group (no `apps` or `groups`) or Chronos job (no `name`)",
    )
    return out, None


def _group(
    g: dict[str, Any],
    ptr: str,
    base: list[str],
    doc: Document,
    reporter: Reporter,
    out: list[Item],
    depth: int = 0,
) -> None:
    if depth > 50:
        return
    apps = g.get("apps")
    if isinstance(apps, list):
        for i, a in enumerate(apps):
            aptr = join_pointer(ptr, "apps", i)
            if isinstance(a, dict) and isinstance(a.get("id"), str):
                out.append(Item("app", a, doc, aptr, resolve_id(base, a["id"])))
            else:
                reporter.add(
                    "APL502",
                    doc.source,
                    doc.source.locate(aptr),
                    "an app must be an object with an `id`",
                    pointer=aptr,
                )
    groups = g.get("groups")
    if isinstance(groups, list):
        for i, sub in enumerate(groups):
            sptr = join_pointer(ptr, "groups", i)
            if isinstance(sub, dict):
                sid = sub["id"] if isinstance(sub.get("id"), str) else ""
                _group(sub, sptr, resolve_id(base, sid), doc, reporter, out, depth + 1)


def _job_path(job: dict[str, Any]) -> list[str]:
    name = str(job.get("name", ""))
    head, sep, tail = name.partition(".")
    return [head, tail] if sep and head and tail else [name]


def _appliance_id(items: list[Item], group_path: list[str] | None) -> str:
    if group_path:
        return "-".join(group_path)
    for it in items:
        if len(it.path) >= 2:
            return "-".join(it.path[:-1])
    return "imported"
