"""Where each node of a DSL document is: the position tree recorded while building."""

from __future__ import annotations

from applc.frontends.dsl.syntax import BARE, QUOTED, Node, PosNode, string_offset
from applc.source import split_pointer


class DslLocator:
    """Answers the `Locator` protocol by walking the position tree along the pointer."""

    def __init__(self, text: str, root: Node) -> None:
        self._text = text
        self._root = root

    def _find(self, pointer: str) -> tuple[Node | None, str, PosNode | None]:
        node: PosNode = self._root
        parent: Node | None = None
        token = ""
        for token in split_pointer(pointer):
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
