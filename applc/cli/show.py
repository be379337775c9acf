"""`applc lint --show-settings` and `--show-files`: what a run would use, without running.

The settings are printed as the TOML a user would write for them, each line with a
comment saying where the value came from (a file position, an option, or the default),
so the output can be pasted back into an `applc.toml`.
"""

from __future__ import annotations

import json
from typing import Any

from applc.config import ConfigCache, Settings
from applc.formatters.text import escape_controls
from applc.rules.context import Budget


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string; escaping keeps control characters
        # from a hostile config off the terminal.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(type(value))


def _key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)


def _budget(b: Budget) -> dict[str, float]:
    return dict(b.items())


def settings_text(settings: Settings, file: str, budget: Budget | None = None) -> str:
    """The resolved settings for `file`, one TOML line each, with where it came from."""
    s = settings
    rows: list[tuple[str, str, Any]] = [
        ("select", "select", list(s.select)),
        ("extend-select", "extend_select", list(s.extend_select)),
        ("ignore", "ignore", list(s.ignore)),
        ("severity", "severity", {sel: lvl.label for sel, lvl in s.severity}),
        ("per-file-ignores", "per_file_ignores", {g: list(v) for g, v in s.per_file_ignores}),
        (
            "suppress",
            "suppress",
            [
                {
                    "files": list(x.files),
                    "pointer": x.pointer,
                    "rules": list(x.rules),
                    "reason": x.reason,
                }
                for x in s.suppress
            ],
        ),
        ("fail-level", "fail_level", s.fail_level.label),
        ("budget", "budget", _budget(budget or s.budget)),
        ("default-target", "default_target", s.default_target),
        ("exclude", "exclude", list(s.exclude)),
        ("extend-exclude", "extend_exclude", list(s.extend_exclude)),
        ("no-inline-ignores", "inline_ignores", not s.inline_ignores),
    ]
    out = [
        f"# Settings for {file}",
        f"# Configuration file: {s.path if s.path else 'none found (defaults)'}",
        f"# Patterns are relative to: {s.root}",
    ]
    for key, attr, value in rows:
        origin = "--budget (command line)" if attr == "budget" and budget else s.origin(attr)
        where = f"  # {origin}" if origin else "  # default"
        if value is None:
            out.append(f"# {key} is not set")
            continue
        out.append(f"{key} = {_toml(value)}{where}")
    return "".join(escape_controls(line) + "\n" for line in out)


def show_settings(
    paths: list[str],
    configs: ConfigCache,
    stdin_filename: str | None,
    budget: Budget | None,
) -> str:
    """Settings for the first input, as ruff shows them for its first file."""
    first = paths[0]
    if first == "-":
        name = stdin_filename or "<stdin>"
        settings = configs.for_path(stdin_filename or "-")
    else:
        from applc.api import expand_inputs

        files = [f for f in expand_inputs([first], configs) if f != "-"]
        name = files[0] if files else first
        settings = configs.for_path(name)
    return settings_text(settings, name, budget)


def show_files(paths: list[str], configs: ConfigCache, force_exclude: bool) -> str:
    from applc.api import expand_inputs

    files = expand_inputs(paths, configs, force_exclude)
    return "".join(escape_controls(f) + "\n" for f in files)
