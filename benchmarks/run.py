"""Benchmark applc against its peers on generated appliances, and record the results.

    python benchmarks/run.py            # everything; rewrites the results in docs/performance.md
    python benchmarks/run.py --quick    # 100 to 10,000 containers, fewer runs; prints only

Every number is the wall time of a fresh process (`subprocess`, as a user runs it), and
every peak memory figure is that process's own maximum resident set (`os.wait4`), minus
the same figure for `python -c pass` run by the same interpreter as applc. Each round
runs every command once, in a rotating order, with the baseline in the same round; times
are medians over rounds, and each ratio is the median of the ratios measured within one
round, so a noisy neighbour slows both sides of a ratio alike. One round is enough at
50,000 containers.

The appliances come from `benchmarks/generate.py` and are kept in `benchmarks/.data/`
(ignored by git), regenerated when the generator changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
DOC = ROOT / "docs" / "performance.md"
SCHEMA = ROOT / "schemas" / "appliance.schema.json"
SEED_EXAMPLE = ROOT / "examples" / "mesos.appliance.json"
GENERATOR = ROOT / "benchmarks" / "generate.py"
TARGETS = ("marathon", "compose", "kubernetes")
START, END = "<!-- results:start -->", "<!-- results:end -->"
TIMEOUT = 600.0  # seconds for any one command (--timeout); longer runs are stopped
SERVER_CONTAINERS, SERVER_ROUNDS = 200, 40  # the language server's re-lint of a DSL document

FLOOR = "import json,sys; json.load(open(sys.argv[1]))"
FRONT_END = (
    "import sys; from applc.inputs import parse_document; p = sys.argv[1]; "
    "d = parse_document(p, open(p, 'rb').read()); sys.exit(d.value is None)"
)


# --- running one command ------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_kib: int
    code: int
    timed_out: bool = False


def gnu_time() -> str | None:
    """GNU time, to read a child's peak memory from a process much smaller than ours."""
    for path in ("/usr/bin/time", shutil.which("gtime")):
        if path and Path(path).is_file():
            proc = subprocess.run(
                [path, "-f", "%M", "true"], capture_output=True, text=True, check=False
            )
            if proc.returncode == 0 and proc.stderr.strip().isdigit():
                return path
    return None


GNU_TIME = gnu_time()


def run_once(argv: list[str], out: Path, err: Path) -> Sample:
    """Run `argv` in a fresh process; its wall time, peak resident memory and exit code.

    Linux charges a process with the peak memory of the process it was forked from (the
    `ru_maxrss` of a child of this benchmark is at least this benchmark's own), so the
    command is started by GNU time, a small C program, which reports the command's true
    peak. Without GNU time, `os.wait4` gives an upper bound.
    """
    rss_file = out.with_suffix(".rss")
    rss_file.unlink(missing_ok=True)
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv] if GNU_TIME else argv
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        os.killpg(proc.pid, signal.SIGKILL)  # GNU time and the command under it

    with out.open("wb") as o, err.open("wb") as e:
        start = time.perf_counter()
        proc = subprocess.Popen(
            full, stdin=subprocess.DEVNULL, stdout=o, stderr=e, cwd=ROOT, start_new_session=True
        )
        timer = threading.Timer(TIMEOUT, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if killed.is_set():
        return Sample(TIMEOUT, 0, proc.returncode, timed_out=True)
    peak = usage.ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        peak //= 1024
    if GNU_TIME:
        # The last line: GNU time puts "Command exited with non-zero status" first.
        peak = int(rss_file.read_text().split()[-1])
    return Sample(seconds, peak, proc.returncode)


@dataclass
class Command:
    key: str
    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    input_bytes: int = 0  # size of the file it reads, for memory ratios
    samples: list[Sample] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    def peak(self) -> int:
        return int(statistics.median(s.peak_kib for s in self.samples))

    @property
    def timed_out(self) -> bool:
        return any(s.timed_out for s in self.samples)


def run_rounds(
    commands: list[Command],
    rounds: int,
    scratch: Path,
    say: Callable[[str], None],
    warm: bool = True,
) -> None:
    """Every command once per round, rotating the order from round to round."""
    if warm:  # byte-compile and fill the page cache before anything counts
        for c in commands:
            _checked(c, run_once(c.argv, scratch / "out", scratch / "err"), scratch)
    for r in range(rounds):
        k = r % len(commands)
        for c in commands[k:] + commands[:k]:
            c.samples.append(
                _checked(c, run_once(c.argv, scratch / "out", scratch / "err"), scratch)
            )
        say(
            f"    round {r + 1}/{rounds}: "
            + ", ".join(f"{c.key} {c.samples[-1].seconds:.2f}s" for c in commands)
        )


def _checked(c: Command, s: Sample, scratch: Path) -> Sample:
    if s.timed_out:
        return s  # reported as "over the time limit"
    err = (scratch / "err").read_text("utf-8", "replace")
    if s.code not in c.ok_codes or "Traceback" in err:
        raise SystemExit(
            f"benchmark command failed (exit {s.code}): {' '.join(c.argv)}\n{err[-2000:]}"
        )
    return s


def ratio(a: Command, b: Command) -> float:
    """Median over rounds of a's time over b's time in the same round."""
    return statistics.median(
        x.seconds / y.seconds for x, y in zip(a.samples, b.samples, strict=True)
    )


# --- the tools ------------------------------------------------------------------------


def applc_script() -> Path:
    """The `applc` console script of this interpreter (not a shim in front of it)."""
    for d in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        p = d / "applc"
        if p.is_file():
            return p
    found = shutil.which("applc")
    if found is None:
        raise SystemExit("applc is not installed: run `pip install -e '.[test,bench]'`")
    return Path(found)


def interpreter_of(script: Path) -> str:
    first = script.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    return (
        first[2:].strip()
        if first.startswith("#!") and " " not in first[2:].strip()
        else sys.executable
    )


def tool(name: str, interpreter: str) -> Path | None:
    p = Path(interpreter).parent / name
    if p.is_file():
        return p
    found = shutil.which(name)
    return Path(found) if found else None


def byte_compile(python: str) -> None:
    """Byte-compile applc's own modules, as pip does when it installs a wheel.

    An editable install never writes them ahead of time, and with
    PYTHONDONTWRITEBYTECODE set (some CI images and sandboxes set it) no run ever does:
    every cold applc process would compile its modules from source again (about 200 ms
    here) while check-jsonschema, installed from a wheel, reads bytecode. The
    interpreter still reads `__pycache__` with the variable set.
    """
    where = subprocess.run(
        [python, "-c", "import applc, os; print(os.path.dirname(applc.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True, cwd=ROOT)


def has_command(applc: list[str], name: str) -> bool:
    proc = subprocess.run(applc + [name, "--help"], capture_output=True, check=False, cwd=ROOT)
    return proc.returncode == 0


def version_of(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return "?"
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else "?"


# --- inputs ---------------------------------------------------------------------------


def generator_hash() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]


def inputs_for(n: int, interpreter: str, dsl: bool, say: Callable[[str], None]) -> dict[str, Path]:
    """JSON, JSON with findings, and DSL files of `n` containers (cached)."""
    h = generator_hash()
    DATA.mkdir(parents=True, exist_ok=True)
    out = {
        "json": DATA / f"bench-{n}-{h}.appliance.json",
        "findings": DATA / f"bench-{n}-{h}-findings.appliance.json",
    }
    if dsl:
        out["dsl"] = DATA / f"bench-{n}-{h}.appl"
    for kind, path in out.items():
        if path.is_file():
            continue
        say(f"  generating {path.relative_to(ROOT)}")
        flags = {"json": [], "findings": ["--findings"], "dsl": ["--dsl"]}[kind]
        subprocess.run(
            [interpreter, str(GENERATOR), str(n), "-o", str(path), *flags], check=True, cwd=ROOT
        )
    for stale in DATA.glob("bench-*"):
        if f"-{h}" not in stale.name:
            stale.unlink()
    return out


# --- the benchmark --------------------------------------------------------------------


@dataclass
class SizeResult:
    n: int
    sizes: dict[str, int]
    commands: dict[str, Command]


def bench_size(
    n: int, rounds: int, env: Env, say: Callable[[str], None], warm: bool = True
) -> SizeResult:
    """Every command on `n` containers, `rounds` times; `warm` runs each once first (to
    compile bytecode), which the first size does for all the others."""
    files = inputs_for(n, env.python, env.dsl, say)
    sizes = {k: p.stat().st_size for k, p in files.items()}
    j, f = str(files["json"]), str(files["findings"])
    cmds = [
        Command("pass", "`python -c pass`", [env.python, "-c", "pass"]),
        Command(
            "floor", "JSON load floor", [env.python, "-c", FLOOR, j], input_bytes=sizes["json"]
        ),
        Command("lint", "`applc lint`", env.applc + ["lint", j], input_bytes=sizes["json"]),
        Command(
            "lint_findings",
            "`applc lint`, with findings",
            env.applc + ["lint", f],
            ok_codes=(1,),
            input_bytes=sizes["findings"],
        ),
    ]
    if env.check_jsonschema:
        cmds.append(
            Command(
                "cjs",
                "`check-jsonschema`",
                [env.check_jsonschema, "--schemafile", str(SCHEMA), j],
                input_bytes=sizes["json"],
            )
        )
    scratch = Path(tempfile.mkdtemp(prefix="applc-bench-"))
    try:
        if env.build:
            for t in TARGETS:
                cmds.append(
                    Command(
                        f"build_{t}",
                        f"`applc build --target {t}`",
                        env.applc + ["build", "--target", t, j, "-o", str(scratch / f"build-{t}")],
                        input_bytes=sizes["json"],
                    )
                )
        cmds.append(
            Command(
                "parse_json",
                "applc JSON front end",
                [env.python, "-c", FRONT_END, j],
                input_bytes=sizes["json"],
            )
        )
        if env.dsl:
            d = str(files["dsl"])
            cmds.append(
                Command(
                    "parse_dsl",
                    "applc DSL front end",
                    [env.python, "-c", FRONT_END, d],
                    input_bytes=sizes["dsl"],
                )
            )
            cmds.append(
                Command(
                    "lint_dsl",
                    "`applc lint` of the DSL form",
                    env.applc + ["lint", d],
                    input_bytes=sizes["dsl"],
                )
            )
        say(f"  {n:,} containers: {sizes['json'] / 1e6:.1f} MB of JSON, {rounds} round(s)")
        run_rounds(cmds, rounds, scratch, say, warm=warm)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return SizeResult(n, sizes, {c.key: c for c in cmds})


@dataclass
class Env:
    python: str
    applc: list[str]
    check_jsonschema: str | None
    build: bool
    dsl: bool


def cold_start(env: Env, rounds: int, say: Callable[[str], None]) -> dict[str, Command]:
    cmds = [
        Command("pass", "`python -c pass`", [env.python, "-c", "pass"]),
        Command("version", "`applc --version`", env.applc + ["--version"]),
        Command(
            "lint_seed",
            "`applc lint examples/mesos.appliance.json`",
            env.applc + ["lint", str(SEED_EXAMPLE)],
        ),
    ]
    if env.check_jsonschema:
        cmds.append(
            Command(
                "cjs_seed",
                "`check-jsonschema` of the seed example",
                [env.check_jsonschema, "--schemafile", str(SCHEMA), str(SEED_EXAMPLE)],
            )
        )
    say(f"  cold start, {rounds} rounds")
    scratch = Path(tempfile.mkdtemp(prefix="applc-bench-"))
    try:
        run_rounds(cmds, rounds, scratch, lambda s: None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {c.key: c for c in cmds}


def server_relint(rounds: int, say: Callable[[str], None]) -> float | None:
    """Median ms for `applc server` to publish the diagnostics of a DSL document of
    SERVER_CONTAINERS containers after one keystroke, over stdio with a real LSP client
    (benchmarks/bench_server.py); None without pygls."""
    import asyncio
    import importlib.util
    import logging

    spec = importlib.util.spec_from_file_location(
        "bench_server", ROOT / "benchmarks" / "bench_server.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        from applc.frontends.dsl.printer import to_dsl
    except ImportError:
        return None
    say(f"  language server, {SERVER_CONTAINERS} containers in the DSL, {rounds} edits")
    logging.disable(logging.CRITICAL)
    dsl = to_dsl(json.loads(mod.appliance_text(SERVER_CONTAINERS, True)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{SERVER_CONTAINERS}.appl"
        path.write_text(dsl, encoding="utf-8")
        try:
            samples = asyncio.run(mod.bench_end_to_end(dsl, path, rounds, "appl"))
        except ImportError:
            return None
    return float(statistics.median(samples) * 1000)


# --- the report -----------------------------------------------------------------------


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, TypeError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    ).stdout
    return proc.stdout.strip() + (" with uncommitted changes" if dirty.strip() else "")


@dataclass
class Goal:
    name: str
    value: str
    limit: str
    ok: bool | None  # None: could not be measured


def goals(
    results: list[SizeResult], cold: dict[str, Command], server: float | None = None
) -> list[Goal]:
    by_n = {r.n: r for r in results}
    out: list[Goal] = []
    r10 = by_n.get(10_000)
    if r10 is not None:
        lint = r10.commands["lint"]
        cjs = r10.commands.get("cjs")
        if cjs is not None:
            q = ratio(lint, cjs)
            out.append(
                Goal(
                    "lint of 10,000 containers against check-jsonschema's schema-only check",
                    f"{q:.2f}x",
                    "< 1x",
                    q < 1,
                )
            )
        else:
            out.append(Goal("lint against check-jsonschema", "not installed", "< 1x", None))
        q = ratio(lint, r10.commands["floor"])
        out.append(
            Goal(
                "lint of 10,000 containers against the JSON load floor",
                f"{q:.1f}x",
                "<= 6x",
                q <= 6,
            )
        )
        lint_dsl = r10.commands.get("lint_dsl")
        if lint_dsl is not None:
            q = ratio(lint_dsl, lint)
            out.append(
                Goal(
                    "lint of 10,000 containers, the DSL form against the JSON form",
                    f"{q:.2f}x",
                    "<= 1.5x",
                    q <= 1.5,
                )
            )
        k8s = r10.commands.get("build_kubernetes")
        if k8s is not None and cjs is not None:
            q = ratio(k8s, cjs)
            out.append(
                Goal(
                    "`applc build --target kubernetes` of 10,000 containers against "
                    "check-jsonschema's check",
                    f"{q:.2f}x",
                    "<= 1x",
                    q <= 1,
                )
            )
        marathon = r10.commands.get("build_marathon")
        if marathon is not None:
            above = (marathon.peak() - r10.commands["pass"].peak()) * 1024
            q = above / r10.sizes["json"]
            out.append(
                Goal(
                    "peak memory of `applc build --target marathon` above the baseline at "
                    "10,000 containers, against the file size",
                    f"{q:.1f}x",
                    "<= 10x",
                    q <= 10,
                )
            )
    for small, big in ((1_000, 10_000), (10_000, 50_000)):
        if small in by_n and big in by_n:
            t_small = by_n[small].commands["lint"].median()
            t_big = by_n[big].commands["lint"].median()
            scale = big / small
            limit = 12 * scale / 10
            q = t_big / t_small
            out.append(
                Goal(
                    f"lint time growth from {small:,} to {big:,} containers "
                    f"({scale:.0f}x the containers)",
                    f"{q:.1f}x",
                    f"<= {limit:g}x",
                    q <= limit,
                )
            )
    q = ratio(cold["lint_seed"], cold["pass"])
    out.append(
        Goal(
            "cold `applc lint` of the seed example against `python -c pass`",
            f"{q:.1f}x",
            "<= 6x",
            q <= 6,
        )
    )
    if "cjs_seed" in cold:
        q = ratio(cold["lint_seed"], cold["cjs_seed"])
        out.append(
            Goal(
                "cold `applc lint` of the seed example against check-jsonschema's cold check",
                f"{q:.2f}x",
                "<= 0.2x",
                q <= 0.2,
            )
        )
    if server is not None:
        out.append(
            Goal(
                f"language server re-lint of a {SERVER_CONTAINERS}-container DSL document "
                "after an edit, over stdio (median)",
                f"{server:.0f} ms",
                "< 30 ms",
                server < 30,
            )
        )
    base = None
    for n in (10_000, 50_000):
        r = by_n.get(n)
        if r is None:
            continue
        base = r.commands["pass"].peak()
        above = (r.commands["lint"].peak() - base) * 1024
        q = above / r.sizes["json"]
        out.append(
            Goal(
                f"peak memory of lint above the baseline at {n:,} containers, "
                "against the file size",
                f"{q:.1f}x",
                "< 8x",
                q < 8,
            )
        )
    return out


def peer_version(env: Env) -> str:
    if env.check_jsonschema is None:
        return "check-jsonschema not installed"
    return version_of([env.check_jsonschema, "--version"])


def report(
    results: list[SizeResult],
    cold: dict[str, Command],
    server: float | None,
    env: Env,
    started: dt.datetime,
    elapsed: float,
    quick: bool,
) -> str:
    lines: list[str] = []
    w = lines.append
    w(
        f"Measured {started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} minutes by "
        f"`python benchmarks/run.py{' --quick' if quick else ''}`, on {machine()}; "
        f"applc {version_of(env.applc + ['--version']).split()[-1]} at {commit()}; "
        f"{peer_version(env)}."
    )
    w("")
    w("### Goals")
    w("")
    w("| goal | measured | limit | met |")
    w("| --- | --- | --- | --- |")
    for g in goals(results, cold, server):
        mark = {True: "yes", False: "**no**", None: "not measured"}[g.ok]
        w(f"| {g.name} | {g.value} | {g.limit} | {mark} |")
    w("")
    w("### Cold start")
    w("")
    base = cold["pass"]
    w(
        f"Medians of {len(base.samples)} rounds. Peak memory is the process's maximum "
        'resident set; "above baseline" subtracts `python -c pass`\'s.'
    )
    w("")
    w("| command | median | against `python -c pass` | peak memory MiB | above baseline MiB |")
    w("| --- | --- | --- | --- | --- |")
    for c in cold.values():
        w(
            f"| {c.label} | {c.median() * 1000:.0f} ms | {ratio(c, base):.2f}x | "
            f"{mib(c.peak())} | {mib(c.peak() - base.peak())} |"
        )
    w("")
    w("### By size")
    w("")
    w(
        "Each size: medians over the rounds; ratios are medians of per-round ratios. The "
        "files are pretty-printed JSON as people write them (`indent=2`); the "
        "findings variant has a mistake in one container in 50."
    )
    for r in results:
        cmds = r.commands
        base = cmds["pass"]
        floor = cmds["floor"]
        cjs = cmds.get("cjs")
        rounds = len(base.samples)
        w("")
        w(
            f"#### {r.n:,} containers ({r.sizes['json'] / 1e6:.2f} MB of JSON"
            + (f", {r.sizes['dsl'] / 1e6:.2f} MB of DSL" if "dsl" in r.sizes else "")
            + f"; {rounds} round{'s' if rounds != 1 else ''})"
        )
        w("")
        w(
            "| command | median s | vs JSON load floor | vs check-jsonschema | "
            "peak above baseline MiB | peak / file size |"
        )
        w("| --- | --- | --- | --- | --- | --- |")
        for c in cmds.values():
            if c.key == "pass":
                continue
            if c.timed_out:
                vs_cjs = f"> {ratio(c, cjs):.0f}x" if cjs is not None else "n/a"
                w(
                    f"| {c.label} | over {TIMEOUT:.0f} (stopped) | > {ratio(c, floor):.0f}x | "
                    f"{vs_cjs} | n/a | n/a |"
                )
                continue
            above = c.peak() - base.peak()
            per_file = f"{above * 1024 / c.input_bytes:.1f}x" if c.input_bytes else ""
            vs_cjs = f"{ratio(c, cjs):.2f}x" if cjs is not None else "n/a"
            w(
                f"| {c.label} | {c.median():.3f} | {ratio(c, floor):.1f}x | {vs_cjs} | "
                f"{mib(above)} | {per_file} |"
            )
        if "parse_dsl" in cmds:
            w("")
            w(
                f"DSL front end against JSON load: {ratio(cmds['parse_dsl'], floor):.1f}x; "
                f"against applc's JSON front end: "
                f"{ratio(cmds['parse_dsl'], cmds['parse_json']):.1f}x."
            )
    if not GNU_TIME:
        w("")
        w(
            "GNU time was not found: peak memory figures are upper bounds that include the "
            "benchmark's own memory."
        )
    missing = []
    if not env.build:
        missing.append("`applc build` (not available in this checkout)")
    if not env.dsl:
        missing.append("the DSL (`applc convert --to dsl` not available in this checkout)")
    if missing:
        w("")
        w("Not measured: " + "; ".join(missing) + ".")
    return "\n".join(lines) + "\n"


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else f"{START}\n{END}\n"
    if START not in text or END not in text:
        raise SystemExit(f"{DOC} has no {START} ... {END} block to replace")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{block}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="100, 1,000 and 10,000 containers, 3 rounds; print, do not record",
    )
    ap.add_argument("--sizes", help="comma-separated container counts")
    ap.add_argument("--rounds", type=int, help="rounds per size below 50,000 containers")
    ap.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="record the results in docs/performance.md (default: unless --quick)",
    )
    ap.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="stop any one command after this long"
    )
    args = ap.parse_args(argv)
    globals()["TIMEOUT"] = args.timeout
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([100, 1_000, 10_000] if args.quick else [100, 1_000, 10_000, 50_000])
    )
    rounds = args.rounds or (3 if args.quick else 5)
    write = args.write if args.write is not None else not args.quick

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    script = applc_script()
    python = interpreter_of(script)
    byte_compile(python)
    applc = [str(script)]
    cjs = tool("check-jsonschema", python)
    if not SCHEMA.is_file():
        say(f"note: {SCHEMA.relative_to(ROOT)} is missing; skipping check-jsonschema")
        cjs = None
    env = Env(
        python,
        applc,
        str(cjs) if cjs else None,
        has_command(applc, "build"),
        has_command(applc, "convert"),
    )
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    say(f"applc: {script}; interpreter: {python}")
    cold = cold_start(env, 11 if args.quick else 31, say)
    results = []
    for n in sizes:
        results.append(bench_size(n, 1 if n >= 50_000 else rounds, env, say, warm=not results))
    server = server_relint(SERVER_ROUNDS if not args.quick else SERVER_ROUNDS // 2, say)
    text = report(results, cold, server, env, started, time.perf_counter() - t0, args.quick)
    print(text)
    (DATA / "last-results.json").write_text(
        json.dumps(
            {
                "started": started.isoformat(),
                "cold": {k: [vars(s) for s in c.samples] for k, c in cold.items()},
                "sizes": {
                    str(r.n): {
                        "bytes": r.sizes,
                        "commands": {
                            k: {"argv": c.argv, "samples": [vars(s) for s in c.samples]}
                            for k, c in r.commands.items()
                        },
                    }
                    for r in results
                },
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    if write:
        write_doc(text)
        say(f"recorded in {DOC.relative_to(ROOT)}")
    failed = [g for g in goals(results, cold, server) if g.ok is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
