"""MkDocs hook: links from a docs page to a file of the repository outside docs/.

The pages are written to be read on GitHub too, where `../examples/README.md` works; the
site has only docs/, so such a link is rewritten to the file in the repository (from
applc/links.py). A link to a file that does not exist is a warning, which
`mkdocs build --strict` turns into a failure, as it does for broken links inside docs/.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from applc.links import REPOSITORY_URL

log = logging.getLogger("mkdocs.plugins.applc")
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)


def _rewrite(text: str, page_dir: Path, docs_dir: Path, root: Path, where: str) -> str:
    def one(m: re.Match[str]) -> str:
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target, re.I):
            return m.group(0)
        path, _, anchor = target.partition("#")
        resolved = (page_dir / path).resolve()
        if resolved.is_relative_to(docs_dir):
            return m.group(0)  # MkDocs checks these itself
        if not resolved.is_relative_to(root) or not resolved.exists():
            log.warning("%s: link to `%s`, which is not a file of the repository", where, target)
            return m.group(0)
        kind = "tree" if resolved.is_dir() else "blob"
        rel = resolved.relative_to(root).as_posix()
        url = f"{REPOSITORY_URL}/{kind}/main/{rel}" + (f"#{anchor}" if anchor else "")
        return m.group(1) + url + m.group(3)

    return LINK.sub(one, text)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    docs_dir = Path(config["docs_dir"]).resolve()
    root = Path(config["config_file_path"]).resolve().parent
    page_dir = (docs_dir / page.file.src_path).parent
    # Leave fenced code alone: a `](x)` there is text, not a link.
    parts = re.split(r"(^ {0,3}```.*?^ {0,3}```[ \t]*$)", markdown, flags=re.M | re.S)
    return "".join(
        part if i % 2 else _rewrite(part, page_dir, docs_dir, root, page.file.src_path)
        for i, part in enumerate(parts)
    )
