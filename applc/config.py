"""Configuration: discovery, strict validation with positions, and the settings it yields.

`applc.toml` (keys at top level) or `pyproject.toml` `[tool.applc]`, the nearest one
walking up from each input, or `--config PATH`. Every key is validated; a mistake stops
applc with exit 2 and a message that points at the key and suggests the one meant.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from applc.diagnostics import Severity
from applc.rules.context import Budget
from applc.rules.registry import is_valid_selector, suggest_selector

KEYS = (
    "select",
    "extend-select",
    "ignore",
    "severity",
    "per-file-ignores",
    "suppress",
    "fail-level",
    "budget",
    "default-target",
    "exclude",
    "no-inline-ignores",
)
BUDGET_KEYS = ("cpus", "mem", "disk", "gpus")
SUPPRESS_KEYS = ("files", "pointer", "rules", "reason")
LEVELS = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration mistake: where it is and what to do about it."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        help: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.help = help

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        text = f"{where}{self.message}"
        if self.help:
            text += f"\n  help: {self.help}"
        return text


@dataclass(frozen=True)
class Suppression:
    files: tuple[str, ...]
    pointer: str
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Settings:
    """What governs linting one file: selection, severities, suppressions, budget."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    suppress: tuple[Suppression, ...] = ()
    fail_level: Severity = Severity.ERROR
    budget: Budget = field(default_factory=Budget)
    default_target: str | None = None
    exclude: tuple[str, ...] = ()
    inline_ignores: bool = True
    root: str = "."  # the folder globs are relative to
    path: str | None = None  # the config file, if any

    def relative(self, file: str) -> str:
        try:
            return Path(os.path.relpath(os.path.abspath(file), self.root)).as_posix()
        except ValueError:
            return Path(file).as_posix()

    def file_matches(self, pattern: str, file: str) -> bool:
        rel = self.relative(file)
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*"):
            return True
        return "/" not in pattern and fnmatch.fnmatch(Path(file).name, pattern)

    def excluded(self, file: str) -> bool:
        return any(self.file_matches(p, file) for p in self.exclude)


def _position(text: str, key: str, table: str | None) -> tuple[int, int]:
    """Line and column of `key` in TOML text, inside `table` when given."""
    lines = text.splitlines()
    start = 0
    if table is not None:
        hdr = re.compile(r"^\s*\[+\s*" + re.escape(table) + r"\s*\]+\s*(#.*)?$")
        for i, line in enumerate(lines):
            if hdr.match(line):
                start = i + 1
                break
    pat = re.compile(r"^(\s*)(?:[\"']?)" + re.escape(key) + r"(?:[\"']?)\s*[=.]")
    for i in range(start, len(lines)):
        m = pat.match(lines[i])
        if m:
            return i + 1, len(m.group(1)) + 1
    inline = re.compile(r"[{,]\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for i in range(start, len(lines)):
        m = inline.search(lines[i])
        if m:
            return i + 1, m.start() + 2
    return (start or 1), 1


class _Reader:
    def __init__(self, path: str, text: str, table: str | None, prefix: str) -> None:
        self.path = path
        self.text = text
        self.table = table
        self.prefix = prefix

    def error(
        self, key: str, message: str, help: str | None = None, table: str | None = None
    ) -> ConfigError:
        line, col = _position(self.text, key, table if table is not None else self.table)
        return ConfigError(message, self.path, line, col, help)

    def selectors(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"`{self.prefix}{key}` must be a list of rule codes or names")
        for v in value:
            if not is_valid_selector(v):
                guess = suggest_selector(v)
                raise self.error(
                    key,
                    f"unknown rule selector `{v}` in `{self.prefix}{key}`",
                    f"did you mean `{guess}`?"
                    if guess
                    else "run `applc rules` for the list of rules",
                )
        return tuple(value)

    def level(self, key: str, value: Any, table: str | None = None) -> Severity:
        if not isinstance(value, str) or value.lower() not in LEVELS:
            raise self.error(
                key,
                f"`{self.prefix}{key}` must be one of "
                + ", ".join(f'"{x}"' for x in LEVELS)
                + f", found {value!r}",
                table=table,
            )
        return Severity.parse(value)


def parse_config(
    path: str, text: str, data: dict[str, Any], table: str | None, base: Settings | None = None
) -> Settings:
    """Validate a config table; `table` is `tool.applc` for pyproject.toml."""
    prefix = "tool.applc." if table else ""
    r = _Reader(path, text, table, prefix)
    s = base or Settings()
    s = replace(s, root=str(Path(path).resolve().parent), path=path)
    for key, value in data.items():
        if key not in KEYS:
            guess = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.5)
            raise r.error(
                key,
                f"unknown configuration key `{prefix}{key}`",
                f"did you mean `{guess[0]}`?" if guess else "valid keys: " + ", ".join(KEYS),
            )
        if key == "select":
            s = replace(s, select=r.selectors(key, value))
        elif key == "extend-select":
            s = replace(s, extend_select=r.selectors(key, value))
        elif key == "ignore":
            s = replace(s, ignore=r.selectors(key, value))
        elif key == "severity":
            if not isinstance(value, dict):
                raise r.error(key, f"`{prefix}severity` must be a table of selector = level")
            sub = f"{table}.severity" if table else "severity"
            pairs = []
            for sel, lvl in value.items():
                if not is_valid_selector(sel):
                    close = suggest_selector(sel)
                    raise r.error(
                        sel,
                        f"unknown rule selector `{sel}` in `{prefix}severity`",
                        f"did you mean `{close}`?" if close else None,
                        table=sub,
                    )
                pairs.append((sel, r.level(sel, lvl, table=sub)))
            s = replace(s, severity=tuple(pairs))
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise r.error(
                    key, f"`{prefix}per-file-ignores` must be a table of glob = [selectors]"
                )
            s = replace(
                s,
                per_file_ignores=tuple(
                    (glob, r.selectors(key, sels)) for glob, sels in value.items()
                ),
            )
        elif key == "suppress":
            s = replace(s, suppress=tuple(_suppressions(r, value)))
        elif key == "fail-level":
            s = replace(s, fail_level=r.level(key, value))
        elif key == "budget":
            s = replace(s, budget=_budget(r, value))
        elif key == "default-target":
            if not isinstance(value, str):
                raise r.error(key, f"`{prefix}default-target` must be a target name")
            s = replace(s, default_target=value)
        elif key == "exclude":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise r.error(key, f"`{prefix}exclude` must be a list of globs")
            s = replace(s, exclude=tuple(value))
        elif key == "no-inline-ignores":
            if not isinstance(value, bool):
                raise r.error(key, f"`{prefix}no-inline-ignores` must be true or false")
            s = replace(s, inline_ignores=not value)
    return s


def _budget(r: _Reader, value: Any) -> Budget:
    if not isinstance(value, dict):
        raise r.error(
            "budget", f"`{r.prefix}budget` must be a table such as {{ cpus = 8, mem = 16384 }}"
        )
    out: dict[str, float] = {}
    for k, v in value.items():
        if k not in BUDGET_KEYS:
            guess = difflib.get_close_matches(k, BUDGET_KEYS, n=1, cutoff=0.5)
            if k in ("memory", "gpu", "cpu"):
                guess = [{"memory": "mem", "gpu": "gpus", "cpu": "cpus"}[k]]
            raise r.error(
                k,
                f"unknown budget key `{k}`",
                f"did you mean `{guess[0]}`?" if guess else "budget keys: cpus, mem, disk, gpus",
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise r.error(k, f"budget `{k}` must be a number of at least 0")
        out[k] = float(v)
    return Budget(**out)


def _suppressions(r: _Reader, value: Any) -> list[Suppression]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise r.error(
            "suppress", f"`{r.prefix}suppress` must be an array of tables ([[suppress]] entries)"
        )
    out = []
    for entry in value:
        for k in entry:
            if k not in SUPPRESS_KEYS:
                guess = difflib.get_close_matches(k, SUPPRESS_KEYS, n=1, cutoff=0.5)
                raise r.error(
                    k,
                    f"unknown key `{k}` in a suppress entry",
                    f"did you mean `{guess[0]}`?"
                    if guess
                    else "suppress keys: files, pointer, rules, reason",
                )
        files = entry.get("files", ["*"])
        if isinstance(files, str):
            files = [files]
        pointer = entry.get("pointer", "")
        if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
            raise r.error(
                "pointer", 'a suppress `pointer` must be a JSON pointer such as "/containers/2"'
            )
        rules = r.selectors("rules", entry.get("rules", []))
        if not rules:
            raise r.error("suppress", "a suppress entry needs `rules`")
        reason = entry.get("reason", "")
        if not isinstance(reason, str):
            raise r.error("reason", "a suppress `reason` must be a string")
        out.append(Suppression(tuple(files), pointer, rules, reason))
    return out


def load_config_file(path: str) -> Settings:
    import tomllib

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("configuration is not UTF-8 text", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise ConfigError(
            f"invalid TOML: {re.sub(r' [(]at line.*', '', msg)}", path, line, col
        ) from None
    if Path(path).name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("applc", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError("`tool.applc` must be a table", path)
        return parse_config(path, text, table, "tool.applc")
    return parse_config(path, text, data, None)


def _has_applc_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[+\s*tool\.applc\b", text, re.MULTILINE) is not None


def find_config(start: Path) -> Path | None:
    """The nearest applc.toml, or pyproject.toml with [tool.applc], walking up."""
    d = start if start.is_dir() else start.parent
    d = d.resolve()
    for folder in (d, *d.parents):
        candidate = folder / "applc.toml"
        if candidate.is_file():
            return candidate
        py = folder / "pyproject.toml"
        if py.is_file() and _has_applc_table(py):
            return py
    return None


class ConfigCache:
    """Settings per folder, so each config file is read and validated once a run."""

    def __init__(self, explicit: str | None = None, overrides: dict[str, Any] | None = None):
        self.explicit = explicit
        self.overrides = overrides or {}
        self._by_file: dict[Path | None, Settings] = {}
        self._explicit: Settings | None = None

    def for_path(self, path: str) -> Settings:
        if self.explicit is not None:
            if self._explicit is None:
                self._explicit = self._apply(load_config_file(self.explicit))
            return self._explicit
        start = Path(path) if path not in ("-", "") else Path.cwd()
        cfg = find_config(start if start.exists() else Path.cwd())
        if cfg not in self._by_file:
            base = load_config_file(str(cfg)) if cfg is not None else Settings(root=str(Path.cwd()))
            self._by_file[cfg] = self._apply(base)
        return self._by_file[cfg]

    def _apply(self, s: Settings) -> Settings:
        return replace(s, **self.overrides) if self.overrides else s
