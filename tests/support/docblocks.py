"""The shell examples of the documentation, read from Markdown as a reader sees them.

The rules a page follows (docs/contributing.md says the same for writers):

- A fenced block whose info string is `sh`, `bash`, `shell` or `console` is a shell
  example. A page with a shell example that runs `applc` is run like a script: all its
  shell examples, top to bottom, in the page's own temporary folder holding a copy of the
  repository's `examples/` (so a page builds on its earlier steps; `cd DIR` moves the
  later commands to DIR).
- A command is a line (a leading `$ ` is dropped), with its `\\` continuation lines and
  the bodies of its here-documents. Two commands the test environment has already done
  are left out: installing applc with `python3 -m pip install ...` (the tests run the
  applc being tested) and running the test suite (`python3 -m pytest`).
- An `applc` command must exit 0 or 1 (1 is findings, or stale output with `--check`);
  any other command must exit 0. A block that shows a failure on purpose says so with
  `<!-- exit: N -->` right above it.
- A fenced block with no info string, or `text`, right after a run block shows output:
  what the block's last command prints (standard output, then standard error) must
  contain its lines, contiguous and in order; a line `...` stands for any lines. Paths of
  the temporary copy and applc's version number are left out of the comparison. In a
  `console` block, commands start with `$ ` and the lines under one are its output.
- `<!-- not-run: REASON -->` right above a block keeps it from being run, and says why to
  whoever reads the page source. `<!-- needs: docker -->` runs it only where a Docker
  engine answers (as in CI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SHELL = {"sh", "bash", "shell", "console"}
OUTPUT = {"", "text"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
MARK = re.compile(r"^<!--\s*(?P<key>not-run|needs|exit)\s*:\s*(?P<value>.*?)\s*-->\s*$")
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)\1")
RUNS_APPLC = re.compile(r"(^|[;&|(]\s*|\$\(\s*)applc(\s|$)")


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    info: str
    text: str
    marks: dict[str, str] = field(default_factory=dict)
    output: Block | None = None  # the output block shown after it

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown page, with the marks right above it and, for
    shell blocks, the output block that follows."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    marks: dict[str, str] = {}
    last_closed: int | None = None  # index in `blocks` of a block just closed
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m is None:
            mark = MARK.match(line.strip())
            if mark:
                marks[mark["key"]] = mark["value"]
            elif line.strip():
                marks = {}
                last_closed = None
            i += 1
            continue
        fence, info = m["fence"], m["info"].strip().split(" ")[0].lower()
        body: list[str] = []
        j = i + 1
        closing = re.compile(rf"^ {{0,3}}{fence[0]}{{{len(fence)},}}\s*$")
        indent = m["indent"]
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        block = Block(path, i + 1, info, "\n".join(body) + ("\n" if body else ""), marks)
        previous = blocks[last_closed] if last_closed is not None else None
        if info in OUTPUT and previous is not None and previous.info in SHELL and not marks:
            previous.output = block
        blocks.append(block)
        last_closed = len(blocks) - 1
        marks = {}
        i = j + 1
    return blocks


def commands(text: str) -> list[str]:
    """The commands of a shell block, each with its continuation lines and here-documents."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("$ "):
            line = line[2:]
        parts = [line]
        while parts[-1].endswith("\\") and i < len(lines):
            parts.append(lines[i])
            i += 1
        command = "\n".join(parts)
        for doc in HEREDOC.finditer(command):
            while i < len(lines):
                body = lines[i]
                i += 1
                command += "\n" + body
                if body.strip() == doc["word"]:
                    break
        out.append(command)
    return out


def console_steps(text: str) -> list[tuple[str, str]]:
    """A `console` block: each `$ ` command (with `\\` continuations) and the output shown
    under it, up to the next `$ `."""
    steps: list[tuple[str, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("$ "):
            continue
        parts = [line[2:]]
        while parts[-1].endswith("\\") and i < len(lines):
            parts.append(lines[i].removeprefix("> "))
            i += 1
        shown: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        steps.append(("\n".join(parts), "\n".join(shown)))
    return steps


_PIP = re.compile(r"^python3? -m pip install [^&;|]*?(&&\s*|$)")
_PYTEST = re.compile(r"^python3? -m pytest\b")


def runnable(command: str) -> str | None:
    """The part of a command the tests run: None when the environment has done it."""
    rest = _PIP.sub("", command.strip(), count=1).strip()
    if not rest or _PYTEST.match(rest):
        return None
    return rest


def steps(block: Block) -> list[tuple[str, str | None]]:
    """The commands of a shell block, each with the output the page shows for it (None
    when it shows none): in a `console` block the lines under the command, in the others
    the output block after the block, for its last command."""
    if block.info == "console":
        return [(c, shown if shown.strip() else None) for c, shown in console_steps(block.text)]
    cmds: list[tuple[str, str | None]] = [(c, None) for c in commands(block.text)]
    if cmds and block.output is not None:
        cmds[-1] = (cmds[-1][0], block.output.text)
    return cmds


def runs_applc(block: Block) -> bool:
    return block.info in SHELL and any(RUNS_APPLC.search(c) for c, _ in steps(block))


VERSION = re.compile(r"(?<=applc)([ ,]+v?|==|/)\d+\.\d+\.\d+\S*")


def normalize(text: str, root: Path | None = None) -> list[str]:
    """Lines as compared: the temporary folder, version numbers and trailing space left out."""
    if root is not None:
        for form in (str(root.resolve()), str(root)):
            text = text.replace(form + "/", "").replace(form, ".")
    text = VERSION.sub(lambda m: m.group(1) + "<version>", text)
    return [line.rstrip() for line in text.splitlines()]


def shows(shown: list[str], actual: list[str]) -> bool:
    """Whether `actual` contains the lines of `shown` contiguously, `...` matching any lines."""
    while shown and not shown[0].strip():
        shown = shown[1:]
    while shown and not shown[-1].strip():
        shown = shown[:-1]
    pieces: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "...":
            pieces.append([])
        else:
            pieces[-1].append(line)
    start = 0
    for piece in pieces:
        if not piece:
            continue
        found = _find(piece, actual, start)
        if found < 0:
            return False
        start = found + len(piece)
    return True


def _find(piece: list[str], actual: list[str], start: int) -> int:
    for k in range(start, len(actual) - len(piece) + 1):
        if actual[k : k + len(piece)] == piece:
            return k
    return -1
