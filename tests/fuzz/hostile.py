"""Hostile file systems for the fuzzers: ids that try to name files outside the output
folder, output folders full of symbolic links, fifos, devices, read-only and
hard-linked files and forged manifests, and folders to search that hold the same.

Each case builds its scene in a fresh work folder, runs the real `applc` through the
caller's `run(argv, cwd) -> (code, stdout, stderr)` (which must time out rather than
hang), and raises `Broken` when applc read, wrote, removed or printed something it must
not have, hung, or crashed. Used by tests/fuzz/fuzz.py (for as long as asked) and
tests/test_fuzz.py (a bounded slice).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import stat
from collections.abc import Callable
from pathlib import Path

from tests.fuzz.checks import Broken

Runner = Callable[[list[str], Path], tuple[int, str, str]]

SECRET = "CANARY-SECRET-7f3a"
SUFFIXES = {
    "marathon": ("marathon.json", "chronos.json"),
    "compose": ("compose.yaml",),
    "kubernetes": ("k8s.yaml",),
}
MANIFEST = ".applc-manifest.json"


def hostile_ids(work: Path) -> list[str]:
    return [
        str(work / "canary"),
        "../canary",
        "../../canary",
        "..",
        ".",
        "a/b",
        "shop\u0000x",
        "shop\n",
        "shop\r",
        "-rf",
        ".hidden",
        "\u202eevil",
        "x" * 300,
        "shop\\..\\canary",
        "Shop",
        "sh op",
        "shop\t",
        "$(touch canary)",
        "~",
        "*",
        "shop\u0085",
        "",
    ]


def _tree(root: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under `root` (not following links): kind and content or target."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirs, files in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirs[:] = []
            continue
        for name in dirs + files:
            p = here / name
            if skip is not None and p == skip:
                continue
            st = os.lstat(p)
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", p.read_bytes())
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", "")
            else:
                out[rel] = ("special", oct(stat.S_IFMT(st.st_mode)))
    return out


def _common(code: int, out: str, err: str) -> None:
    if code == -9:
        raise Broken(f"hung: {err}")
    if "Traceback" in err or "internal error" in err:
        raise Broken(f"internal error (exit {code}): {err[-2000:]}")
    if SECRET in out or SECRET in err:
        raise Broken("printed the content of a file outside what it was asked to read")


def _with_id(seed: dict, aid: str) -> dict:
    value = json.loads(json.dumps(seed))
    value["id"] = aid
    return value


# --------------------------------------------------------------------------- ids


def id_case(seed: dict, work: Path, rng: random.Random, run: Runner) -> str:
    from applc.build import SAFE_ID

    target = rng.choice(sorted(SUFFIXES))
    aid = rng.choice(hostile_ids(work))
    value = _with_id(seed, aid)
    args: list[str] = []
    how = rng.choice(["inline", "cli", "config"])
    if how == "inline":
        value["x-applc-ignore"] = {"APL105": "fuzz", "APL108": "fuzz"}
    elif how == "cli":
        args = ["--ignore", "APL105,APL108"]
    else:
        (work / "applc.toml").write_text('ignore = ["APL105", "APL108"]\n', encoding="utf-8")
    (work / "canary").write_text(SECRET, encoding="utf-8")
    src = work / "in" / "hostile.appliance.json"
    src.parent.mkdir()
    src.write_text(json.dumps(value), encoding="utf-8")
    out = work / "out"
    mode = rng.choice([[], ["--check"], ["--diff"], ["-o", "-"]])
    dest = [] if "-o" in mode else ["-o", str(out)]
    before = _tree(work)
    code, stdout, stderr = run(["build", "-t", target, str(src), *dest, *mode, *args], work)
    _common(code, stdout, stderr)
    if _tree(work, skip=out) != before:
        raise Broken(f"a build of appliance {aid!r} changed files outside its output folder")
    safe = SAFE_ID.fullmatch(aid) is not None
    if not safe:
        if code not in (1, 2):
            raise Broken(f"appliance id {aid!r} was accepted as a file name (exit {code})")
        if out.exists():
            raise Broken(f"appliance id {aid!r}: the refused build created {out}")
    elif code not in (0, 1) and not (code == 1 and mode in (["--check"], ["--diff"])):
        raise Broken(f"a safe id {aid!r} did not build: exit {code}: {stderr[-1000:]}")
    return f"id-{target}"


# --------------------------------------------------------------------------- output folder


HAZARDS = (
    "link-out",
    "fifo",
    "device",
    "read-only",
    "hard-link",
    "foreign",
    "manifest-link",
    "manifest-forged",
    "link-inside",
)


def folder_case(seed: dict, work: Path, rng: random.Random, run: Runner) -> str:
    target = rng.choice(sorted(SUFFIXES))
    src = work / "shop.appliance.json"
    src.write_text(json.dumps(seed), encoding="utf-8")
    out = work / "out"
    code, _, err = run(["build", "-q", "-t", target, str(src), "-o", str(out)], work)
    if code != 0:
        raise Broken(f"the seed did not build: {err[-1000:]}")
    outputs = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    canary = work / "canary.txt"
    canary.write_text(SECRET + "\n", encoding="utf-8")
    twin = work / "twin.yaml"
    hazards = rng.sample(HAZARDS, rng.randint(1, 3))
    victim = rng.choice(outputs)
    path = out / victim
    expect_refusal = False
    for hz in hazards:
        if not path.exists() and not path.is_symlink() and hz not in ("foreign",):
            continue
        if hz == "link-out":
            path.unlink()
            path.symlink_to(canary)
            expect_refusal = True
        elif hz == "fifo" and not path.is_symlink():
            path.unlink()
            os.mkfifo(path)
            expect_refusal = True
        elif hz == "device" and not path.is_symlink():
            path.unlink()
            path.symlink_to("/dev/zero")
            expect_refusal = True
        elif hz == "read-only" and path.is_file() and not path.is_symlink():
            path.chmod(0o444)
        elif hz == "hard-link" and path.is_file() and not path.is_symlink():
            if not twin.exists():
                os.link(path, twin)
        elif hz == "foreign":
            aid = seed["id"]
            for suffix in SUFFIXES[target]:
                f = out / f"{aid}.{suffix}"
                if not f.exists() and not f.is_symlink():
                    f.write_text(f"{SECRET} foreign\n", encoding="utf-8")
            (out / "notes.txt").write_text("mine\n", encoding="utf-8")
        elif hz == "manifest-link":
            (out / MANIFEST).unlink(missing_ok=True)
            (out / MANIFEST).symlink_to(canary)
            expect_refusal = True
        elif hz == "manifest-forged":
            record = {
                "target": target,
                "appliance": seed["id"],
                "source": "../shop.appliance.json",
                "sha256": hashlib.sha256((SECRET + "\n").encode()).hexdigest(),
            }
            name = rng.choice(["../canary.txt", "canary.txt", "notes.txt\n", "/etc/passwd"])
            (out / MANIFEST).unlink(missing_ok=True)
            (out / MANIFEST).write_text(
                json.dumps({"version": 1, "files": {name: record}}), encoding="utf-8"
            )
        elif hz == "link-inside" and path.is_file() and not path.is_symlink():
            (out / "real").mkdir(exist_ok=True)
            path.rename(out / "real" / victim)
            path.symlink_to(Path("real") / victim)
    # Half the time the appliance changes, so the build has something to write.
    if rng.random() < 0.5:
        changed = json.loads(json.dumps(seed))
        changed["containers"][0].setdefault("env", {})["FUZZ"] = str(rng.randint(0, 9))
        src.write_text(json.dumps(changed), encoding="utf-8")
    mode = rng.choice([[], ["--check"], ["--diff"]])
    before_out = _tree(out)
    before_rest = _tree(work, skip=out)
    code, stdout, stderr = run(["build", "-t", target, str(src), "-o", str(out), *mode], work)
    _common(code, stdout, stderr)
    if code not in (0, 1, 2):
        raise Broken(f"exit {code}: {stderr[-1000:]}")
    after_rest = _tree(work, skip=out)
    if twin.exists() and (out / victim).is_file() and os.path.samefile(out / victim, twin):
        # A hard link is written through: the twin may change with its output, nothing else.
        before_rest.pop("twin.yaml", None)
        after_rest.pop("twin.yaml", None)
    if after_rest != before_rest:
        changed_names = sorted(set(before_rest.items()) ^ set(after_rest.items()))
        raise Broken(f"{hazards}: changed files outside the output folder: {changed_names[:3]}")
    if canary.read_text() != SECRET + "\n":
        raise Broken(f"{hazards}: wrote through a link out of the output folder")
    after_out = _tree(out)
    for name, (kind, content) in before_out.items():
        now = after_out.get(name)
        if kind == "special" and now != (kind, content):
            raise Broken(f"{hazards}: {name} (a fifo or device) was replaced or removed")
        if kind == "link" and (now is None or now[0] != "link" or now[1] != content):
            raise Broken(f"{hazards}: the symbolic link {name} was replaced or removed")
        if name == "notes.txt" and now != (kind, content):
            raise Broken(f"{hazards}: a file applc never wrote was changed or removed")
        foreign = isinstance(content, bytes) and SECRET.encode() in content
        if kind == "file" and foreign and now != (kind, content):
            raise Broken(f"{hazards}: a foreign file {name} was changed or removed")
        if name == victim and "read-only" in hazards and now != (kind, content):
            raise Broken(f"{hazards}: the read-only {name} was changed")
        if mode and now != (kind, content):
            raise Broken(f"{hazards}: {' '.join(mode)} changed {name}")
    if mode and after_out != before_out:
        raise Broken(f"{hazards}: {' '.join(mode)} changed the output folder")
    if expect_refusal and code == 0 and not mode:
        raise Broken(f"{hazards}: a build wrote into a folder it must refuse")
    ro = out / victim
    read_only = "read-only" in hazards and ro.is_file() and not ro.is_symlink()
    if read_only and stat.S_IMODE(ro.stat().st_mode) != 0o444:
        raise Broken(f"{hazards}: a read-only file lost its mode")
    return f"folder-{target}"


# --------------------------------------------------------------------------- discovery


def discovery_case(seed: dict, work: Path, rng: random.Random, run: Runner) -> str:
    folder = work / "apps"
    folder.mkdir()
    (folder / "good.appliance.json").write_text(json.dumps(seed), encoding="utf-8")
    canary = work / "canary.json"
    canary.write_text(json.dumps({"id": SECRET, "containers": SECRET}), encoding="utf-8")
    scenery = {
        "fifo.appliance.json": lambda p: os.mkfifo(p),
        "fifo.json": lambda p: os.mkfifo(p),
        "fifo.appl": lambda p: os.mkfifo(p),
        "zero.json": lambda p: p.symlink_to("/dev/zero"),
        "random.appliance.json": lambda p: p.symlink_to("/dev/urandom"),
        "leak.appliance.json": lambda p: p.symlink_to(canary),
        "leak.json": lambda p: p.symlink_to(canary),
        "dangling.appliance.json": lambda p: p.symlink_to(work / "nowhere"),
        "loop.appliance.json": lambda p: p.symlink_to(p),
        "dir.appliance.json": lambda p: p.mkdir(),
    }
    chosen = rng.sample(sorted(scenery), rng.randint(1, len(scenery)))
    sub = folder / rng.choice(["", "nested", "deep/er"])
    sub.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        scenery[name](sub / name)
    fmt = rng.choice(["json", "full", "concise"])
    code, stdout, stderr = run(["lint", "-f", fmt, str(folder)], work)
    _common(code, stdout, stderr)
    if code not in (0, 1):
        raise Broken(f"lint of a folder exited {code}: {stderr[-1000:]}")
    if fmt == "json":
        files = {d["file"] for d in json.loads(stdout)["diagnostics"]}
        if json.loads(stdout)["summary"]["files"] != 1:
            raise Broken(f"{chosen}: linted {json.loads(stdout)['summary']['files']} files, not 1")
        if any("leak" in f or "fifo" in f for f in files):
            raise Broken(f"{chosen}: linted a file that is not a regular file in the folder")
    return "discovery"


CASES = {"id": id_case, "folder": folder_case, "discovery": discovery_case}


def hostile_case(seed: dict, work: Path, rng: random.Random, run: Runner) -> str:
    """One hostile case of a random kind; returns its kind, or raises Broken."""
    kind = rng.choice(sorted(CASES))
    return CASES[kind](seed, work, rng, run)
