"""`json-lines`: one JSON object per diagnostic per line, no envelope (JSON Lines).

For `jq`, log shippers and scripts that read a stream a line at a time. Each object has
the same fields as a diagnostic of the `json` format. A clean run prints nothing.
"""

from __future__ import annotations

import json

from applc.formatters import Report
from applc.formatters.json import diagnostic_dict

# json.dumps escapes the ASCII control characters but, without ensure_ascii, leaves these
# raw; readers that split on Unicode line breaks (Python's str.splitlines, JavaScript)
# would cut a record in two. They only ever occur inside strings, so escaping is safe.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _one_line(text: str) -> str:
    for ch, escaped in _LINE_BREAKS.items():
        if ch in text:
            text = text.replace(ch, escaped)
    return text


def render(report: Report, color: bool) -> str:
    return "".join(
        _one_line(json.dumps(diagnostic_dict(d), ensure_ascii=False)) + "\n"
        for d in report.diagnostics
    )
