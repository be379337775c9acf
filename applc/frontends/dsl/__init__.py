"""The appliance DSL (`.appl`): a readable, commented language for the same model.

`load_dsl` is the front end: bytes -> `Document` whose value is exactly the JSON value
the equivalent JSON file has, with a locator into the `.appl` text. `printer` writes
any appliance value as canonical DSL text and `formatter` does the same for a DSL file,
keeping its comments. lark is imported only when a `.appl` file is read.
"""

from __future__ import annotations

from applc.frontends.dsl.loader import load_dsl, load_dsl_text, parse_dsl

__all__ = ["load_dsl", "load_dsl_text", "parse_dsl"]
