"""What a check sees: the document, its model, and facts computed once for all rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any, Final

from applc.frontends.document import Document
from applc.model.nodes import Appliance, Container
from applc.records import Value
from applc.resolve.graph import DependencyGraph
from applc.resolve.references import Reference, StrayAt, tokenize
from applc.source import Source


class Budget(Value):
    """What the appliance may use in all (`budget` in the configuration, `--budget`)."""

    FIELDS = ("cpus", "mem", "disk", "gpus")
    cpus: Final[float | None]
    mem: Final[float | None]
    disk: Final[float | None]
    gpus: Final[float | None]

    def __init__(
        self,
        cpus: float | None = None,
        mem: float | None = None,
        disk: float | None = None,
        gpus: float | None = None,
    ) -> None:
        self.cpus = cpus
        self.mem = mem
        self.disk = disk
        self.gpus = gpus

    def items(self) -> list[tuple[str, float]]:
        return [
            (k, v)
            for k, v in (
                ("cpus", self.cpus),
                ("mem", self.mem),
                ("disk", self.disk),
                ("gpus", self.gpus),
            )
            if v is not None
        ]


class LintOptions(Value):
    """What a run asks of the checks besides the settings: the budget, the target whose
    checks run, and the namespace a Kubernetes build uses."""

    FIELDS = ("budget", "target", "namespace")
    budget: Final[Budget]
    target: Final[str | None]
    namespace: Final[str | None]

    def __init__(
        self,
        budget: Budget | None = None,
        target: str | None = None,
        namespace: str | None = None,
    ) -> None:
        self.budget = Budget() if budget is None else budget
        self.target = target
        self.namespace = namespace


class Occurrence(Value):
    """One `@id` reference found in one string of one container."""

    __slots__ = ("container", "pointer", "text", "ref")
    FIELDS = __slots__
    container: Final[Container]
    pointer: Final[str]
    text: Final[str]
    ref: Final[Reference]

    def __init__(self, container: Container, pointer: str, text: str, ref: Reference) -> None:
        self.container = container
        self.pointer = pointer
        self.text = text
        self.ref = ref


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

    @property
    def appliance(self) -> Appliance:
        return self.document.appliance

    @cached_property
    def graph(self) -> DependencyGraph:
        return DependencyGraph.of_appliance(self.appliance)

    def at_strings(self) -> Iterator[tuple[Container, str, str]]:
        """(container, pointer, text) of every referencing string with an `@` in it, made
        anew on each call (kept, they cost a tuple and a pointer per string)."""
        for c in self.appliance.containers:
            for pointer, text in c.referencing_strings("@"):
                yield c, pointer, text

    @property
    def occurrences(self) -> list[Occurrence]:
        return self._references[0]

    @property
    def stray_ats(self) -> list[tuple[str, StrayAt]]:
        """(pointer, token) of each `@` not followed by a container id."""
        return self._references[1]

    @cached_property
    def _references(self) -> tuple[list[Occurrence], list[tuple[str, StrayAt]]]:
        """Every referencing string tokenized once, for `occurrences` and `stray_ats`."""
        out: list[Occurrence] = []
        strays: list[tuple[str, StrayAt]] = []
        for c, pointer, text in self.at_strings():
            for tok in tokenize(text):
                if isinstance(tok, Reference):
                    out.append(Occurrence(c, pointer, text, tok))
                elif isinstance(tok, StrayAt):
                    strays.append((pointer, tok))
        return out, strays

    @cached_property
    def _id_suggester(self) -> Suggester:
        return Suggester(list(self.appliance.by_id))

    def closest_id(self, word: str) -> str | None:
        """The container id a misspelt one most likely meant, if any is close."""
        return self._id_suggester.closest(word)

    def escape_hint(self) -> str:
        """How to write a literal `@` in the language of this document."""
        return "\\\\@" if self.language == "json" else "\\@"


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(options)
    if not options or _too_long(word, options, cutoff):
        return None
    import difflib  # only a finding that suggests a name needs it

    found = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return found[0] if found else None


def _too_long(word: str, options: list[str], cutoff: float) -> bool:
    """Whether `word` is too long for any option to reach `cutoff` (difflib's ratio is at
    most 2 * shorter / (both lengths)), so a 50 MB value costs nothing to compare."""
    return len(word) * cutoff > (2 - cutoff) * max(map(len, options))


class Suggester:
    """`did_you_mean` over one list of options, for many words.

    Up to `EXACT` options it is `did_you_mean` itself. Above, comparing every misspelt id
    with every container id would make lint quadratic (a 50,000-container appliance with
    a hundred unknown references spent most of its time in difflib), so an index of
    character pairs picks the `SHORTLIST` options that share the most telling pairs
    with the word (counting in C, not comparing in Python), and difflib chooses among
    them. Answers are remembered per word.
    """

    EXACT = 1000
    SHORTLIST = 100

    def __init__(self, options: list[str], cutoff: float = 0.6) -> None:
        self.options = options
        self.cutoff = cutoff
        self._memo: dict[str, str | None] = {}
        self._index: dict[str, list[int]] | None = None
        self._longest = max(map(len, options), default=0)

    def closest(self, word: str) -> str | None:
        if word in self._memo:
            return self._memo[word]
        if len(word) * self.cutoff > (2 - self.cutoff) * self._longest:
            guess = None  # longer than any option can match (see `_too_long`)
        elif len(self.options) <= self.EXACT:
            guess = did_you_mean(word, self.options, self.cutoff)
        else:
            guess = did_you_mean(word, self._shortlist(word), self.cutoff)
        self._memo[word] = guess
        return guess

    def _shortlist(self, word: str) -> list[str]:
        index = self._index
        if index is None:
            index = {}
            for i, option in enumerate(self.options):
                for pair in _pairs(option):
                    index.setdefault(pair, []).append(i)
            self._index = index
        postings = [index[p] for p in _pairs(word) if p in index]
        # A pair that most options have says nothing about which one is meant.
        informative = [p for p in postings if 2 * len(p) <= len(self.options)] or postings
        counts: Counter[int] = Counter()
        for p in informative:
            counts.update(p)
        return [self.options[i] for i, _ in counts.most_common(self.SHORTLIST)]


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}
