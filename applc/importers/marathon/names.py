"""Names of the appliance's containers, back into `@` references.

PIVOT (and applc's Marathon target) rewrite `@c` into `<c>-<a>.marathon.containerip.dcos.
thisdcos.directory`; Marathon-DNS also names app `/a/c` `c-a.marathon.mesos` and
`c.a.marathon.mesos` (and the agentip/autoip forms of DC/OS DNS). Each such name of a
container of this appliance becomes `@c`; every other `@` is escaped (`\\@`).

PIVOT's own names are matched even when a word character is glued before them (`x@db`
becomes `xdb-app.marathon...`): the appliance's suffix is unique, and the longest
container id that ends the glued word is the one referred to. The other forms must stand
alone, as host names do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTAINERIP = "marathon.containerip.dcos.thisdcos.directory"
OTHER_SUFFIXES = (
    "marathon.agentip.dcos.thisdcos.directory",
    "marathon.autoip.dcos.thisdcos.directory",
    "marathon.mesos",
    "marathon.slave.mesos",
)
PIVOT_URL = f"pivot-sys.{CONTAINERIP}"
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    name: str
    ref: str


class Names:
    def __init__(self, appliance_id: str, containers: dict[str, list[str]]) -> None:
        """`containers`: container id -> its Marathon path segments (`["a", "c"]`)."""
        self.ids = set(containers)
        self.pivot_suffix = f"-{appliance_id}.{CONTAINERIP}"
        exact: dict[str, str] = {}
        for cid, path in containers.items():
            label = "-".join(reversed(path))
            dotted = ".".join(reversed(path))
            for suffix in (CONTAINERIP, *OTHER_SUFFIXES):
                exact[f"{label}.{suffix}"] = cid
            exact[f"{dotted}.marathon.mesos"] = cid
        self.exact = exact
        names = sorted(exact, key=len, reverse=True)
        self._exact_re = (
            re.compile(
                r"(?<![A-Za-z0-9-])("
                + "|".join(re.escape(n) for n in names)
                + r")(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
            )
            if names
            else None
        )
        self._pivot_re = re.compile(re.escape(self.pivot_suffix) + r"(?![A-Za-z0-9-])")

    def find(self, text: str) -> list[Found]:
        found: list[Found] = []
        for m in self._pivot_re.finditer(text):
            k0 = m.start()
            while k0 > 0 and text[k0 - 1] in _LABEL_CHARS:
                k0 -= 1
            word = text[k0 : m.start()]
            best = None
            for k in range(len(word)):
                if word[k:] in self.ids:
                    best = word[k:]
                    break
            if best is not None:
                found.append(
                    Found(
                        m.start() - len(best), m.end(), text[m.start() - len(best) : m.end()], best
                    )
                )
        if self._exact_re is not None:
            taken = [(f.start, f.end) for f in found]
            for m in self._exact_re.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                found.append(Found(m.start(), m.end(), m.group(), self.exact[m.group()]))
        found.sort(key=lambda f: f.start)
        return found

    def rewrite(self, text: str) -> tuple[str, list[Found]]:
        """`text` with each name of a container as `@id` and other `@` escaped."""
        found = self.find(text)
        out: list[str] = []
        pos = 0
        for f in found:
            out.append(text[pos : f.start].replace("@", "\\@"))
            out.append("@" + f.ref)
            pos = f.end
        out.append(text[pos:].replace("@", "\\@"))
        return "".join(out), found
