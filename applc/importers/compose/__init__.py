"""Compose files into an appliance.

`project.py` reads the files as `docker compose config` does (keeping positions),
`mapping.py` maps the project onto an appliance, `hosts.py` turns host names of other
services into `@` references, `units.py` parses compose's sizes, durations and specs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from applc.importers import ImportResult, Origin, Reporter
from applc.importers.compose.mapping import Mapper, dns_label
from applc.importers.compose.project import Loader, Project, ProjectError


def import_files(
    files: list[str],
    *,
    appliance_id: str | None = None,
    profiles: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    allow_outside: list[str] | None = None,
) -> ImportResult:
    """The appliance of the compose project made of `files` (merged in order, as with
    `docker compose -f a -f b`); `-` is standard input. The files the compose files name
    (`.env`, `env_file`, `extends`) are read only inside the first file's folder and the
    folders of `allow_outside` (see reading.py)."""
    reporter = Reporter()
    env = dict(os.environ if environ is None else environ)
    loader = Loader(reporter, env, list(profiles or []), allow_outside or [])
    try:
        project = loader.load([Path(f) for f in files], stdin)
    except ProjectError:
        return ImportResult(None, reporter)
    if not project.services:
        first = project.first
        if first is not None:
            reporter.add(
                "APL502",
                first,
                first.span(0, 0),
                "the project has no services to import"
                + (" (all are behind profiles; see --profile)" if project.disabled else ""),
            )
        return ImportResult(None, reporter)
    aid = appliance_id if appliance_id is not None else dns_label(project.name)
    mapper = Mapper(project, reporter)
    value = mapper.run(aid)
    if appliance_id is None:
        _fit_appliance_id(value, project, reporter)
    origins = [Origin(n.source, n.key_span, n.pointer) for n in mapper.origins]
    root = None
    if project.first is not None:
        root = Origin(project.first, project.first.span(0, 0), "")
    return ImportResult(value, reporter, origins, root)


def _fit_appliance_id(value: dict[str, Any], project: Project, reporter: Reporter) -> None:
    """Shorten a derived appliance id so that every `<container>-<appliance>`, PIVOT's DNS
    label, fits in 63 characters: whole `-` parts from the front of the project name first.
    An id given with --id is never changed (lint then says which label is too long)."""
    aid = value["id"]
    longest = max((len(c["id"]) for c in value["containers"]), default=0)
    budget = 63 - 1 - longest
    if len(aid) <= budget or budget < 1:
        return
    parts = aid.split("-")
    short = parts[0][:budget].rstrip("-")
    for part in parts[1:]:
        if len(short) + 1 + len(part) > budget:
            break
        short += "-" + part
    if not short:
        return
    value["id"] = short
    where = project.name_node
    source = where.source if where is not None else project.first
    if source is None:
        return
    span = where.span if where is not None else source.span(0, 0)
    reporter.add(
        "APL505",
        source,
        span,
        f"the appliance id `{aid}` becomes `{short}`, so that `<container>-<appliance>` "
        f"(PIVOT's DNS name of each container) stays within 63 characters",
        help="pass --id to choose the appliance id",
    )
