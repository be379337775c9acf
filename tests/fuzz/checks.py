"""What every fuzzed run must satisfy, shared by tests/test_fuzz.py and tests/fuzz/fuzz.py."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


class Broken(AssertionError):
    """A fuzzed run broke a promise; the message says which."""


def decoded_lines(data: bytes) -> list[str]:
    """The lines positions count in: applc drops a UTF-8 BOM and reads the rest."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", "replace").split("\n")


def check_lint(data: bytes, code: int, stdout: str, stderr: str) -> None:
    """`applc lint -f json` of `data`: exit 0 or 1 as the errors say, no traceback, and
    every diagnostic readable and inside the file."""
    if "Traceback" in stderr or "internal error" in stderr:
        raise Broken(f"internal error (exit {code}): {stderr[-3000:]}")
    if code not in (0, 1):
        raise Broken(f"exit {code}: {stderr[-3000:]}")
    try:
        report = json.loads(stdout)
    except ValueError as exc:
        raise Broken(f"output is not JSON ({exc}): {stdout[:500]!r}") from None
    diags = report["diagnostics"]
    lines = decoded_lines(data)
    for d in diags:
        where = f"{d.get('code')} at {d.get('line')}:{d.get('column')}"
        if not d.get("message"):
            raise Broken(f"empty message: {where}")
        if not 1 <= d["line"] <= len(lines):
            raise Broken(f"line outside the file ({len(lines)} lines): {where}")
        if not 1 <= d["column"] <= len(lines[d["line"] - 1]) + 1:
            raise Broken(f"column outside line {d['line']}: {where}")
        if (d["end_line"], d["end_column"]) < (d["line"], d["column"]):
            raise Broken(f"span ends before it starts: {where}")
    errors = sum(1 for d in diags if d["severity"] == "error")
    if code != (1 if errors else 0):
        raise Broken(f"exit {code} with {errors} errors")
    if code == 1 and not diags:
        raise Broken("exit 1 without diagnostics")


def check_other_format(code: int, stdout: str, stderr: str, fmt: str = "") -> None:
    """Any other output format: no traceback, exit 0 or 1, and a machine-readable
    format that its reader can parse."""
    if "Traceback" in stderr or "internal error" in stderr:
        raise Broken(f"internal error (exit {code}): {stderr[-3000:]}")
    if code not in (0, 1):
        raise Broken(f"exit {code}: {stderr[-3000:]}")
    try:
        if fmt in ("sarif", "gitlab", "rdjson"):
            json.loads(stdout)
        elif fmt == "json-lines":
            for line in stdout.split("\n"):
                if line:
                    json.loads(line)
        elif fmt == "junit":
            import xml.etree.ElementTree as ET

            ET.fromstring(stdout)
    except Exception as exc:
        raise Broken(f"{fmt} output does not parse ({exc}): {stdout[:300]!r}") from None


def check_edited(
    kind: str,
    before: dict[str, object],
    after: dict[str, object],
    code: int,
    stderr: str,
) -> None:
    """`applc lint --fix` or `--add-ignore` on a file: no traceback, exit 0 or 1; a file
    that parsed still parses; and adding ignores brings no finding that was not there."""
    if "Traceback" in stderr or "internal error" in stderr:
        raise Broken(f"internal error (exit {code}): {stderr[-3000:]}")
    if code not in (0, 1):
        raise Broken(f"exit {code}: {stderr[-3000:]}")
    unreadable = {"APL001", "APL003"}

    def codes(report: dict[str, object]) -> list[str]:
        return [str(d["code"]) for d in report["diagnostics"]]  # type: ignore[attr-defined,index]

    if not unreadable & set(codes(before)) and unreadable & set(codes(after)):
        raise Broken(f"{kind} left a file that no longer parses")
    if kind == "add-ignore":
        from collections import Counter

        new = Counter(codes(after)) - Counter(codes(before))
        if new:
            raise Broken(f"--add-ignore brought new findings: {dict(new)}")


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def complete(name: str, data: bytes) -> bool:
    """Whether an output file parses as a whole (a half-written one does not)."""
    try:
        text = data.decode("utf-8")
        if name.endswith(".json"):
            json.loads(text)
        else:
            list(yaml.safe_load_all(text))
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        return False
    return bool(text.strip())


def check_build(before: dict[str, bytes], folder: Path, code: int, stderr: str) -> None:
    """`applc build -o FOLDER` that ran to the end: exit 0 or 1; on 1 the folder is as it
    was; on 0 each file is the old one or a complete new one; no staging files left."""
    if "Traceback" in stderr or "internal error" in stderr:
        raise Broken(f"internal error (exit {code}): {stderr[-3000:]}")
    if code not in (0, 1):
        raise Broken(f"build exit {code}: {stderr[-3000:]}")
    after = snapshot(folder)
    leftovers = [n for n in after if n.startswith(".") and n != MANIFEST]
    if leftovers:
        raise Broken(f"staging files left behind: {leftovers}")
    check_manifest(after)
    if code != 0:
        if after != before:
            raise Broken(
                "a refused build changed the output folder: "
                f"{sorted(set(after) ^ set(before)) or 'contents'}"
            )
        return
    for name, data in after.items():
        if before.get(name) != data and not complete(name, data):
            raise Broken(f"{name} is not a complete file")


MANIFEST = ".applc-manifest.json"


def check_manifest(files: dict[str, bytes]) -> None:
    """The manifest lists files that are there, each with the hash of what it holds
    (builds remove only what it lists, so a stale entry could remove a user's file)."""
    import hashlib

    if MANIFEST not in files:
        return
    try:
        listed = json.loads(files[MANIFEST])["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Broken(f"the manifest does not parse: {exc}") from None
    for name, rec in listed.items():
        if name not in files:
            raise Broken(f"the manifest lists {name}, which is not there")
        if hashlib.sha256(files[name]).hexdigest() != rec["sha256"]:
            raise Broken(f"the manifest's hash of {name} is not the file's")


def check_interrupted_build(
    before: dict[str, bytes], reference: dict[str, bytes] | None, folder: Path
) -> list[str]:
    """A build killed part-way: every output file is its old self or its complete new
    self (as a build that ran to the end wrote it). Returns the staging files left
    behind (unavoidable after SIGKILL, and never an output name)."""
    after = snapshot(folder)
    for name, data in after.items():
        if name.startswith("."):
            continue
        if before.get(name) == data:
            continue
        if reference is not None and reference.get(name) == data:
            continue
        raise Broken(f"{name} is neither the old file nor the new one after a kill")
    for name in before:
        if name not in after and not (reference is not None and name not in reference):
            raise Broken(f"{name} vanished after a kill")
    return [n for n in after if n.startswith(".") and n != MANIFEST]
