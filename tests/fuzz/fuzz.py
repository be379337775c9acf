"""The long fuzzer: mutated appliances through the real `applc` CLI, for as long as asked.

    python tests/fuzz/fuzz.py                   # ten minutes, every core
    python tests/fuzz/fuzz.py --minutes 60 --seed 7
    python tests/fuzz/fuzz.py --replay tests/fuzz/.findings/lint-123.json

Each case takes an example appliance (the bundled examples, small generated ones, and
their DSL forms), applies one to three mutations (byte flips, truncation, deleted,
duplicated and renamed keys, wrong types, nesting 100,000 levels deep, numbers like
1e999 and -0, invalid UTF-8, lone surrogates, a 50 MB string, NaN), and runs it through
a fresh `applc` process:

- `applc lint -f json` (and now and then another output format): exit 0 or 1 as the
  errors say, no traceback, every diagnostic inside the file, within the time limit;
- `applc lint --fix` (sometimes `--unsafe-fixes`) or `--add-ignore` on the file: no
  traceback, a file that parsed still parses, and added ignores bring no new finding;
- `applc server` fed a session of well-formed and hostile messages (malformed and
  oversized Content-Length, bodies that are not JSON-RPC, requests the lifecycle
  forbids): no traceback, only JSON-RPC frames out, every request answered once
  (tests/fuzz/server.py);
- `applc build --target T -o DIR`, with DIR holding an earlier build: exit 0 or 1, the
  old files untouched when it refuses, complete files when it writes, nothing staged
  left behind, a manifest that lists exactly what is there; and now and then the build
  is killed part-way, after which every file in DIR must be the old one or the complete
  new one;
- hostile file systems (tests/fuzz/hostile.py): appliance ids that try to name files
  outside the output folder (absolute paths, `..`, NUL, newlines, case twins) with
  APL105 switched off; output folders holding symbolic links out of the folder, fifos,
  devices, read-only and hard-linked files, foreign files and forged manifests; folders
  to search holding fifos, devices and links out. applc must not hang, crash, or read,
  write, remove or print anything it must not.

A failing case is saved under tests/fuzz/.findings/ (the input and what went wrong), and
`--replay` runs it again. Not collected by pytest (tests/test_fuzz.py is the bounded
version that runs with the suite). Exit status: 0 when every case passed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz.checks import (  # noqa: E402
    Broken,
    check_build,
    check_edited,
    check_interrupted_build,
    check_lint,
    check_other_format,
    snapshot,
)
from tests.fuzz.hostile import hostile_case  # noqa: E402
from tests.fuzz.mutations import mutate  # noqa: E402
from tests.fuzz.server import check_session, make_session, run_session  # noqa: E402

FINDINGS = ROOT / "tests" / "fuzz" / ".findings"
TARGETS = ("marathon", "compose", "kubernetes")
FORMATS = ("full", "concise", "sarif", "github", "json-lines", "gitlab", "junit", "rdjson")


def applc_command() -> list[str]:
    script = Path(sys.executable).parent / "applc"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "applc"]


APPLC = applc_command()


@dataclass
class Seed:
    name: str
    data: bytes
    suffix: str  # ".appliance.json" or ".appl"
    buildable: bool  # builds cleanly before mutation


@dataclass
class Outcome:
    kind: str
    seconds: float
    problem: str | None = None
    note: str | None = None


@dataclass
class Stats:
    runs: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, object]] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    leftovers_after_kill: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, case: dict[str, object], outcome: Outcome) -> None:
        with self.lock:
            self.runs[outcome.kind] = self.runs.get(outcome.kind, 0) + 1
            self.slowest.append((outcome.seconds, f"{outcome.kind} {case['id']}"))
            self.slowest = sorted(self.slowest, reverse=True)[:5]
            if outcome.note == "leftover":
                self.leftovers_after_kill += 1
            if outcome.problem is not None:
                self.failures.append({**case, "kind": outcome.kind, "problem": outcome.problem})


def run(argv: list[str], cwd: Path, limit: float) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            timeout=limit * 4,
            check=False,
            env={**os.environ, "NO_COLOR": "1", "GIT_CEILING_DIRECTORIES": "/"},
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if exc.stdout else ""
        return -9, out, f"killed after {limit * 4:.0f} s", time.perf_counter() - start
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.perf_counter() - start,
    )


# --- the cases ------------------------------------------------------------------------


def lint_case(path: Path, data: bytes, rng: random.Random, limit: float) -> Outcome:
    fmt = "json" if rng.random() < 0.75 else rng.choice(FORMATS)
    code, out, err, secs = run([*APPLC, "lint", "-f", fmt, str(path)], path.parent, limit)
    try:
        if fmt == "json":
            check_lint(data, code, out, err)
        else:
            check_other_format(code, out, err, fmt)
        if secs > limit:
            raise Broken(f"took {secs:.1f} s, over the limit of {limit:.0f} s")
    except Broken as exc:
        return Outcome(f"lint-{fmt}", secs, str(exc))
    return Outcome(f"lint-{fmt}", secs)


def edit_case(path: Path, rng: random.Random, limit: float) -> Outcome:
    """`applc lint --fix` (sometimes with unsafe fixes) or `--add-ignore` on the file."""
    kind = rng.choice(["fix", "unsafe-fix", "add-ignore"])
    flags = {"fix": ["--fix"], "unsafe-fix": ["--fix", "--unsafe-fixes"]}
    lint = [*APPLC, "lint", "-f", "json", str(path)]
    code, out, err, _ = run(lint, path.parent, limit)
    try:
        before = json.loads(out)
    except ValueError:
        problem = f"lint before editing failed (exit {code}): {err[-500:]}"
        return Outcome(f"edit-{kind}", 0.0, problem)
    argv = [*APPLC, "lint", "-q", *flags.get(kind, ["--add-ignore"]), str(path)]
    code, _, err, secs = run(argv, path.parent, limit)
    try:
        if secs > limit:
            raise Broken(f"took {secs:.1f} s, over the limit of {limit:.0f} s")
        acode, aout, aerr, _ = run(lint, path.parent, limit)
        check_lint(path.read_bytes(), acode, aout, aerr)
        check_edited(kind, before, json.loads(aout), code, err)
    except Broken as exc:
        return Outcome(f"edit-{kind}", secs, str(exc))
    return Outcome(f"edit-{kind}", secs)


def build_case(seed: Seed, path: Path, work: Path, rng: random.Random, limit: float) -> Outcome:
    target = rng.choice(TARGETS)
    out = work / "out"
    src = work / f"original{seed.suffix}"
    src.write_bytes(seed.data)
    first = run([*APPLC, "build", "-q", "--target", target, str(src), "-o", str(out)], work, limit)
    if first[0] != 0:
        return Outcome(
            f"build-{target}", first[3], f"the unmutated seed did not build: {first[2][-1000:]}"
        )
    before = snapshot(out)
    argv = [*APPLC, "build", "-q", "--target", target, str(path), "-o", str(out)]
    if rng.random() < 0.25:
        return killed_build(argv, target, path, work, before, rng, limit)
    code, _, err, secs = run(argv, work, limit)
    try:
        check_build(before, out, code, err)
        if secs > limit:
            raise Broken(f"took {secs:.1f} s, over the limit of {limit:.0f} s")
    except Broken as exc:
        return Outcome(f"build-{target}", secs, str(exc))
    return Outcome(f"build-{target}", secs)


def hostile(seeds: list[Seed], work: Path, rng: random.Random, limit: float) -> Outcome:
    """A hostile id, output folder or folder to search (tests/fuzz/hostile.py)."""
    pool = [s for s in seeds if s.buildable and s.suffix == ".appliance.json"]
    seed = json.loads(rng.choice(pool).data)
    start = time.perf_counter()

    def runner(argv: list[str], cwd: Path) -> tuple[int, str, str]:
        code, out, err, _ = run([*APPLC, *argv], cwd, limit)
        return code, out, err

    kind = "hostile"
    try:
        kind = hostile_case(seed, work, rng, runner)
    except Broken as exc:
        return Outcome(f"hostile-{kind}", time.perf_counter() - start, str(exc))
    return Outcome(f"hostile-{kind}", time.perf_counter() - start)


def killed_build(
    argv: list[str],
    target: str,
    path: Path,
    work: Path,
    before: dict[str, bytes],
    rng: random.Random,
    limit: float,
) -> Outcome:
    """Kill the build part-way; then each file must be the old or the complete new one."""
    ref_dir = work / "reference"
    code, _, _, _ = run([*argv[:-1], str(ref_dir)], work, limit)
    reference = snapshot(ref_dir) if code == 0 else None
    proc = subprocess.Popen(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    delay = rng.uniform(0.0, 0.6)
    start = time.perf_counter()
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    secs = time.perf_counter() - start
    try:
        left = check_interrupted_build(before, reference, work / "out")
    except Broken as exc:
        return Outcome(f"build-{target}-killed", secs, str(exc))
    return Outcome(f"build-{target}-killed", secs, note="leftover" if left else None)


def one_case(
    case_id: int,
    seeds: list[Seed],
    base_seed: int,
    scale: float,
    limit: float,
    build: bool,
    stats: Stats,
) -> None:
    rng = random.Random(base_seed * 1_000_003 + case_id)
    seed = rng.choice(seeds)
    data, applied = mutate(seed.data, rng, scale)
    case = {
        "id": case_id,
        "seed": seed.name,
        "mutations": applied,
        "rng": base_seed * 1_000_003 + case_id,
    }
    with tempfile.TemporaryDirectory(prefix="applc-fuzz-") as tmp:
        work = Path(tmp)
        path = work / f"fuzz{seed.suffix}"
        path.write_bytes(data)
        roll = rng.random()
        if build and seed.buildable and roll < 0.3:
            outcome = build_case(seed, path, work, rng, limit)
        elif build and roll < 0.42:
            outcome = hostile(seeds, work, rng, limit)
        elif 0.8 < roll <= 0.88:
            outcome = server_case(case, work, rng, limit)
            stats.add(case, outcome)
            return
        elif roll > 0.88:
            outcome = edit_case(path, rng, limit)
        else:
            outcome = lint_case(path, data, rng, limit)
        stats.add(case, outcome)
        if outcome.problem is not None:
            save(case, outcome, path, seed)


def server_case(case: dict[str, object], work: Path, rng: random.Random, limit: float) -> Outcome:
    """A session of well-formed and hostile messages for `applc server` (see
    tests/fuzz/server.py); a failing one is saved as its raw bytes."""
    session = make_session(rng)
    case["mutations"] = sorted(set(session.kinds))
    data = session.data
    start = time.perf_counter()
    try:
        code, out, err = run_session(data, limit * 6, work)
        check_session(session, code, out, err)
        problem = None
    except subprocess.TimeoutExpired:
        problem = f"the server did not end within {limit * 6:.0f} s"
    except AssertionError as exc:
        problem = str(exc)
    outcome = Outcome("server", time.perf_counter() - start, problem)
    if problem is not None:
        FINDINGS.mkdir(parents=True, exist_ok=True)
        stem = f"server-{case['id']}"
        (FINDINGS / f"{stem}.lsp").write_bytes(data)
        record = {**case, "kind": "server", "problem": problem, "input": f"{stem}.lsp",
                  "must_answer": session.must_answer}  # fmt: skip
        (FINDINGS / f"{stem}.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        print(f"FAIL {stem}: {problem[:300]}", flush=True)
    return outcome


def save(case: dict[str, object], outcome: Outcome, path: Path, seed: Seed) -> None:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    stem = f"{outcome.kind}-{case['id']}"
    shutil.copyfile(path, FINDINGS / f"{stem}{seed.suffix}")
    record = {
        **case,
        "kind": outcome.kind,
        "problem": outcome.problem,
        "input": f"{stem}{seed.suffix}",
        "seconds": round(outcome.seconds, 2),
    }
    (FINDINGS / f"{stem}.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"FAIL {stem}: {outcome.problem[:300] if outcome.problem else ''}", flush=True)


# --- seeds ----------------------------------------------------------------------------


def load_seeds(say) -> list[Seed]:
    seeds: list[Seed] = []
    for p in sorted((ROOT / "examples").glob("*.appliance.json")):
        seeds.append(
            Seed(p.name, p.read_bytes(), ".appliance.json", not p.name.startswith("broken"))
        )
    gen = ROOT / "benchmarks" / "generate.py"
    if gen.is_file():
        for n in (5, 40):
            proc = subprocess.run(
                [sys.executable, str(gen), str(n)], capture_output=True, check=False
            )
            if proc.returncode == 0:
                seeds.append(Seed(f"generated-{n}", proc.stdout, ".appliance.json", True))
    with tempfile.TemporaryDirectory() as tmp:
        for s in list(seeds):
            src = Path(tmp) / f"x{s.suffix}"
            src.write_bytes(s.data)
            proc = subprocess.run(
                [*APPLC, "convert", str(src), "--to", "dsl"], capture_output=True, check=False
            )
            if proc.returncode == 0 and proc.stdout.strip():
                seeds.append(Seed(f"{s.name}.appl", proc.stdout, ".appl", s.buildable))
    say(f"{len(seeds)} seeds: {', '.join(s.name for s in seeds)}")
    return seeds


def has_build() -> bool:
    proc = subprocess.run([*APPLC, "build", "--help"], capture_output=True, check=False)
    return proc.returncode == 0


# --- main -----------------------------------------------------------------------------


def replay(record_path: Path, limit: float) -> int:
    record = json.loads(record_path.read_text(encoding="utf-8"))
    path = record_path.parent / record["input"]
    data = path.read_bytes()
    print(f"replaying {path} ({record['kind']}): {record['problem'][:300]}")
    if str(record["kind"]).startswith("lint"):
        outcome = lint_case(path, data, random.Random(0), limit)
    elif record["kind"] == "server":
        from tests.fuzz.server import Session

        session = Session(pieces=[data], must_answer=list(record.get("must_answer", [])))
        try:
            check_session(session, *run_session(data, limit * 6, ROOT))
            outcome = Outcome("server", 0.0)
        except (AssertionError, subprocess.TimeoutExpired) as exc:
            outcome = Outcome("server", 0.0, str(exc) or type(exc).__name__)
    else:
        print("build findings are replayed by hand: applc build --target T FILE -o DIR")
        return 2
    print("still failing:" if outcome.problem else "passes now", outcome.problem or "")
    return 1 if outcome.problem else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument(
        "--time-limit", type=float, default=5.0, help="seconds one applc run may take (default 5)"
    )
    ap.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="size of the big inputs: 1 is a 50 MB string, 100,000 levels",
    )
    ap.add_argument("--no-build", action="store_true", help="lint only")
    ap.add_argument("--replay", type=Path, help="run one saved finding again")
    args = ap.parse_args(argv)
    if args.replay:
        return replay(args.replay, args.time_limit)

    def say(msg: str) -> None:
        print(msg, flush=True)

    seeds = load_seeds(say)
    build = not args.no_build and has_build()
    say(
        f"fuzzing for {args.minutes:g} minutes with seed {args.seed}, {args.workers} "
        f"workers, {args.time_limit:g} s limit, scale {args.scale:g}"
        f"{'' if build else ', lint only'}"
    )
    stats = Stats()
    deadline = time.monotonic() + args.minutes * 60
    next_id = 0
    last_report = time.monotonic()
    with cf.ThreadPoolExecutor(args.workers) as pool:
        running: set[cf.Future[None]] = set()
        while time.monotonic() < deadline or running:
            while time.monotonic() < deadline and len(running) < args.workers:
                running.add(
                    pool.submit(
                        one_case,
                        next_id,
                        seeds,
                        args.seed,
                        args.scale,
                        args.time_limit,
                        build,
                        stats,
                    )
                )
                next_id += 1
            done, running = cf.wait(running, timeout=1.0, return_when=cf.FIRST_COMPLETED)
            for f in done:
                f.result()  # an exception here is a bug in the fuzzer: let it show
            if time.monotonic() - last_report > 60:
                last_report = time.monotonic()
                say(f"  {sum(stats.runs.values())} cases, {len(stats.failures)} failures")
    total = sum(stats.runs.values())
    say(
        f"\n{total} cases in {args.minutes:g} minutes (seed {args.seed}): "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats.runs.items()))
    )
    say("slowest: " + "; ".join(f"{s:.1f} s {what}" for s, what in stats.slowest))
    if stats.leftovers_after_kill:
        say(
            f"{stats.leftovers_after_kill} killed builds left a staging file (a dot-file, "
            "never an output name) behind"
        )
    if stats.failures:
        say(f"{len(stats.failures)} FAILURES, saved in {FINDINGS.relative_to(ROOT)}:")
        for f in stats.failures[:20]:
            say(
                f"  {f['kind']} case {f['id']} ({f['seed']}, {'+'.join(f['mutations'])}): "
                f"{str(f['problem'])[:200]}"
            )
        return 1
    say("no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
