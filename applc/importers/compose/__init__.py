"""Compose files into an appliance.

`project.py` reads the files as `docker compose config` does (keeping positions),
`mapping.py` maps the project onto an appliance, `hosts.py` turns host names of other
services into `@` references, `units.py` parses compose's sizes, durations and specs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from applc.importers import ImportResult, Origin, Reporter
from applc.importers.compose.mapping import Mapper, dns_label
from applc.importers.compose.project import Loader, ProjectError


def import_files(
    files: list[str],
    *,
    appliance_id: str | None = None,
    profiles: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> ImportResult:
    """The appliance of the compose project made of `files` (merged in order, as with
    `docker compose -f a -f b`); `-` is standard input."""
    reporter = Reporter()
    env = dict(os.environ if environ is None else environ)
    loader = Loader(reporter, env, list(profiles or []))
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
    origins = [Origin(n.source, n.key_span, n.pointer) for n in mapper.origins]
    root = None
    if project.first is not None:
        root = Origin(project.first, project.first.span(0, 0), "")
    return ImportResult(value, reporter, origins, root)
