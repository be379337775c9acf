"""What a check sees: the document, its model, and facts computed once for all rules."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from applc.frontends.document import Document
from applc.model.build import build_appliance
from applc.model.nodes import Appliance, Container
from applc.resolve.graph import DependencyGraph
from applc.resolve.references import Reference, tokenize
from applc.source import Source


@dataclass(frozen=True)
class Budget:
    cpus: float | None = None
    mem: float | None = None
    disk: float | None = None
    gpus: float | None = None

    def items(self) -> list[tuple[str, float]]:
        return [(k, v) for k, v in (("cpus", self.cpus), ("mem", self.mem),
                                     ("disk", self.disk), ("gpus", self.gpus)) if v is not None]


@dataclass(frozen=True)
class LintOptions:
    budget: Budget = field(default_factory=Budget)
    target: str | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class Occurrence:
    """One `@id` reference found in one string of one container."""

    container: Container
    pointer: str
    text: str
    ref: Reference


class LintContext:
    def __init__(self, document: Document, options: LintOptions | None = None) -> None:
        self.document = document
        self.options = options or LintOptions()
        self.value: Any = document.value

    @property
    def source(self) -> Source:
        return self.document.source

    @property
    def language(self) -> str:
        return self.document.language

    @cached_property
    def appliance(self) -> Appliance:
        return build_appliance(self.source, self.value)

    @cached_property
    def graph(self) -> DependencyGraph:
        app = self.appliance
        ids = list(app.by_id)
        return DependencyGraph.from_pairs(
            ids, ((c.id, d) for c in app.containers if c.id is not None for d in c.dependencies)
        )

    @cached_property
    def occurrences(self) -> list[Occurrence]:
        out: list[Occurrence] = []
        for c in self.appliance.containers:
            for pointer, text in c.referencing_strings():
                if "@" not in text:
                    continue
                for tok in tokenize(text):
                    if isinstance(tok, Reference):
                        out.append(Occurrence(c, pointer, text, tok))
        return out

    def escape_hint(self) -> str:
        """How to write a literal `@` in the language of this document."""
        return "\\\\@" if self.language == "json" else "\\@"


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return found[0] if found else None
