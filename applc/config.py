"""Configuration: discovery, strict validation with positions, and the settings it yields.

`applc.toml` (keys at top level) or `pyproject.toml` `[tool.applc]`, the nearest one
walking up from each input, or `--config PATH`. The file is read as TOML (`tomllib`), so
every spelling of a table means the same (`[tool]` + `applc.ignore = ...`,
`[ tool . applc ]`, dotted keys). Every key is validated; each mistake is reported with
the file, line and column of the key or value (from `applc.toml_positions`) and the key
meant, all of them at once, and stops applc with exit 2.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from applc.diagnostics import Severity
from applc.globs import PatternError, matches_any, validate_pattern
from applc.patterns import lazy
from applc.records import Value, replace
from applc.rules.context import Budget
from applc.rules.registry import is_valid_selector, suggest_selector

if TYPE_CHECKING:
    # The positions of keys in a configuration file: read only when there is one.
    from applc.toml_positions import Path as KeyPath
    from applc.toml_positions import Positions

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
    "extend-exclude",
    "no-inline-ignores",
)
BUDGET_KEYS = ("cpus", "mem", "disk", "gpus")
SUPPRESS_KEYS = ("files", "pointer", "rules", "reason")
LEVELS = ("error", "warning", "info")
TABLE = ("tool", "applc")  # where pyproject.toml keeps the keys


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

    @property
    def problems(self) -> list[ConfigError]:
        return [self]

    def __str__(self) -> str:
        from applc.formatters.text import escape_controls

        where = ""
        if self.path:
            where = self.path
            if self.line:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        # Key names and values come from the file: shown escaped, one line each.
        text = f"{where}{escape_controls(self.message)}"
        if self.help:
            text += f"\n  help: {escape_controls(self.help)}"
        return text


class ConfigErrors(ConfigError):
    """Every mistake found in one configuration file, in file order."""

    def __init__(self, errors: list[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.message, first.path, first.line, first.column, first.help)
        self._errors = errors

    @property
    def problems(self) -> list[ConfigError]:
        return list(self._errors)

    def __str__(self) -> str:
        text = "\n".join(ConfigError.__str__(e) for e in self._errors)
        if len(self._errors) > 1:
            text += f"\n{len(self._errors)} mistakes in {self.path}"
        return text


class Suppression(Value):
    """A `[[suppress]]` entry: these rules under this pointer in these files."""

    FIELDS = ("files", "pointer", "rules", "reason")
    files: Final[tuple[str, ...]]
    pointer: Final[str]
    rules: Final[tuple[str, ...]]
    reason: Final[str]

    def __init__(
        self, files: tuple[str, ...], pointer: str, rules: tuple[str, ...], reason: str
    ) -> None:
        self.files = files
        self.pointer = pointer
        self.rules = rules
        self.reason = reason


class Settings(Value):
    """What governs linting one file: selection, severities, suppressions, budget."""

    FIELDS = (
        "select",
        "extend_select",
        "ignore",
        "severity",
        "per_file_ignores",
        "suppress",
        "fail_level",
        "budget",
        "default_target",
        "exclude",
        "extend_exclude",
        "inline_ignores",
        "root",
        "path",
        "origins",
    )
    COMPARED = FIELDS[:-1]  # not `origins`
    select: Final[tuple[str, ...]]
    extend_select: Final[tuple[str, ...]]
    ignore: Final[tuple[str, ...]]
    severity: Final[tuple[tuple[str, Severity], ...]]
    per_file_ignores: Final[tuple[tuple[str, tuple[str, ...]], ...]]
    suppress: Final[tuple[Suppression, ...]]
    fail_level: Final[Severity]
    budget: Final[Budget]
    default_target: Final[str | None]
    exclude: Final[tuple[str, ...]]
    extend_exclude: Final[tuple[str, ...]]
    inline_ignores: Final[bool]
    root: Final[str]
    path: Final[str | None]
    origins: Final[tuple[tuple[str, str], ...]]

    def __init__(
        self,
        select: tuple[str, ...] = ("ALL",),
        extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        severity: tuple[tuple[str, Severity], ...] = (),
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = (),
        suppress: tuple[Suppression, ...] = (),
        fail_level: Severity = Severity.ERROR,
        budget: Budget | None = None,
        default_target: str | None = None,
        exclude: tuple[str, ...] = (),
        extend_exclude: tuple[str, ...] = (),
        inline_ignores: bool = True,
        root: str = ".",  # the folder patterns are relative to
        path: str | None = None,  # the config file, if any
        # Where each setting that is not a default came from: "FILE:LINE:COL" or an
        # option.
        origins: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.severity = severity
        self.per_file_ignores = per_file_ignores
        self.suppress = suppress
        self.fail_level = fail_level
        self.budget = Budget() if budget is None else budget
        self.default_target = default_target
        self.exclude = exclude
        self.extend_exclude = extend_exclude
        self.inline_ignores = inline_ignores
        self.root = root
        self.path = path
        self.origins = origins

    def relative(self, file: str) -> str:
        try:
            return Path(os.path.relpath(os.path.abspath(file), self.root)).as_posix()
        except ValueError:
            return Path(file).as_posix()

    def file_matches(self, pattern: str, file: str) -> bool:
        """Whether `file` matches a gitignore-style `pattern` relative to the config's
        folder (an absolute pattern is matched as it stands)."""
        return matches_any((pattern,), self.root, file)

    def excluded(self, file: str) -> bool:
        patterns = self.exclude + self.extend_exclude
        return bool(patterns) and matches_any(patterns, self.root, file)

    def origin(self, name: str) -> str | None:
        return dict(self.origins).get(name)


class _Reader:
    """Validates one table, collecting every mistake with its position."""

    def __init__(self, path: str, positions: Positions, base: KeyPath, prefix: str) -> None:
        self.path = path
        self.positions = positions
        self.base = base
        self.prefix = prefix
        self.errors: list[ConfigError] = []

    def at(self, where: KeyPath, value: bool = False) -> tuple[int, int]:
        full = (*self.base, *where)
        return self.positions.value(full) if value else self.positions.key(full)

    def report(
        self, where: KeyPath, message: str, help: str | None = None, value: bool = False
    ) -> None:
        line, col = self.at(where, value)
        self.errors.append(ConfigError(message, self.path, line, col, help))

    def origin(self, where: KeyPath) -> str:
        line, col = self.at(where)
        return f"{self.path}:{line}:{col}"

    def unknown(
        self, where: KeyPath, key: str, known: tuple[str, ...], what: str, shown: str = ""
    ) -> None:
        guess = _close_matches(key, known, n=1, cutoff=0.5)
        self.report(
            where,
            f"unknown {what} `{shown or key}`",
            f"did you mean `{guess[0]}`?" if guess else "valid keys: " + ", ".join(known),
        )

    def selector(
        self, where: KeyPath, value: Any, context: str, value_pos: bool = True
    ) -> str | None:
        if not isinstance(value, str):
            self.report(where, f"a rule selector in {context} must be a string", value=value_pos)
            return None
        if not is_valid_selector(value):
            guess = suggest_selector(value)
            self.report(
                where,
                f"unknown rule selector `{value}` in {context}",
                f"did you mean `{guess}`?" if guess else "run `applc rules` for the list of rules",
                value=value_pos,
            )
            return None
        return value

    def selectors(self, where: KeyPath, value: Any, context: str) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.report(where, f"{context} must be a list of rule codes or names", value=True)
            return None
        found = [self.selector((*where, i), v, context) for i, v in enumerate(value)]
        return tuple(v for v in found if v is not None) if None not in found else None

    def patterns(self, where: KeyPath, value: Any, context: str) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.report(where, f"{context} must be a glob or a list of globs", value=True)
            return None
        good: list[str] = []
        for i, v in enumerate(items):
            at = where if isinstance(value, str) else (*where, i)
            if not isinstance(v, str):
                self.report(at, f"{context} must be a glob or a list of globs", value=True)
                continue
            try:
                validate_pattern(v)
            except PatternError as exc:
                self.report(at, f"invalid glob `{v}` in {context}: {exc}", value=True)
                continue
            good.append(v)
        return tuple(good) if len(good) == len(items) else None

    def level(self, where: KeyPath, value: Any, context: str) -> Severity | None:
        if not isinstance(value, str) or value.lower() not in LEVELS:
            guess = (
                _close_matches(value.lower(), LEVELS, n=1, cutoff=0.5)
                if isinstance(value, str)
                else []
            )
            self.report(
                where,
                f"{context} must be one of "
                + ", ".join(f'"{x}"' for x in LEVELS)
                + f", found {_toml_repr(value)}",
                f'did you mean "{guess[0]}"?' if guess else None,
                value=True,
            )
            return None
        return Severity.parse(value)


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def parse_config(
    path: str,
    data: dict[str, Any],
    positions: Positions | None = None,
    base: KeyPath = (),
    settings: Settings | None = None,
) -> Settings:
    """Validate a config table found at `base` in the file (`("tool", "applc")` in
    pyproject.toml). Raises ConfigErrors with every mistake."""
    prefix = "".join(f"{k}." for k in base)
    if positions is None:
        from applc.toml_positions import Positions

        positions = Positions()
    r = _Reader(path, positions, base, prefix)
    s = settings or Settings()
    values: dict[str, Any] = {"root": str(Path(path).resolve().parent), "path": path}
    origins: dict[str, str] = {}
    for key, value in data.items():
        at: KeyPath = (key,)
        name = f"`{prefix}{key}`"
        if key not in KEYS:
            if not base and key == "tool" and isinstance(value, dict) and "applc" in value:
                r.report(
                    at,
                    "unknown configuration key `tool`",
                    "applc.toml has its keys at the top level: drop the [tool.applc] header "
                    "(that table is for pyproject.toml)",
                )
                continue
            r.unknown(at, key, KEYS, "configuration key", f"{prefix}{key}")
            continue
        attr = key.replace("-", "_")
        result: Any = None
        if key in ("select", "extend-select", "ignore"):
            result = r.selectors(at, value, name)
        elif key == "severity":
            result = _severity(r, value, name)
        elif key == "per-file-ignores":
            result = _per_file_ignores(r, value, name)
        elif key == "suppress":
            result = _suppressions(r, value, name)
        elif key == "fail-level":
            result = r.level(at, value, name)
        elif key == "budget":
            result = _budget(r, value, name)
        elif key == "default-target":
            result = _target(r, value, name)
        elif key in ("exclude", "extend-exclude"):
            if isinstance(value, list):
                result = r.patterns(at, value, name)
            else:
                hint = f"write [{_toml_repr(value)}]" if isinstance(value, str) else None
                r.report(at, f"{name} must be a list of globs", hint, value=True)
        elif key == "no-inline-ignores":
            if not isinstance(value, bool):
                r.report(at, f"{name} must be true or false", value=True)
            else:
                result = not value
                attr = "inline_ignores"
        if result is not None:
            values[attr] = result
            origins[attr] = r.origin(at)
    if r.errors:
        r.errors.sort(key=lambda e: (e.line or 0, e.column or 0))
        raise ConfigErrors(r.errors)
    return replace(s, **values, origins=tuple(origins.items()))


def _severity(r: _Reader, value: Any, name: str) -> tuple[tuple[str, Severity], ...] | None:
    if not isinstance(value, dict):
        r.report(("severity",), f"{name} must be a table of selector = level", value=True)
        return None
    pairs = []
    ok = True
    for sel, lvl in value.items():
        at = ("severity", sel)
        good = r.selector(at, sel, name, value_pos=False)
        level = r.level(at, lvl, f"`{r.prefix}severity.{sel}`")
        if good is None or level is None:
            ok = False
        else:
            pairs.append((good, level))
    return tuple(pairs) if ok else None


def _per_file_ignores(r: _Reader, value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        r.report(("per-file-ignores",), f"{name} must be a table of glob = [selectors]", value=True)
        return None
    out = []
    ok = True
    for glob, sels in value.items():
        at = ("per-file-ignores", glob)
        try:
            validate_pattern(glob)
        except PatternError as exc:
            r.report(at, f"invalid glob `{glob}` in {name}: {exc}")
            ok = False
        found = r.selectors(at, sels, f'`{r.prefix}per-file-ignores."{glob}"`')
        if found is None:
            ok = False
        else:
            out.append((glob, found))
    return tuple(out) if ok else None


def _budget(r: _Reader, value: Any, name: str) -> Budget | None:
    if not isinstance(value, dict):
        r.report(
            ("budget",),
            f"{name} must be a table such as {{ cpus = 8, mem = 16384 }}",
            value=True,
        )
        return None
    out: dict[str, float] = {}
    ok = True
    aliases = {"memory": "mem", "gpu": "gpus", "cpu": "cpus"}
    for k, v in value.items():
        at = ("budget", k)
        if k not in BUDGET_KEYS:
            if k in aliases:
                r.report(at, f"unknown budget key `{k}`", f"did you mean `{aliases[k]}`?")
            else:
                r.unknown(at, k, BUDGET_KEYS, "budget key")
            ok = False
        elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            r.report(
                at,
                f"budget `{k}` must be a finite number of at least 0, found {_toml_repr(v)}",
                value=True,
            )
            ok = False
        else:
            out[k] = float(v)
    return Budget(**out) if ok else None


_POINTER = lazy(r"(/([^~/]|~[01])*)*")


def _suppressions(r: _Reader, value: Any, name: str) -> tuple[Suppression, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        r.report(
            ("suppress",),
            f"{name} must be an array of tables ([[suppress]] entries)",
            value=True,
        )
        return None
    out = []
    ok = True
    for i, entry in enumerate(value):
        at: KeyPath = ("suppress", i)
        bad = len(r.errors)
        for k in entry:
            if k not in SUPPRESS_KEYS:
                r.unknown((*at, k), k, SUPPRESS_KEYS, "key in a suppress entry")
        files = r.patterns((*at, "files"), entry.get("files", ["*"]), "a suppress `files`")
        pointer = entry.get("pointer", "")
        if not isinstance(pointer, str) or _POINTER.fullmatch(pointer) is None:
            r.report(
                (*at, "pointer"),
                'a suppress `pointer` must be a JSON pointer such as "/containers/2"',
                "start it with `/`; write `~0` for `~` and `~1` for `/` inside a key",
                value=True,
            )
        if "rules" not in entry:
            r.report(
                at, "a suppress entry needs `rules`", 'add rules = ["APL301"] (codes or names)'
            )
        rules = r.selectors((*at, "rules"), entry.get("rules", []), "a suppress `rules`")
        if rules == () and "rules" in entry:
            r.report((*at, "rules"), "a suppress `rules` must not be empty", value=True)
        reason = entry.get("reason", "")
        if not isinstance(reason, str):
            r.report((*at, "reason"), "a suppress `reason` must be a string", value=True)
        if len(r.errors) > bad or files is None or rules is None:
            ok = False
            continue
        assert isinstance(pointer, str) and isinstance(reason, str)
        out.append(Suppression(files, pointer, rules, reason))
    return tuple(out) if ok else None


def _target(r: _Reader, value: Any, name: str) -> str | None:
    if not isinstance(value, str) or not value:
        r.report(("default-target",), f"{name} must be a target name", value=True)
        return None
    from applc.targets.registry import BUILTIN

    if value in BUILTIN:
        return value
    from applc.targets.registry import target_names

    names = target_names()
    if value not in names:
        guess = _close_matches(value, names, n=1, cutoff=0.5)
        r.report(
            ("default-target",),
            f"unknown target `{value}` in {name}",
            f"did you mean `{guess[0]}`?" if guess else "targets: " + ", ".join(names),
            value=True,
        )
        return None
    return value


def read_toml(path: str) -> tuple[dict[str, Any], str]:
    """A TOML file's data and text; ConfigError (with its position) when unreadable."""
    import tomllib

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("configuration is not UTF-8 text", path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        if m is None and "end of document" in msg:
            line = text.count("\n") + 1
            col = len(text) - (text.rfind("\n") + 1) + 1
        raise ConfigError(
            f"invalid TOML: {re.sub(r' [(]at .*', '', msg)}", path, line, col
        ) from None


def load_config_file(path: str) -> Settings:
    data, text = read_toml(path)
    from applc.toml_positions import toml_positions

    positions = toml_positions(text)
    if Path(path).name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("applc", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            line, col = positions.key(TABLE)
            raise ConfigError("`tool.applc` must be a table", path, line, col)
        return parse_config(path, table, positions, TABLE)
    return parse_config(path, data, positions)


def _has_applc_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures applc: a `tool.applc` key however spelt. A
    file that is not valid TOML counts when it mentions applc at all, so its mistake is
    reported rather than the configuration silently ignored."""
    try:
        st = pyproject.stat()
    except OSError:
        return False
    # Every input looks up its folders: each pyproject.toml is parsed once per version.
    return _configures_applc(str(pyproject), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _configures_applc(path: str, mtime_ns: int, size: int) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if "applc" not in text or not _may_configure_applc(text):
        return False  # the common cases, decided without importing a TOML parser
    try:
        data, _ = read_toml(path)
    except ConfigError:
        try:
            return "applc" in Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "applc" in tool


_HEADER = r"""\s*(?:"[^"\\\n]*"|'[^'\n]*'|[A-Za-z0-9_-]+)\s*"""


def _may_configure_applc(text: str) -> bool:
    """False only when no spelling of a `tool.applc` key can be in a TOML text: applc
    appears only as a value, in comments, or as a key of some other table (a project that
    depends on applc or names a script applc). Anything the line scan cannot vouch for
    (escapes, multi-line strings, inline tables, headers it cannot read) counts as maybe,
    and the real parser decides. A file that is not TOML at all is reported only when it
    may configure applc."""
    if "\\u" in text or "\\U" in text or '"""' in text or "'''" in text:
        return True
    header = re.compile(rf"\[\[?({_HEADER}(?:\.{_HEADER})*)\]\]?\s*(?:#.*)?")
    word = re.compile(r"(?<![A-Za-z0-9_-])applc(?![A-Za-z0-9_-])")
    strings = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'""")
    table = ""
    depth = 0  # of brackets open across lines: a multi-line array's lines are values
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            continue
        if depth == 0 and s.startswith("["):
            m = header.fullmatch(s)
            if m is None:
                return True
            table = ".".join(p.strip().strip("\"'") for p in m.group(1).split("."))
            if table == "tool.applc" or table.startswith("tool.applc."):
                return True
            continue
        if word.search(line):
            if "{" in line:
                return True
            if depth == 0:
                key, eq, _ = line.partition("=")
                if not eq:
                    return True
                dotted = "".join(key.split()).replace('"', "").replace("'", "")
                if word.search(key) and (
                    table == "tool" or (table == "" and dotted.startswith("tool."))
                ):
                    return True
        bare = strings.sub('""', line).split("#", 1)[0]
        depth = max(0, depth + bare.count("[") - bare.count("]"))
    return False


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
        if not self.overrides:
            return s
        origins = dict(s.origins)
        values = dict(self.overrides)
        for attr in values:
            option = OPTION_OF.get(attr, "--" + attr.replace("_", "-")) + " (command line)"
            if attr == "extend_exclude" and s.extend_exclude:
                # Extends the configuration's own list rather than replacing it.
                values[attr] = s.extend_exclude + values[attr]
                option = f"{origins.get(attr)} and {option}"
            origins[attr] = option
        return replace(s, **values, origins=tuple(origins.items()))


# The command-line option behind each override, where its name is not the setting's.
OPTION_OF = {"inline_ignores": "--no-inline-ignores"}


def _close_matches(word: str, options: Iterable[str], n: int, cutoff: float) -> list[str]:
    import difflib  # only a misspelt setting needs it

    return difflib.get_close_matches(word, options, n=n, cutoff=cutoff)
