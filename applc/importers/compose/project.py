"""A compose project read the way `docker compose config` reads it, with positions.

Reading it here instead of asking the compose binary (`docker-compose config --format
json`) keeps every value's line and column for the findings (the binary's JSON has none),
needs nothing installed beyond applc, and takes milliseconds instead of a process start.
The semantics follow the compose specification, and the tests check them against the
binary: `.env` beside the first file, interpolation, `extends` (same file or another),
YAML anchors and merge keys, `env_file`, profiles, and several files merged in order.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from applc.files import UnsafeFile, read_regular
from applc.importers import Reporter
from applc.importers.compose.interpolate import Interpolator, Problem, parse_dotenv
from applc.importers.compose.reading import Gate, Refused
from applc.importers.compose.units import volume_target
from applc.importers.yamlnodes import YamlProblem, YNode, load_yaml
from applc.source import Source, join_pointer

MAX_FILE_BYTES = 16 * 1024 * 1024
# A dotenv file becomes a process environment, which Linux caps at 2 MiB with the
# arguments (ARG_MAX): a larger one can only be a mistake, or an attack on memory.
MAX_DOTENV_BYTES = 1024 * 1024
# Keys whose sequences replace the earlier file's instead of adding to them.
_REPLACED = frozenset({"command", "entrypoint", "test"})
# Keys whose list form (`K=V`) is a mapping.
_KEYED_LISTS = frozenset({"environment", "labels", "annotations", "sysctls", "extra_hosts"})


class ProjectError(Exception):
    """Nothing can be imported (the reasons are in the reporter)."""


@dataclass
class Project:
    name: str
    name_node: YNode | None
    project_dir: Path
    env: dict[str, str]
    services: dict[str, YNode]
    volumes: dict[str, YNode] = field(default_factory=dict)
    networks: dict[str, YNode] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    # Source path -> the folder its relative paths resolve against.
    base_dirs: dict[str, Path] = field(default_factory=dict)
    first: Source | None = None
    # What the files may have the import read (env_file).
    gate: Gate | None = None


def read_source(path: Path, reporter: Reporter, shown: str | None = None) -> Source | None:
    """The text of a file named on the command line, or None with an APL501 finding.
    Only a regular file is opened, without blocking (a fifo never hangs the import)."""
    name = shown or str(path)
    empty = Source(name, "")
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            why = "is a directory" if stat.S_ISDIR(st.st_mode) else "is not a regular file"
            reporter.add("APL501", empty, empty.span(0, 0), f"{name} {why}")
            return None
        data = read_regular(path, limit=MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            reporter.add(
                "APL501",
                empty,
                empty.span(0, 0),
                f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            )
            return None
    except FileNotFoundError:
        reporter.add("APL501", empty, empty.span(0, 0), f"{name} does not exist")
        return None
    except UnsafeFile:
        reporter.add("APL501", empty, empty.span(0, 0), f"{name} is not a regular file")
        return None
    except OSError as exc:
        reporter.add("APL501", empty, empty.span(0, 0), f"cannot read {name}: {exc.strerror}")
        return None
    except ValueError:  # a NUL in the name
        reporter.add("APL501", empty, empty.span(0, 0), f"{name!r} is not a valid path")
        return None
    return decode_source(name, data, reporter)


def decode_source(name: str, data: bytes, reporter: Reporter) -> Source | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        empty = Source(name, "")
        reporter.add(
            "APL501", empty, empty.span(0, 0), f"{name} is not UTF-8 text (byte {exc.start})"
        )
        return None
    return Source(name, text.replace("\r\n", "\n"))


def load_dotenv(src: Source, env: dict[str, str], reporter: Reporter) -> dict[str, str]:
    """The variables of a dotenv file (values interpolated with `env`). The file was not
    named on the command line: findings give its lines and columns, never its text."""
    reporter.hidden.add(src.path)
    entries, bad, problems = parse_dotenv(src.text, env)
    for b in bad:
        start = src.offset(b.line, b.column)
        end = src.offset(b.line, 1) + len(src.line_text(b.line))
        reporter.add("APL502", src, src.span(start, max(start, end)), b.message)
    for line, p in problems:
        start = src.offset(line, 1)
        span = src.span(start, start + len(src.line_text(line)))
        reporter.add(_PROBLEM_CODE.get(p.kind, "APL502"), src, span, hidden_message(p))
    out: dict[str, str] = {}
    for e in entries:
        if e.value is not None:
            out[e.key] = e.value
        elif e.key in env:
            out[e.key] = env[e.key]
    return out


_PROBLEM_CODE = {"unset": "APL503", "required": "APL504"}


def hidden_message(p: Problem) -> str:
    """What an interpolation problem in a file whose text is not shown says: what is
    wrong, without the variable's name or the text around it."""
    if p.kind == "unset":
        return "a variable on this line is not set; an empty string is used"
    if p.kind == "required":
        return "a required variable (`${VAR?message}`) on this line is not set"
    return "a `$` on this line does not start a valid variable (`$$` is a literal `$`)"


def read_named(
    gate: Gate,
    path: Path,
    reporter: Reporter,
    limit: int,
    at: YNode,
    what: str,
    *,
    by_real: bool = False,
) -> Source | None:
    """A file a compose value names (`at`), read through the gate: None, with a finding
    at the value, when it is refused or cannot be read; FileNotFoundError when there is
    nothing there. Its text is hidden unless it is also an input (named on the command
    line). The source is named by `path`, or with `by_real` by its real path."""
    try:
        real, data = gate.read(path, limit)
    except Refused as exc:
        reporter.add(
            "APL514",
            at.source,
            at.span,
            f"{what} `{at.value}` {exc}; it is not read",
            pointer=at.pointer,
            help=_allow_help(gate) if exc.outside else None,
        )
        return None
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as exc:
        reporter.add(
            "APL501",
            at.source,
            at.span,
            f"cannot read {what} `{at.value}`: {exc.strerror or exc}",
            pointer=at.pointer,
        )
        return None
    name = real if by_real else str(path)
    if not gate.is_input(real):
        reporter.hidden.add(name)
    return decode_source(name, data, reporter)


def _allow_help(gate: Gate) -> str:
    return (
        f"the import reads files only inside the project folder `{gate.root}` (the first "
        "compose file's); `--allow-outside FOLDER` lets it read files inside FOLDER too"
    )


class Loader:
    def __init__(
        self,
        reporter: Reporter,
        environ: Mapping[str, str],
        profiles: list[str],
        allowed: Iterable[str | Path] = (),
    ) -> None:
        self.reporter = reporter
        self.environ = environ
        self.profiles = profiles
        self.allowed = list(allowed)
        self.gate = Gate(Path.cwd(), self.allowed)
        self.interp: Interpolator | None = None
        self.base_dirs: dict[str, Path] = {}

    # ------------------------------------------------------------------ files

    def load(self, files: list[Path], stdin: bytes | None = None) -> Project:
        first = files[0]
        project_dir = (Path.cwd() if str(first) == "-" else first.parent).resolve()
        self.gate = Gate(project_dir, self.allowed, [str(f) for f in files])
        env = dict(self.environ)
        file_env = self._dotenv(project_dir / ".env", env)
        if file_env is not None:
            # The shell's environment wins over the .env file.
            env = {**file_env, **dict(self.environ)}
        self.interp = Interpolator(env)
        docs: list[YNode] = []
        base_dirs = self.base_dirs
        for f in files:
            if str(f) == "-":
                src = decode_source("<stdin>", stdin or b"", self.reporter)
            else:
                src = read_source(f, self.reporter)
            if src is None:
                continue
            base_dirs[src.path] = project_dir
            root = self._parse(src)
            if root is not None:
                docs.append(root)
        if not docs:
            raise ProjectError
        services: dict[str, YNode] = {}
        volumes: dict[str, YNode] = {}
        networks: dict[str, YNode] = {}
        name_node: YNode | None = None
        for doc in docs:
            node = doc.get("name")
            if node is not None and isinstance(node.value, str):
                name_node = node
            svc = self._mapping(doc, "services")
            resolved = {n: self._extends(n, s, svc, doc.source, []) for n, s in svc.items()}
            for n, s in resolved.items():
                services[n] = merge_services(services[n], s) if n in services else s
            volumes.update(self._mapping(doc, "volumes"))
            networks.update(self._mapping(doc, "networks"))
            self._top_level(doc)
        if name_node is not None:
            name = str(name_node.value)
        else:
            name = env.get("COMPOSE_PROJECT_NAME") or project_dir.name
        name = re.sub(r"[^a-z0-9_-]", "", name.lower()) or "default"
        active = set(self.profiles)
        if not active and env.get("COMPOSE_PROFILES"):
            active = {p.strip() for p in env["COMPOSE_PROFILES"].split(",") if p.strip()}
        disabled = set()
        for n, s in services.items():
            prof = s.get("profiles")
            if prof is None or not isinstance(prof.value, list) or not prof.value:
                continue
            names = {p.value for p in prof.value if isinstance(p.value, str)}
            if "*" not in active and not (names & active):
                disabled.add(n)
        enabled = {n: s for n, s in services.items() if n not in disabled}
        return Project(
            name,
            name_node,
            project_dir,
            env,
            enabled,
            volumes,
            networks,
            disabled,
            base_dirs,
            docs[0].source,
            self.gate,
        )

    def _dotenv(self, path: Path, env: dict[str, str]) -> dict[str, str] | None:
        """The variables of the project's `.env`, or None when there is none to read.
        Nothing names it, so a refusal is reported at the top of the file itself."""
        try:
            os.lstat(path)
            if os.path.isdir(self.gate.check(path)):
                # Compose skips a `.env` folder (a virtual environment's, often).
                return None
            _, data = self.gate.read(path, MAX_DOTENV_BYTES)
        except FileNotFoundError:
            return None
        except (Refused, OSError) as exc:
            name = str(path)
            self.reporter.hidden.add(name)
            here = Source(name, "")
            why = f"{exc}" if isinstance(exc, Refused) else f"cannot be read: {exc.strerror}"
            code = "APL514" if isinstance(exc, Refused) else "APL501"
            self.reporter.add(
                code,
                here,
                here.span(0, 0),
                f"the project's `.env` {why}; it is not read",
                help=_allow_help(self.gate) if isinstance(exc, Refused) and exc.outside else None,
            )
            return None
        self.reporter.hidden.add(str(path))
        src = decode_source(str(path), data, self.reporter)
        return None if src is None else load_dotenv(src, env, self.reporter)

    def _parse(self, src: Source) -> YNode | None:
        try:
            root = load_yaml(src)
        except YamlProblem as exc:
            message = exc.message
            if src.path in self.reporter.hidden:  # the message may quote the text
                message = "not YAML the import can read"
            self.reporter.add("APL501", src, exc.span, f"{src.path}: {message}")
            return None
        if not isinstance(root.value, dict):
            self.reporter.add(
                "APL501", src, root.span, f"{src.path}: the top level must be a mapping"
            )
            return None
        self._interpolate(root)
        return root

    def _mapping(self, doc: YNode, key: str) -> dict[str, YNode]:
        node = doc.get(key)
        if node is None or node.value is None:
            return {}
        if not isinstance(node.value, dict):
            self.reporter.add(
                "APL502",
                node.source,
                node.span,
                f"`{key}` must be a mapping of names",
                pointer=node.pointer,
            )
            return {}
        out: dict[str, YNode] = {}
        for k, v in node.value.items():
            if key == "services" and not isinstance(v.value, dict):
                self.reporter.add(
                    "APL502",
                    v.source,
                    v.span,
                    f"service `{k}` must be a mapping",
                    pointer=v.pointer,
                )
                continue
            out[k] = v
        return out

    def _top_level(self, doc: YNode) -> None:
        for key, node in doc.value.items():
            if key in ("include",):
                self.reporter.add(
                    "APL507",
                    node.source,
                    node.key_span,
                    "`include` is not read by the import",
                    pointer=node.pointer,
                    help="pass the included files with another -f, in the order compose "
                    "would read them",
                )

    # ------------------------------------------------------------------ interpolation

    def _interpolate(self, node: YNode) -> None:
        assert self.interp is not None
        stack = [node]
        seen: set[int] = set()
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            v = n.value
            if isinstance(v, dict):
                stack.extend(v.values())
            elif isinstance(v, list):
                stack.extend(v)
            elif isinstance(v, str) and "$" in v:
                out, problems = self.interp.expand(v)
                if out != v:
                    n.interpolated = True
                n.value = out
                hidden = n.source.path in self.reporter.hidden
                for p in problems:
                    code = _PROBLEM_CODE.get(p.kind, "APL502")
                    message = hidden_message(p) if hidden else p.message
                    self.reporter.add(code, n.source, n.span, message, pointer=n.pointer)

    # ------------------------------------------------------------------ extends

    def _extends(
        self,
        name: str,
        svc: YNode,
        siblings: dict[str, YNode],
        source: Source,
        chain: list[tuple[str, str]],
    ) -> YNode:
        ext = svc.get("extends")
        if ext is None:
            return svc
        here = (source.path, name)
        if here in chain:
            self.reporter.add(
                "APL502",
                ext.source,
                ext.span,
                f"`extends` of `{name}` loops back to itself",
                pointer=ext.pointer,
            )
            return _without(svc, "extends")
        if isinstance(ext.value, str):
            base_name, file_node = ext.value, None
        elif isinstance(ext.value, dict) and isinstance(
            getattr(ext.get("service"), "value", None), str
        ):
            base_name = ext.value["service"].value
            file_node = ext.get("file")
        else:
            self.reporter.add(
                "APL502",
                ext.source,
                ext.span,
                "`extends` must name a service, or be a mapping with `service` (and `file`)",
                pointer=ext.pointer,
            )
            return _without(svc, "extends")
        pool, pool_source = siblings, source
        if file_node is not None and isinstance(file_node.value, str):
            base_dir = self._base_dir(source)
            path = Path(os.path.normpath(base_dir / file_node.value))
            try:
                other = read_named(
                    self.gate,
                    path,
                    self.reporter,
                    MAX_FILE_BYTES,
                    file_node,
                    "`extends` file",
                    by_real=True,
                )
            except (FileNotFoundError, NotADirectoryError):
                empty = Source(os.path.realpath(path), "")
                self.reporter.add("APL501", empty, empty.span(0, 0), f"{empty.path} does not exist")
                other = None
            doc = self._parse(other) if other is not None else None
            if doc is None:
                return _without(svc, "extends")
            pool, pool_source = self._mapping(doc, "services"), doc.source
            self.base_dirs[pool_source.path] = Path(pool_source.path).parent
        base = pool.get(base_name)
        if base is None:
            self.reporter.add(
                "APL502",
                ext.source,
                ext.span,
                f"`extends` names service `{base_name}`, which is not defined there",
                pointer=ext.pointer,
            )
            return _without(svc, "extends")
        base = self._extends(base_name, base, pool, pool_source, [*chain, here])
        return merge_services(base, _without(svc, "extends"))

    def _base_dir(self, source: Source) -> Path:
        got = self.base_dirs.get(source.path)
        if got is not None:
            return got
        return Path(source.path).resolve().parent if source.path != "<stdin>" else Path.cwd()


def _without(node: YNode, key: str) -> YNode:
    if not isinstance(node.value, dict) or key not in node.value:
        return node
    value = {k: v for k, v in node.value.items() if k != key}
    return YNode(value, node.source, node.pointer, node.start, node.end)


# ---------------------------------------------------------------------- merging


def keyed(node: YNode, key: str) -> YNode:
    """A list-form mapping (`["K=V", "K2"]`, `depends_on: [db]`, `networks: [a]`) as the
    mapping it stands for, each value keeping its item's position."""
    if not isinstance(node.value, list):
        return node
    out: dict[str, YNode] = {}
    for item in node.value:
        v = item.value
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            continue
        text = str(v)
        if key == "depends_on" or key == "networks" or key == "links":
            out[text.split(":")[0] if key == "links" else text] = YNode(
                None, item.source, item.pointer, item.start, item.end
            )
            continue
        sep = "=" if key != "extra_hosts" or "=" in text else ":"
        k, has, rest = text.partition(sep)
        out[k] = YNode(
            rest if has else None, item.source, item.pointer, item.start, item.end, text=text
        )
    return YNode(out, node.source, node.pointer, node.start, node.end)


def merge_services(base: YNode, over: YNode) -> YNode:
    """`over` merged onto `base` with compose's rules: mappings merge key by key; the
    command, entrypoint and health-check test are replaced; list-form mappings merge as
    mappings; volumes merge by mount point; other sequences are appended."""
    return _merge(base, over, "")


def _merge(base: YNode, over: YNode, key: str) -> YNode:
    if key in _KEYED_LISTS or key in ("depends_on", "networks"):
        base, over = keyed(base, key), keyed(over, key)
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        out = dict(base.value)
        for k, v in over.value.items():
            out[k] = _merge(out[k], v, k) if k in out else v
        return YNode(out, over.source, over.pointer, over.start, over.end)
    if isinstance(base.value, list) and isinstance(over.value, list) and key not in _REPLACED:
        if key == "volumes":
            targets = {_item_target(i) for i in over.value}
            kept = [i for i in base.value if _item_target(i) not in targets]
            items = kept + list(over.value)
        else:
            seen = {repr(i.plain()) for i in base.value}
            items = list(base.value) + [i for i in over.value if repr(i.plain()) not in seen]
        return YNode(items, over.source, over.pointer, over.start, over.end)
    return over


def _item_target(item: YNode) -> str:
    if isinstance(item.value, str):
        return volume_target(item.value)
    t = item.get("target")
    return str(t.value) if t is not None else repr(item.plain())


def resolve_path(base: Path, text: str) -> str:
    """A bind-mount or env_file path as compose resolves it: `~` is the home folder,
    relative paths are relative to the project folder."""
    if text.startswith("~"):
        return os.path.expanduser(text)
    p = Path(text)
    if p.is_absolute():
        return text
    return os.path.normpath(str(base / p))


def pointer_of(node: YNode, *tokens: str | int) -> str:
    return join_pointer(node.pointer, *tokens)
