"""Record classes without `@dataclass`, for what every lint imports.

`@dataclass` writes each class's methods as source text and compiles them every time the
module is imported (and imports `inspect` to do it): about 0.3 ms a class, which for the
45 classes a lint imports was a third of a cold `applc lint` of a small file. The classes
on that path write their `__init__` by hand, list their fields in `FIELDS` (in the order
of `__init__`; tests/test_records.py holds them to it) and take the rest from here:
`Record` gives the dataclass `repr`, `Value` adds dataclass equality and hashing. A frozen
record declares its attributes `Final`, so mypy refuses an assignment as `frozen=True`
did at run time; a mutable one that compares by value sets `__hash__ = None`, as
`@dataclass` did.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

_R = TypeVar("_R", bound="Record")


class Record:
    """`repr` as `@dataclass` writes it: `Name(field=value, ...)` over `FIELDS`."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.FIELDS)
        return f"{type(self).__qualname__}({inner})"


class Value(Record):
    """Equality and hashing as `@dataclass` makes them: by the `COMPARED` fields (all of
    `FIELDS` unless a class says otherwise), between instances of the same class only."""

    __slots__ = ()
    COMPARED: ClassVar[tuple[str, ...] | None] = None

    def _key(self) -> tuple[Any, ...]:
        names = self.FIELDS if self.COMPARED is None else self.COMPARED
        return tuple([getattr(self, n) for n in names])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())


def replace(record: _R, **changes: Any) -> _R:
    """A copy of `record` with some fields changed, as `dataclasses.replace` makes it."""
    values = {n: getattr(record, n) for n in record.FIELDS}
    values.update(changes)
    return type(record)(**values)
