"""Where each node of a DSL document is: the position tree recorded while building.

`DslLocator` walks the tree the full road (parser.py, builder.py) built. When the fast
reader (fast.py) read the file, there is no tree: `LazyDslLocator` builds the part of it
a pointer needs, by parsing only the top-level statements that hold it (one container,
or the statements of one top-level key), and keeps what it built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from applc.frontends.dsl.syntax import BARE, QUOTED, Node, PosNode, string_offset
from applc.source import split_pointer

if TYPE_CHECKING:
    from applc.frontends.dsl.fast import Top

_Found = tuple[Node | None, str, PosNode | None]


def _walk(node: PosNode, parent: Node | None, token: str, tokens: list[str]) -> _Found:
    """Down from `node` (reached by `token` from `parent`) along `tokens`."""
    for token in tokens:  # noqa: B020 - the last token is part of the answer
        if type(node) is not Node:
            return None, token, None
        kids = node.kids  # type: ignore[union-attr]
        parent = node  # type: ignore[assignment]
        if isinstance(kids, dict):
            child = kids.get(token)
        else:
            if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
                return None, token, None
            i = int(token)
            child = kids[i] if i < len(kids) else None
        if child is None:
            return None, token, None
        node = child
    return parent, token, node


class DslLocator:
    """Answers the `Locator` protocol by walking the position tree along the pointer."""

    def __init__(self, text: str, root: Node) -> None:
        self._text = text
        self._root = root

    def _find(self, pointer: str) -> _Found:
        return _walk(self._root, None, "", split_pointer(pointer))

    def value_range(self, pointer: str) -> tuple[int, int] | None:
        _, _, node = self._find(pointer)
        if node is None:
            return None
        if type(node) is Node:
            return node.start, node.end  # type: ignore[union-attr]
        return node[0], node[1]  # type: ignore[index]

    def key_range(self, pointer: str) -> tuple[int, int] | None:
        if not pointer:
            return None
        parent, token, node = self._find(pointer)
        if parent is None or node is None or parent.keys is None:
            return None
        return parent.keys.get(token)

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        if not pointer:
            return None
        parent, token, node = self._find(pointer)
        if parent is None or parent.first is None:
            return None
        return parent.first.get(token)

    def string_offset(self, pointer: str, index: int) -> int | None:
        _, _, node = self._find(pointer)
        if node is None or type(node) is Node:
            return None
        start, end, kind = node  # type: ignore[misc]
        if kind == QUOTED:
            return string_offset(self._text, start, index)
        if kind == BARE:
            return min(start + index, end)
        return None


class LazyDslLocator(DslLocator):
    """The locator of a text the fast reader read: the same answers as `DslLocator` on
    the full road's tree, from the statements it parses when first asked.

    `tops` are the text's top-level statements (fast.Top), in order; each one runs from
    its head word to the next one's (what lies between is blank lines and comments)."""

    def __init__(self, text: str, tops: list[Top]) -> None:
        super().__init__(text, Node(0, 0, {}, {}))
        self._tops = tops
        self._ends = [t.start for t in tops[1:]] + [len(text)]
        self._by_key: dict[str, list[int]] = {}
        for i, t in enumerate(tops):
            self._by_key.setdefault(t.key, []).append(i)
        self._root_done = False
        self._keys: dict[str, PosNode] = {}  # materialized values of top-level keys
        self._elements: dict[tuple[str, int], PosNode] = {}
        self._lists = {
            key: _Elements(self, key, len(indexes))
            for key, indexes in self._by_key.items()
            if tops[indexes[0]].element
        }
        self.parsed = 0  # statements parsed so far (tests count them)

    @property
    def text(self) -> str:
        """The text it locates in (with lone CRs made LFs)."""
        return self._text

    @property
    def tops(self) -> list[Top]:
        return self._tops

    def _statements(self, indexes: list[int]) -> Node:
        """The root node the full road builds from these top-level statements alone."""
        from applc.frontends.dsl.fast import locate

        ranges = [(self._tops[i].start, self._ends[i]) for i in indexes]
        self.parsed += len(ranges)
        try:
            return locate(self._text, ranges)
        except ValueError:  # pragma: no cover - what `read` took, `locate` takes
            from applc.frontends.dsl.builder import build
            from applc.frontends.dsl.parser import parse

            stmts = [s for a, b in ranges for s in parse(self._text, a, b).stmts]
            return build(stmts, len(self._text)).root

    def _end_of(self, i: int) -> int:
        return self._statements([i]).end

    def _root_node(self, ranged: bool) -> Node:
        """The root: its keys' ranges, and (when `ranged`) its own."""
        root = self._root
        if root.keys is not None and not root.keys:
            for t in self._tops:
                root.keys.setdefault(t.key, (t.start, t.end))
        if ranged and not self._root_done:
            self._root_done = True
            if self._tops:
                root.start = self._tops[0].start
                root.end = self._end_of(len(self._tops) - 1)
        return root

    def _key_value(self, key: str) -> PosNode | None:
        """The node of a top-level key's value (for a list of elements, its range)."""
        node = self._keys.get(key)
        if node is None:
            indexes = self._by_key[key]
            if self._tops[indexes[0]].element:
                first, last = indexes[0], indexes[-1]
                node = Node(self._tops[first].start, self._end_of(last), self._lists[key], None)
            else:
                node = self._statements(indexes).kids.get(key)
                if node is None:  # pragma: no cover - the fast reader saw it set
                    return None
            self._keys[key] = node
        return node

    def element(self, key: str, i: int) -> PosNode:
        node = self._elements.get((key, i))
        if node is None:
            built = self._statements([self._by_key[key][i]]).kids[key]
            node = built.kids[0]  # type: ignore[union-attr]
            self._elements[(key, i)] = node
        return node

    def _find(self, pointer: str) -> _Found:
        tokens = split_pointer(pointer)
        root = self._root_node(not tokens)
        if not tokens:
            return None, "", root
        key = tokens[0]
        if key not in self._by_key:
            return None, key, None
        elements = self._lists.get(key)
        if elements is not None and len(tokens) > 1:
            # Straight to the element: the list's own range is not needed for it.
            return _walk(Node(0, 0, elements, None), root, key, tokens[1:])
        node = self._key_value(key)
        if node is None:  # pragma: no cover
            return None, key, None
        return _walk(node, root, key, tokens[1:])


class _Elements:
    """The elements of a top-level list, parsed one at a time as they are asked for."""

    def __init__(self, locator: LazyDslLocator, key: str, count: int) -> None:
        self._locator = locator
        self._key = key
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> PosNode:
        if not 0 <= i < self._count:
            raise IndexError(i)
        return self._locator.element(self._key, i)
