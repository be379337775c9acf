"""The DSL's statements, derived from the one field table of the format.

Every field of `applc.model.fields` is a statement of the DSL under its own name, read
according to its type: a scalar field takes one value (`image "nginx:1.25.3"`), a
boolean field may stand alone for `true` (`is_privileged`), a list of scalars takes its
items (`dependencies db cache`), an object field takes `key=value` pairs and/or a block
(`resources cpus=1 mem=1024`, `health_check { ... }`), and a map (`env`) takes a block of
`NAME = value` entries. A few short words of the DSL's own stand for fields or add one
element to a list (`privileged`, `network`, `depends`, `port`, `volume`, `service`,
`job`, `container`, `appliance`, `ignore`). Any key at all can be written `key = value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from applc.model.fields import ALIASES, ARRAY, BOOLEAN, IGNORE_KEY, KINDS, OBJECT, Field

SCALAR = "scalar"  # one value
FLAG = "flag"  # a boolean: the word alone is `true`
LIST = "list"  # a list of scalars: the values that follow
OBJECT_FORM = "object"  # an object of a known kind: pairs and/or a block of statements
MAP = "map"  # an object of free keys: a block of `NAME = value`
ELEMENT = "element"  # one element of a list of objects (`port`, `service`, ...)
IGNORE = "ignore"  # one entry of `x-applc-ignore`

WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
LITERAL_WORDS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Form:
    word: str  # the DSL word
    key: str  # the JSON key it sets
    shape: str
    kind: str | None = None  # OBJECT_FORM: the object kind; ELEMENT: the element kind
    bare: bool = False  # print string values as bare words when they are words
    element_type: str | None = None  # ELEMENT of containers: the `type` it sets


def _field_form(f: Field) -> Form | None:
    bare = bool(f.enum) or f.name in ("id", "dependencies")
    if OBJECT in f.types:
        if f.kind is not None:
            return Form(f.name, f.name, OBJECT_FORM, f.kind)
        return Form(f.name, f.name, MAP)
    if ARRAY in f.types:
        if f.items in KINDS:
            return None  # written one element at a time, with a word of the DSL
        return Form(f.name, f.name, LIST, bare=bare)
    if BOOLEAN in f.types:
        return Form(f.name, f.name, FLAG)
    return Form(f.name, f.name, SCALAR, bare=bare)


# The DSL's own words, by object kind. The first word listed for a key is the one the
# printer writes.
_SUGAR: dict[str, tuple[Form, ...]] = {
    "appliance": (
        Form("appliance", "id", SCALAR, bare=True),
        Form("service", "containers", ELEMENT, "container", element_type="service"),
        Form("job", "containers", ELEMENT, "container", element_type="job"),
        Form("container", "containers", ELEMENT, "container"),
    ),
    "container": (
        Form("privileged", "is_privileged", FLAG),
        Form("network", "network_mode", SCALAR, bare=True),
        Form("depends", "dependencies", LIST, bare=True),
        Form("port", "ports", ELEMENT, "port"),
        Form("volume", "volumes", ELEMENT, "volume"),
    ),
    "data_persistence": (Form("volume", "volumes", ELEMENT, "persistent_volume"),),
}

# Object kinds whose block statements are read with the fields of another kind too:
# a volume may be written in the current or in the legacy form.
_MERGED = {"volume": ("volume", "legacy_volume")}


def _build() -> tuple[dict[str, dict[str, Form]], dict[str, dict[str, Form]]]:
    forms: dict[str, dict[str, Form]] = {}
    printed: dict[str, dict[str, Form]] = {}
    for name in KINDS:
        table: dict[str, Form] = {}
        canon: dict[str, Form] = {}
        for sugar in _SUGAR.get(name, ()):
            table[sugar.word] = sugar
            canon.setdefault(sugar.key, sugar)
        for kname in _MERGED.get(name, (name,)):
            for f in KINDS[kname].fields:
                form = _field_form(f)
                if form is not None:
                    table.setdefault(form.word, form)
                    canon.setdefault(form.key, form)
        ignore = Form("ignore", IGNORE_KEY, IGNORE)
        table["ignore"] = ignore
        canon[IGNORE_KEY] = ignore
        forms[name] = table
        printed[name] = canon
    return forms, printed


FORMS, PRINTED = _build()

# What a kind is called in messages.
WHAT = {
    "appliance": "the appliance",
    "container": "a container",
    "resources": "`resources`",
    "port": "a port",
    "volume": "a volume",
    "health_check": "`health_check`",
    "schedule_hints": "`schedule_hints`",
    "placement": "`placement`",
    "data_persistence": "`data_persistence`",
    "persistent_volume": "a persistent volume",
    "scheduler": "`scheduler`",
}

# Examples of fields for "expected a field such as ..." messages.
EXAMPLES = {
    "appliance": ("appliance", "service", "job"),
    "container": ("image", "resources"),
    "resources": ("cpus", "mem"),
    "port": ("host_port", "protocol"),
    "volume": ("type",),
    "health_check": ("protocol", "path"),
    "schedule_hints": ("preemptible", "placement"),
    "placement": ("cloud", "zone"),
    "data_persistence": ("volume_type", "volume"),
    "persistent_volume": ("scope",),
    "scheduler": ("name", "config"),
}


def child_kind(kind: str | None, word: str) -> tuple[bool, str | None]:
    """For a block opened by `word` inside a `kind` block: (known, kind of the block).

    The kind is None for a map block (`env { ... }`) or an unknown word."""
    if kind is None:
        return False, None
    form = FORMS.get(kind, {}).get(word)
    if form is None:
        return False, None
    if form.shape in (OBJECT_FORM, ELEMENT):
        return True, form.kind
    return form.shape == MAP, None


def suggestions(kind: str, word: str) -> str | None:
    """The DSL word someone who wrote `word` most likely meant."""
    import difflib

    table = FORMS.get(kind, {})
    alias = ALIASES.get(kind, {}).get(word)
    if kind == "volume" and alias is None:
        alias = ALIASES.get("legacy_volume", {}).get(word)
    if alias is not None:
        form = PRINTED.get(kind, {}).get(alias)
        if form is not None:
            return form.word
    lowered = {w.lower(): w for w in table}
    if word.lower() in lowered:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word, list(table), n=1, cutoff=0.6)
    return found[0] if found else None


def is_word(text: str) -> bool:
    return WORD_RE.fullmatch(text) is not None and text not in LITERAL_WORDS
