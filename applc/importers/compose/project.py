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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from applc.importers import Reporter
from applc.importers.compose.interpolate import Interpolator, parse_dotenv
from applc.importers.compose.units import volume_target
from applc.importers.yamlnodes import YamlProblem, YNode, load_yaml
from applc.source import Source, join_pointer

MAX_FILE_BYTES = 16 * 1024 * 1024
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


def read_source(path: Path, reporter: Reporter, shown: str | None = None) -> Source | None:
    """The text of a file, or None with an APL501 finding."""
    name = shown or str(path)
    empty = Source(name, "")
    try:
        if not path.is_file():
            why = "is a directory" if path.is_dir() else "does not exist"
            if path.exists() and not path.is_dir():
                why = "is not a regular file"
            reporter.add("APL501", empty, empty.span(0, 0), f"{name} {why}")
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            reporter.add(
                "APL501",
                empty,
                empty.span(0, 0),
                f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        reporter.add("APL501", empty, empty.span(0, 0), f"cannot read {name}: {exc.strerror}")
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


def load_dotenv(path: Path, env: dict[str, str], reporter: Reporter) -> dict[str, str]:
    """The variables of a dotenv file (values interpolated with `env`)."""
    src = read_source(path, reporter)
    if src is None:
        return {}
    entries, bad, problems = parse_dotenv(src.text, env)
    for line, why in bad:
        reporter.add("APL502", src, src.span(*_line_range(src, line)), why)
    for p in problems:
        code = "APL503" if p.kind == "unset" else "APL504" if p.kind == "required" else "APL502"
        reporter.add(code, src, src.span(0, 0), p.message)
    out: dict[str, str] = {}
    for e in entries:
        if e.value is not None:
            out[e.key] = e.value
        elif e.key in env:
            out[e.key] = env[e.key]
    return out


def _line_range(src: Source, line: int) -> tuple[int, int]:
    start = src.offset(line, 1)
    return start, start + len(src.line_text(line))


class Loader:
    def __init__(
        self,
        reporter: Reporter,
        environ: Mapping[str, str],
        profiles: list[str],
    ) -> None:
        self.reporter = reporter
        self.environ = environ
        self.profiles = profiles
        self.interp: Interpolator | None = None
        self.base_dirs: dict[str, Path] = {}

    # ------------------------------------------------------------------ files

    def load(self, files: list[Path], stdin: bytes | None = None) -> Project:
        first = files[0]
        project_dir = (Path.cwd() if str(first) == "-" else first.parent).resolve()
        env = dict(self.environ)
        dotenv = project_dir / ".env"
        if dotenv.is_file():
            file_env = load_dotenv(dotenv, env, self.reporter)
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
        )

    def _parse(self, src: Source) -> YNode | None:
        try:
            root = load_yaml(src)
        except YamlProblem as exc:
            self.reporter.add("APL501", src, exc.span, f"{src.path}: {exc.message}")
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
                for p in problems:
                    code = {"unset": "APL503", "required": "APL504"}.get(p.kind, "APL502")
                    self.reporter.add(code, n.source, n.span, p.message, pointer=n.pointer)

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
            path = (base_dir / file_node.value).resolve()
            other = read_source(path, self.reporter)
            doc = self._parse(other) if other is not None else None
            if doc is None:
                return _without(svc, "extends")
            pool, pool_source = self._mapping(doc, "services"), doc.source
            self.base_dirs[pool_source.path] = path.parent
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
