"""Where applc's own pages live: the one setting every link applc prints is built from.

SARIF `helpUri`, the `url` of every other output format, the language server's
`codeDescription` links and hovers, `applc rule` and the JSON Schema's `$id` all call
`docs_url`/`rule_url` here. Until the documentation site is published, `DOCS_BASE_URL`
points at the `docs/` folder of the repository, whose pages GitHub renders; once the
MkDocs site (`mkdocs.yml`, `site_url`) is published, set `DOCS_BASE_URL` to the site's
address and every link follows. A test keeps `mkdocs.yml` and `pyproject.toml`
`[project.urls]` in agreement with these values.
"""

from __future__ import annotations

REPOSITORY_URL = "https://github.com/applc/applc"

# Either a folder of Markdown files in the repository (".../blob/<ref>/docs/") or the base
# address of the built MkDocs site ("https://example.org/applc/"); it ends with "/".
DOCS_BASE_URL = f"{REPOSITORY_URL}/blob/main/docs/"


def docs_url(page: str, base: str | None = None) -> str:
    """The address of a page given by its path under docs/ (`rules/APL201.md`).

    In the repository the page is the Markdown file itself; on the MkDocs site (which uses
    directory URLs) `rules/APL201.md` is `rules/APL201/` and `README.md` its folder.
    """
    base = DOCS_BASE_URL if base is None else base
    if "/blob/" in base or "/tree/" in base:
        return base + page
    stem = page.removesuffix(".md")
    if stem == "README" or stem == "index" or stem.endswith(("/README", "/index")):
        return base + stem.rpartition("/")[0] + ("/" if "/" in stem else "")
    return base + stem + "/"


def rule_url(code: str, base: str | None = None) -> str:
    """The page of one rule (`docs/rules/<code>.md`)."""
    return docs_url(f"rules/{code}.md", base)
