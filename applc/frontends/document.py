"""What every front end hands to the rest of the pipeline."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from applc.diagnostics import Finding
from applc.records import Value
from applc.source import Source

if TYPE_CHECKING:
    from applc.model.nodes import Appliance


class Document(Value):
    """A parsed input: its source, its JSON value (None when unreadable), and the
    findings that reading it produced (syntax errors, duplicate keys)."""

    FIELDS = ("source", "value", "findings", "language")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        source: Source,
        value: Any,
        findings: list[Finding] | None = None,
        # "json" or "dsl": the DSL writes references without a JSON escape layer, and the
        # help texts say how to escape in the language the user wrote.
        language: str = "json",
    ) -> None:
        self.source = source
        self.value = value
        self.findings = [] if findings is None else findings
        self.language = language

    @property
    def readable(self) -> bool:
        return self.value is not None

    @cached_property
    def appliance(self) -> Appliance:
        """The typed model of `value`, built once for lint and build alike."""
        from applc.model.build import build_appliance

        return build_appliance(self.source, self.value)
