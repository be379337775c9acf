"""`applc up` and `applc down`: run an appliance on a Docker engine with Docker Compose."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from applc.cli.common import (
    budget_option,
    color_option,
    config_options,
    count,
    fail,
    load_configs,
    use_color,
)

F = TypeVar("F", bound=Callable[..., Any])

# What compose accepts as a service name; anything else (say `--rm`) is refused before it
# can reach compose's command line as an option.
SERVICE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*")


def _service(value: str) -> str:
    if SERVICE.fullmatch(value) is None:
        raise click.BadParameter(f"{value!r} is not a service name")
    return value


def _common(fn: F) -> F:
    for opt in reversed(
        [
            click.argument("file", type=click.Path(dir_okay=False)),
            click.option(
                "-o",
                "--output",
                metavar="DIR",
                help="Where to write the compose file (default: "
                "$XDG_CACHE_HOME/applc/compose/<project>/, outside your tree).",
            ),
            click.option(
                "-p",
                "--project-name",
                metavar="NAME",
                help="The compose project (default: the appliance id, made a valid "
                "project name: lower-case letters, digits, `-` and `_`).",
            ),
            color_option,
            click.option("-q", "--quiet", is_flag=True, help="Show only errors from the build."),
        ]
    ):
        fn = opt(fn)
    return fn


def _timeout_option(fn: F) -> F:
    return click.option(
        "-t",
        "--timeout",
        type=click.IntRange(min=0),
        metavar="SECONDS",
        help="Seconds to wait for a container to stop.",
    )(fn)


def _build(
    file: str,
    output: str | None,
    project: str | None,
    color: str,
    quiet: bool,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
    *,
    previous: bool = False,
) -> tuple[Path, str]:
    """Lint and build FILE for compose; write it; return (compose file, project name).

    With `previous`, an appliance that has errors falls back to the compose file an
    earlier build wrote, when there is one."""
    from applc.build import BuildError, compile_paths, id_problem, write_outputs
    from applc.config import ConfigError
    from applc.diagnostics import Severity
    from applc.engine import cache_dir, project_name
    from applc.formatters import Report, renderer
    from applc.inputs import read_document

    if not Path(file).is_file():
        fail(f"{file}: not an appliance file")
    doc = read_document(file)
    app_id = doc.value.get("id") if isinstance(doc.value, dict) else None
    # Where the compose file goes decides its name (the folder's manifest knows which
    # input wrote what there), so it is known before the build.
    out_dir: Path | None = None
    name = ""
    if project is not None or isinstance(app_id, str):
        name = _project(project, str(app_id))
        out_dir = Path(output) if output is not None else cache_dir(project_name(name))
    try:
        configs = load_configs(config, select, extend_select, ignore, no_inline_ignores)
        result = compile_paths(
            [file],
            configs,
            "compose",
            budget=budget,  # type: ignore[arg-type]
            out_dir=out_dir,
        )
    except (BuildError, ConfigError) as exc:
        fail(str(exc))
    report = result.report
    shown = [d for d in report.diagnostics if not quiet or d.severity >= Severity.ERROR]
    if shown:
        sys.stderr.write(
            renderer("full")(
                Report(shown, report.sources, report.files), use_color(color, sys.stderr)
            )
        )
        sys.stderr.flush()
    if out_dir is None:
        fail(f"{file}: the appliance has no id; give --project-name")
    if result.refused:
        n = sum(1 for d in report.diagnostics if d.severity >= Severity.ERROR)
        # Only an id that can name a file names the earlier one (never `../x`).
        earlier = out_dir / f"{app_id}.compose.yaml"
        if previous and id_problem(app_id) is None and earlier.is_file():
            click.echo(
                f"applc: {count(n, 'error')} in {file}; using {earlier.as_posix()}", err=True
            )
            return earlier, name
        click.echo(f"applc: not run: {count(n, 'error')} in {file}", err=True)
        sys.exit(1)
    if len(result.outputs) != 1:
        fail(f"{file}: expected one appliance")
    try:
        write_outputs(out_dir, result)
    except BuildError as exc:
        fail(f"cannot write to {out_dir.as_posix()}: {exc}")
    except OSError as exc:
        fail(f"cannot write to {out_dir.as_posix()}: {exc.strerror or exc}")
    return out_dir / result.outputs[0].name, name


def _project(given: str | None, app_id: str) -> str:
    from applc.engine import project_name

    if given is not None:
        if project_name(given) != given:
            fail(
                f"--project-name {given!r} is not a compose project name "
                f"(lower-case letters, digits, `-` and `_`; try {project_name(given)!r})"
            )
        return given
    return project_name(app_id)


def _run(compose_args: list[str], cwd: Path) -> NoReturn:
    """Find compose and the engine, run compose with the terminal, exit with its status."""
    from applc.engine import EngineError, check_engine, find_compose

    try:
        compose = find_compose()
        check_engine(compose)
    except EngineError as exc:
        fail(str(exc))
    argv = compose.command(*compose_args)
    proc = subprocess.Popen(argv, cwd=cwd)
    while True:
        try:
            code = proc.wait()
            break
        except KeyboardInterrupt:
            # Compose got the same Ctrl-C and stops its containers; wait for it.
            continue
    sys.exit(code if code >= 0 else 128 - code)


@click.command("up")
@_common
@click.argument("services", nargs=-1, callback=lambda c, p, v: tuple(_service(s) for s in v))
@click.option("-d", "--detach", is_flag=True, help="Start in the background.")
@click.option(
    "--wait",
    is_flag=True,
    help="With --detach: wait until the services run and pass their health checks. "
    "Compose counts a finished job as a failure here: name the services to wait for.",
)
@click.option(
    "--wait-timeout", type=click.IntRange(min=1), metavar="SECONDS", help="How long --wait waits."
)
@click.option(
    "--pull",
    type=click.Choice(["always", "missing", "never"]),
    help="Pull images: always, missing or never (default: each service's pull_policy, "
    "`always` for force_pull_image).",
)
@click.option("--abort-on-container-exit", is_flag=True, help="Stop all when one exits.")
@click.option(
    "--exit-code-from",
    metavar="SERVICE",
    callback=lambda c, p, v: None if v is None else _service(v),
    help="Exit with this service's exit status (implies --abort-on-container-exit).",
)
@click.option("--force-recreate", is_flag=True, help="Recreate containers that did not change.")
@click.option("--remove-orphans", is_flag=True, help="Remove containers no longer in the file.")
@_timeout_option
@budget_option
@config_options
def up_command(
    file: str,
    output: str | None,
    project_name: str | None,
    color: str,
    quiet: bool,
    services: tuple[str, ...],
    detach: bool,
    wait: bool,
    wait_timeout: int | None,
    pull: str | None,
    abort_on_container_exit: bool,
    exit_code_from: str | None,
    force_recreate: bool,
    remove_orphans: bool,
    timeout: int | None,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
) -> None:
    """Build FILE for compose and start it with `docker compose up`.

    The compose file goes to a cache folder (or -o DIR); the project is named after the
    appliance id. SERVICES limits the start to those containers (and what they depend
    on). Exit with compose's status (with --exit-code-from, that service's); 1 when the
    appliance has errors; 2 when no Docker engine or Docker Compose v2 answers.
    """
    if (wait or wait_timeout) and not detach:
        fail("--wait and --wait-timeout need --detach")
    if detach and (abort_on_container_exit or exit_code_from):
        fail("--abort-on-container-exit and --exit-code-from cannot be used with --detach")
    compose_file, name = _build(
        file,
        output,
        project_name,
        color,
        quiet,
        budget,
        config,
        select,
        extend_select,
        ignore,
        no_inline_ignores,
    )
    args = _file_args(compose_file, name) + ["up"]
    args += ["--detach"] if detach else []
    args += ["--wait"] if wait else []
    args += ["--wait-timeout", str(wait_timeout)] if wait_timeout else []
    args += ["--pull", pull] if pull else []
    args += ["--abort-on-container-exit"] if abort_on_container_exit else []
    args += ["--exit-code-from", exit_code_from] if exit_code_from else []
    args += ["--force-recreate"] if force_recreate else []
    args += ["--remove-orphans"] if remove_orphans else []
    args += ["--timeout", str(timeout)] if timeout is not None else []
    if services:
        args += ["--", *services]
    _run(args, compose_file.parent)


@click.command("down")
@_common
@click.option("-v", "--volumes", is_flag=True, help="Remove the named volumes too.")
@_timeout_option
@budget_option
@config_options
def down_command(
    file: str,
    output: str | None,
    project_name: str | None,
    color: str,
    quiet: bool,
    volumes: bool,
    timeout: int | None,
    budget: object,
    config: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_ignores: bool,
) -> None:
    """Stop and remove what `applc up FILE` started: its containers and network, every
    container of the project no longer in the appliance, and with --volumes its named
    volumes.

    FILE is built again to know the project; when it no longer builds, the compose file
    the last `applc up` wrote is used. Exit with compose's status; 1 when neither is
    there; 2 when no Docker engine or Docker Compose v2 answers.
    """
    compose_file, name = _build(
        file,
        output,
        project_name,
        color,
        True,
        budget,
        config,
        select,
        extend_select,
        ignore,
        no_inline_ignores,
        previous=True,
    )
    args = _file_args(compose_file, name) + ["down", "--remove-orphans"]
    args += ["--volumes"] if volumes else []
    args += ["--timeout", str(timeout)] if timeout is not None else []
    _run(args, compose_file.parent)


def _file_args(compose_file: Path, name: str) -> list[str]:
    return [
        "--project-name",
        name,
        "--file",
        str(compose_file),
        "--project-directory",
        str(compose_file.parent),
    ]
