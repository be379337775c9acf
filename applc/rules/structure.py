"""Structure: the document against the format's field table (APL101-APL110, APL246)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from applc.diagnostics import Edit, Finding, Fix, Label, Loc, Severity
from applc.model.fields import (
    ALIASES,
    ARRAY,
    BOOLEAN,
    CONTAINER,
    CONTAINER_TYPES,
    IGNORE_KEY,
    INTEGER,
    KINDS,
    NULL,
    NUMBER,
    OBJECT,
    SCHEMA_KEY,
    STRING,
    Field,
    ObjectKind,
    container_fields,
)
from applc.model.nodes import Container
from applc.rules.context import LintContext, did_you_mean
from applc.rules.registry import check, rule
from applc.source import join_pointer

E, W = Severity.ERROR, Severity.WARNING

_OK = """{
  "id": "shop",
  "containers": [
    {"id": "web", "type": "service", "image": "nginx:1.25",
     "resources": {"cpus": 1, "mem": 256}}
  ]
}"""

rule(
    "APL101",
    "missing-field",
    E,
    "a required field is missing",
    """
    A field that PIVOT requires is absent. PIVOT answers 400 for a missing `id`, `type`,
    `image` or `resources`, and crashes (HTTP 500) on a missing `cpus`, `mem`,
    `container_port`, `src` or `dest`.
    """,
    fails="""{"id": "shop", "containers": [{"id": "web", "type": "service",
     "resources": {"cpus": 1, "mem": 256}}]}""",
    passes=_OK,
)

rule(
    "APL102",
    "unknown-field",
    E,
    "a key that is not part of the format",
    """
    A key PIVOT does not know at all: usually a typo, or a name borrowed from compose,
    Kubernetes or Marathon (`depends_on`, `memory`, `replicas`). PIVOT silently ignores
    it, so the setting you meant never takes effect. The help names the key you meant.
    """,
    fails="""{"id": "shop", "containers": [{"id": "web", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": 1, "memory": 256}}]}""",
    passes=_OK,
    fix="unsafe",
)

rule(
    "APL103",
    "wrong-type",
    E,
    "a value of the wrong JSON type",
    """
    A value whose JSON type is not the one the field takes, such as `"cpus": "2"` (a
    string where a number belongs). PIVOT does not check types; Marathon then rejects
    the app, or the container misbehaves.
    """,
    fails="""{"id": "shop", "containers": [{"id": "web", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": "1", "mem": 256}}]}""",
    passes=_OK,
)

rule(
    "APL104",
    "invalid-value",
    E,
    "a value outside the field's allowed set",
    """
    An enumerated field with a value it does not take: `type` (`service`, `job`),
    `network_mode` (`HOST`, `BRIDGE`, `CONTAINER`, any case), a port `protocol` (`tcp`,
    `udp`, `udp,tcp`), a volume `mode` (`RW`, `RO`) or `type` (`HOST`, `PERSISTENT`), a
    health-check `protocol`, a negative `instances`.
    """,
    fails="""{"id": "shop", "containers": [{"id": "web", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256},
     "network_mode": "overlay"}]}""",
    passes=_OK,
    fix="safe",
)

rule(
    "APL105",
    "invalid-id",
    E,
    "an id that is not a lower-case DNS label",
    """
    Appliance and container ids become the Marathon app id `/<appliance>/<container>`
    and DNS names, so each must be a DNS label: lower-case letters, digits and `-`, not
    starting or ending with `-`, at most 63 characters. PIVOT does not check; Marathon
    refuses the app, and a `_` or `.` cuts an `@` reference short.
    """,
    fails="""{"id": "shop", "containers": [{"id": "Web_Server", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256}}]}""",
    passes=_OK,
    fix="unsafe",
)

rule(
    "APL106",
    "duplicate-container-id",
    E,
    "two containers share an id",
    """
    Container ids must be unique in the appliance; PIVOT answers 400.
    """,
    fails="""{"id": "shop", "containers": [
     {"id": "web", "type": "service", "image": "nginx:1.25",
      "resources": {"cpus": 1, "mem": 256}},
     {"id": "web", "type": "service", "image": "nginx:1.25",
      "resources": {"cpus": 1, "mem": 256}}]}""",
    passes=_OK,
)

rule(
    "APL107",
    "no-containers",
    E,
    "the appliance has no containers",
    """
    An appliance with an empty `containers` array crashes PIVOT (HTTP 500).
    """,
    fails="""{"id": "shop", "containers": []}""",
    passes=_OK,
)

rule(
    "APL108",
    "dns-name-too-long",
    E,
    "`<container>-<appliance>` is over 63 characters",
    """
    DC/OS names a container `<container>-<appliance>.marathon.containerip...`; that first
    label must fit in 63 characters, or the name does not resolve.
    """,
    fails="""{"id": "a-very-long-appliance-name-for-the-data-team",
     "containers": [{"id": "a-rather-long-container-name", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256}}]}""",
    passes=_OK,
)

rule(
    "APL246",
    "ignored-field",
    W,
    "a key PIVOT accepts but ignores",
    """
    A key PIVOT knows and silently ignores: legacy placement fields (`cloud`, `host`,
    `rack`, `constraints`, `data`), the legacy service `labels`, server-side fields
    (`state`, `endpoints`, ...), and fields of the other container type (`interval` on a
    service, `instances` on a job).

    The tutorial-era container fields `host` and `cloud` did place containers once:
    PIVOT's 2018 code turned them into the Marathon constraints
    `["hostname", "CLUSTER", value]` and `["cloud", "CLUSTER", value]`. PIVOT HEAD ignores
    them, and applc follows HEAD: its builds leave them out. To place a container, write
    `"schedule_hints": {"placement": {"host": ...}}` (or `cloud`, `region`, `zone`).
    """,
    fails="""{"id": "shop", "containers": [{"id": "web", "type": "service",
     "image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256}, "cloud": "aws"}]}""",
    passes=_OK,
)

DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")

_TYPE_NAMES = {
    STRING: "a string",
    NUMBER: "a number",
    INTEGER: "an integer",
    BOOLEAN: "a boolean",
    OBJECT: "an object",
    ARRAY: "an array",
    NULL: "null",
}


# JSON values are exactly these types, so one lookup usually settles it.
_TYPES: dict[type, str] = {
    str: STRING,
    int: INTEGER,
    float: NUMBER,
    bool: BOOLEAN,
    list: ARRAY,
    dict: OBJECT,
    type(None): NULL,
}


_SCALARS = frozenset((STRING, NUMBER, INTEGER, BOOLEAN, NULL))


def json_type(v: Any) -> str:
    t = _TYPES.get(type(v))
    if t is not None:
        return t
    if v is None:
        return NULL
    if isinstance(v, bool):
        return BOOLEAN
    if isinstance(v, int):
        return INTEGER
    if isinstance(v, float):
        return NUMBER
    if isinstance(v, str):
        return STRING
    if isinstance(v, list):
        return ARRAY
    return OBJECT


def type_ok(v: Any, types: tuple[str, ...]) -> bool:
    t = json_type(v)
    if t in types:
        return True
    if t == INTEGER and NUMBER in types:
        return True
    return t == NUMBER and INTEGER in types and float(v).is_integer()


def describe(v: Any) -> str:
    t = json_type(v)
    if t in (STRING, NUMBER, INTEGER, BOOLEAN, NULL):
        import json

        text = json.dumps(v, ensure_ascii=False)
        if len(text) > 40:
            text = text[:37] + "..."
        return f"{_TYPE_NAMES[t]} {text}" if t != NULL else "null"
    return _TYPE_NAMES[t]


def expected(types: tuple[str, ...]) -> str:
    names = [_TYPE_NAMES[t] for t in types]
    return " or ".join(names)


def _join(pointer: str, key: str) -> str:
    """`join_pointer(pointer, key)` for one key, without the generality (a hot path)."""
    if "~" in key or "/" in key:
        return join_pointer(pointer, key)
    return f"{pointer}/{key}"


# Per tuple of fields (by identity; the tuples live in the field table): name -> the
# field and the classes of the values it takes with nothing more to check; and the
# required fields.
_Names = dict[str, tuple[Field, frozenset[type]]]
_NAMES: dict[int, tuple[tuple[Field, ...], _Names, tuple[Field, ...]]] = {}
_FIELDS_BY_TYPE = {t: container_fields(t) for t in CONTAINER_TYPES}
_LOWER_ENUMS: dict[tuple[str, ...], frozenset[str]] = {}


def _names(fields: tuple[Field, ...]) -> tuple[_Names, tuple[Field, ...]]:
    entry = _NAMES.get(id(fields))
    if entry is None or entry[0] is not fields:
        names = {f.name: (f, _settled(f)) for f in fields}
        entry = (fields, names, tuple(f for f in fields if f.required))
        _NAMES[id(fields)] = entry
    return entry[1], entry[2]


def _settled(f: Field) -> frozenset[type]:
    """The classes of scalar values that `_Walker.value` would accept for `f` without a
    finding: of the right type, with no enum or sign to check. Most of a document's
    values are such, and are skipped before their pointer is made (a third of the walk)."""
    if f.enum is not None or f.name == "instances":
        return frozenset()
    return _settled_types(f.types)


_SETTLED: dict[tuple[str, ...], frozenset[type]] = {}


def _settled_types(types: tuple[str, ...]) -> frozenset[type]:
    """The classes of scalar values that are certainly of one of `types` (`type_ok` says
    so by their class alone)."""
    found = _SETTLED.get(types)
    if found is None:
        found = _SETTLED[types] = frozenset(
            cls
            for cls, t in _TYPES.items()
            if t in _SCALARS and (t in types or (t == INTEGER and NUMBER in types))
        )
    return found


def _lower_enum(enum: tuple[str, ...]) -> frozenset[str]:
    found = _LOWER_ENUMS.get(enum)
    if found is None:
        found = _LOWER_ENUMS[enum] = frozenset(e.lower() for e in enum)
    return found


def _what(obj: dict[str, Any], kind: ObjectKind, what: str | None) -> str:
    """What findings about `obj` call it: `what`, or a container by its id."""
    if what is not None:
        return what
    if kind is CONTAINER:
        ident = obj.get("id")
        return f"container `{ident}`" if isinstance(ident, str) else "container"
    return kind.title.lower()


def _missing_loc(obj: dict[str, Any], pointer: str, in_object: bool) -> Loc:
    if isinstance(obj.get("id"), str):
        return Loc(join_pointer(pointer, "id"))
    if in_object:
        return Loc(pointer, "key")
    return Loc(pointer, "open")


class _Walker:
    def __init__(self, ctx: LintContext) -> None:
        self.ctx = ctx
        self.out: list[Finding] = []

    def object(
        self,
        obj: dict[str, Any],
        kind: ObjectKind,
        pointer: str,
        in_object: bool,
        fields: tuple[Field, ...] | None = None,
        what: str | None = None,
    ) -> None:
        fields = fields if fields is not None else kind.fields
        names, required = _names(fields)
        ignored = kind.ignored
        for key, value in obj.items():
            entry = names.get(key)
            if entry is not None:
                if value.__class__ not in entry[1]:
                    self.value(value, entry[0], _join(pointer, key), kind)
                continue
            ptr = _join(pointer, key)
            if key == IGNORE_KEY:
                continue  # checked with suppressions
            if key == SCHEMA_KEY and pointer == "":
                if not isinstance(value, str):
                    self.wrong_type(value, (STRING,), ptr, key)
                continue
            known = next((i for i in ignored if i.name == key), None)
            if known is not None:
                self.out.append(
                    Finding(
                        "APL246",
                        Loc(ptr, "key"),
                        f"`{key}` is ignored by PIVOT: {known.why}",
                        help=f"remove `{key}`" + (f"; {known.instead}" if known.instead else ""),
                    )
                )
                continue
            if kind is CONTAINER and key in CONTAINER.names:
                other = CONTAINER.field(key)
                assert other is not None and other.only is not None
                ctype = obj.get("type")
                self.out.append(
                    Finding(
                        "APL246",
                        Loc(ptr, "key"),
                        f"`{key}` applies to {other.only}s; PIVOT ignores it on a {ctype}",
                        help=f"remove `{key}`",
                    )
                )
                continue
            self.unknown(key, ptr, kind, fields, _what(obj, kind, what))
        for f in required:
            if f.name not in obj:
                self.out.append(
                    Finding(
                        "APL101",
                        _missing_loc(obj, pointer, in_object),
                        f"{_what(obj, kind, what)} is missing the required field `{f.name}`",
                        help=f'add `"{f.name}"`: {_first_sentence(f.description)}',
                    )
                )

    def unknown(
        self, key: str, ptr: str, kind: ObjectKind, fields: tuple[Field, ...], what: str
    ) -> None:
        names = [f.name for f in fields]
        alias = ALIASES.get(kind.name, {}).get(key)
        guess = alias if alias in names else did_you_mean(key, names)
        help_ = None
        fix = None
        if guess is not None:
            help_ = f"did you mean `{guess}`?"
            if alias is not None:
                help_ = f"PIVOT calls this `{guess}`"
            fix = Fix(f"rename to `{guess}`", (Edit(Loc(ptr, "key"), f'"{guess}"'),), safe=False)
        notes = (f"{what} fields: {', '.join(names)}",)
        self.out.append(
            Finding(
                "APL102",
                Loc(ptr, "key"),
                f"unknown field `{key}` in {what}",
                help=help_,
                notes=notes,
                fix=fix,
            )
        )

    def wrong_type(self, value: Any, types: tuple[str, ...], ptr: str, name: str) -> None:
        self.out.append(
            Finding(
                "APL103",
                Loc(ptr),
                f"`{name}` must be {expected(types)}, found {describe(value)}",
                help=_type_help(value, types),
            )
        )

    def value(self, value: Any, f: Field, ptr: str, parent: ObjectKind) -> None:
        if not type_ok(value, f.types):
            self.wrong_type(value, f.types, ptr, f.name)
            return
        if f.enum is not None and isinstance(value, str):
            # Lower-cased once: a 50 MB value took seconds, lower-cased for each option.
            low = value.lower() if f.case_insensitive or value not in f.enum else value
            ok = (low in _lower_enum(f.enum)) if f.case_insensitive else value in f.enum
            if not ok:
                options = list(f.enum)
                by_lower = {o.lower(): o for o in options}
                guess = did_you_mean(low, list(by_lower), 0.5)
                if guess is None and low in by_lower:  # only the case differs
                    guess = low
                if guess is not None:
                    guess = by_lower[guess]
                help_ = f"did you mean `{guess}`?" if guess else None
                fix = None
                if guess is not None:
                    fix = Fix(f"replace with `{guess}`", (Edit(Loc(ptr), f'"{guess}"'),))
                self.out.append(
                    Finding(
                        "APL104",
                        Loc(ptr),
                        f"invalid {f.name} `{value}`: expected one of "
                        + ", ".join(f"`{o}`" for o in options),
                        help=help_,
                        fix=fix,
                    )
                )
            return
        if f.name == "instances" and isinstance(value, int) and value < 0:
            self.out.append(
                Finding("APL104", Loc(ptr), f"`instances` must not be negative, found {value}")
            )
        if f.kind is not None and isinstance(value, dict):
            self.object(value, KINDS[f.kind], ptr, in_object=True)
        elif f.items is not None and isinstance(value, list):
            self.items(value, f, ptr)
        elif f.values is not None and isinstance(value, dict):
            settled = _settled_types(f.values)
            for k, v in value.items():
                if v.__class__ in settled or k == IGNORE_KEY:
                    continue
                if not type_ok(v, f.values):
                    self.wrong_type(v, f.values, _join(ptr, k), f"{f.name}.{k}")

    def items(self, values: list[Any], f: Field, ptr: str) -> None:
        item = f.items
        assert item is not None
        if item in KINDS:
            for i, v in enumerate(values):
                iptr = f"{ptr}/{i}"
                if not isinstance(v, dict):
                    self.wrong_type(v, (OBJECT,), iptr, f"{f.name}[{i}]")
                    continue
                if item == "container":
                    ctype = v.get("type")
                    ctype = ctype if isinstance(ctype, str) else None
                    # What the findings call it is made by `_what` when one needs it.
                    self.object(
                        v,
                        CONTAINER,
                        iptr,
                        False,
                        _FIELDS_BY_TYPE.get(ctype, CONTAINER.fields),  # type: ignore[arg-type]
                    )
                elif item == "volume":
                    self.volume(v, iptr)
                else:
                    self.object(v, KINDS[item], iptr, in_object=False)
        else:
            settled = _settled_types((item,))
            for i, v in enumerate(values):
                if v.__class__ not in settled and not type_ok(v, (item,)):
                    self.wrong_type(v, (item,), f"{ptr}/{i}", f"{f.name}[{i}]")

    def volume(self, v: dict[str, Any], ptr: str) -> None:
        is_legacy = not _LEGACY_NAMES.isdisjoint(v)
        kind = _LEGACY if is_legacy else _CURRENT
        foreign = _FOREIGN_TO_LEGACY if is_legacy else _FOREIGN_TO_CURRENT
        if foreign.isdisjoint(v):  # one form only, as nearly every volume is
            self.object(v, kind, ptr, in_object=False, what="volume")
            return
        for key in v:
            if key in foreign:
                self.out.append(
                    Finding(
                        "APL102",
                        Loc(join_pointer(ptr, key), "key"),
                        f"`{key}` belongs to the "
                        f"{'current' if is_legacy else 'legacy'} volume form, but this "
                        f"volume uses the {'legacy' if is_legacy else 'current'} form",
                        help="write the volume in one form: `{src, dest, type}` or "
                        "`{container_path, host_path, mode}`",
                    )
                )
        rest = {k: x for k, x in v.items() if k not in foreign}
        self.object(rest, kind, ptr, in_object=False, what="volume")


_LEGACY = KINDS["legacy_volume"]
_CURRENT = KINDS["volume"]
_LEGACY_NAMES = frozenset(_LEGACY.names)
# The keys of each form that the other form does not have.
_FOREIGN_TO_LEGACY = frozenset(_CURRENT.names) - _LEGACY_NAMES
_FOREIGN_TO_CURRENT = _LEGACY_NAMES - frozenset(_CURRENT.names)


def _first_sentence(text: str) -> str:
    first = text.split(". ")[0].rstrip(".")
    return first[0].lower() + first[1:] if first else first


def _type_help(value: Any, types: tuple[str, ...]) -> str | None:
    if isinstance(value, str) and (NUMBER in types or INTEGER in types):
        try:
            float(value)
        except ValueError:
            return None
        return f"remove the quotes: {value}"
    if isinstance(value, int | float) and not isinstance(value, bool) and STRING in types:
        return f'quote the value: "{value}"'
    if isinstance(value, str) and BOOLEAN in types and value.lower() in ("true", "false"):
        return f"remove the quotes: {value.lower()}"
    return None


@check("APL101", "APL102", "APL103", "APL104", "APL246")
def check_structure(ctx: LintContext) -> Iterator[Finding]:
    value = ctx.value
    if not isinstance(value, dict):
        yield Finding(
            "APL103",
            Loc(""),
            f"the top level must be an object (the appliance), found {describe(value)}",
        )
        return
    walker = _Walker(ctx)
    walker.object(value, KINDS["appliance"], "", in_object=False, what="appliance")
    yield from walker.out


@check("APL105", "APL106", "APL107", "APL108")
def check_ids(ctx: LintContext) -> Iterator[Finding]:
    value = ctx.value
    if not isinstance(value, dict):
        return
    app = ctx.appliance
    if isinstance(app.id, str):
        yield from _check_label(app.id, "/id", "appliance id")
    containers = value.get("containers")
    if isinstance(containers, list) and not containers:
        yield Finding(
            "APL107",
            Loc("/containers"),
            "the appliance has no containers",
            help="add at least one service or job",
        )
    first: dict[str, Container] = {}
    app_label = isinstance(app.id, str) and DNS_LABEL.fullmatch(app.id) is not None
    for c in app.containers:
        if not isinstance(c.id, str):
            continue
        if c.id in first:
            yield Finding(
                "APL106",
                Loc(c.at("id")),
                f"duplicate container id `{c.id}`",
                help="give each container its own id",
                labels=(Label(Loc(first[c.id].at("id")), "first used here"),),
            )
            continue
        first[c.id] = c
        if DNS_LABEL.fullmatch(c.id) is None:
            yield from _check_label(c.id, c.at("id"), "container id")
        elif app_label:
            name = f"{c.id}-{app.id}"
            if len(name) > 63:
                yield Finding(
                    "APL108",
                    Loc(c.at("id")),
                    f"the DNS label `{name}` is {len(name)} characters, over 63",
                    help="shorten the container or the appliance id",
                    notes=(
                        "DC/OS names this container "
                        f"{name}.marathon.containerip.dcos.thisdcos.directory",
                    ),
                )


def _check_label(ident: str, ptr: str, what: str) -> Iterator[Finding]:
    if DNS_LABEL.fullmatch(ident):
        return
    fixed = re.sub(r"[^a-z0-9-]+", "-", ident.lower()).strip("-")[:63].strip("-")
    why = _label_problem(ident)
    help_ = f"use `{fixed}`" if fixed and DNS_LABEL.fullmatch(fixed) else None
    fix = (
        Fix(f"rename to `{fixed}`", (Edit(Loc(ptr), f'"{fixed}"'),), safe=False) if help_ else None
    )
    yield Finding(
        "APL105",
        Loc(ptr),
        f"invalid {what} `{ident}`: {why}",
        help=help_,
        notes=(
            "ids must be lower-case DNS labels: a-z, 0-9 and `-`, not starting "
            "or ending with `-`, at most 63 characters",
        ),
        fix=fix,
    )


def _label_problem(ident: str) -> str:
    if not ident:
        return "it is empty"
    if len(ident) > 63:
        return f"it is {len(ident)} characters, over 63"
    if ident != ident.lower():
        return "it has upper-case letters"
    bad = sorted(set(re.sub(r"[a-z0-9-]", "", ident)))
    if bad:
        return "it contains " + ", ".join(f"`{b}`" for b in bad)
    return "it starts or ends with `-`"
