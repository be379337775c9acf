"""How fast the DSL front end reads an appliance, against the JSON front end.

For 1,000 and 10,000 containers, builds one appliance, writes it as JSON and as DSL
(with applc's own converter), then times, in the same process and interleaved run by
run:

- `dsl`: `load_dsl`, the DSL front end (the line reader, applc/frontends/dsl/fast.py,
  which builds the value; positions are found later, only where a finding needs one);
- `dsl full road`: `parse_dsl`, the LALR parser and builder with every position, which
  reads the files the line reader declines (mistakes, unusual layouts);
- `json`: `load_json`, applc's JSON front end (`json.loads` plus its checks);
- `json.loads`: the standard library alone, for scale.

It prints the median of several runs of each, the ratio of the medians, and the DSL's
time per container at each size (flat when parsing grows linearly with the file).

    python benchmarks/bench_dsl.py [--runs 5] [--sizes 1000,10000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from applc.convert import to_dsl_text  # noqa: E402
from applc.frontends.dsl import load_dsl, parse_dsl  # noqa: E402
from applc.frontends.dsl.parser import get_lark  # noqa: E402
from applc.frontends.json_loader import load_json  # noqa: E402


def container(i: int) -> dict[str, Any]:
    """A realistic container: services and jobs, ports, env, refs, volumes, checks."""
    kind = i % 4
    cid = f"svc-{i}"
    c: dict[str, Any] = {
        "id": cid,
        "type": "job" if kind == 3 else "service",
        "image": f"registry.example.com/team/app-{i % 17}:1.{i % 9}.{i % 5}",
        "resources": {"cpus": 1 + i % 3, "mem": 512 * (1 + i % 4), "disk": 1024},
        "network_mode": "BRIDGE" if kind == 3 else "CONTAINER",
        "env": {
            "LOG_LEVEL": "info",
            "UPSTREAM": f"http://@svc-{max(i - 1, 0)}:8080/api",
            "REPLICA": str(i),
        },
        "dependencies": [f"svc-{i - 1}"] if i else [],
    }
    if kind != 3:
        c["ports"] = [{"container_port": 8080, "host_port": 0, "protocol": "tcp", "name": "http"}]
        c["health_check"] = {
            "protocol": "MESOS_HTTP",
            "path": "/health",
            "port_index": 0,
            "grace_period_seconds": 60,
        }
        c["instances"] = 1 + i % 3
    else:
        c["cmd"] = f"run-batch --shard {i} --upstream @svc-{max(i - 1, 0)}"
        c["retries"] = 2
        c["interval"] = "T1H"
    if kind == 1:
        c["args"] = ["--port=8080", f"--peer=@svc-{max(i - 1, 0)}:8080", "--verbose"]
        c["volumes"] = [{"src": f"/srv/data/{i}", "dest": "/data", "type": "HOST"}]
    return c


def appliance(n: int) -> dict[str, Any]:
    return {"id": "bench", "containers": [container(i) for i in range(n)]}


def timed(fn: Any, *args: Any) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each reader (default 5)")
    ap.add_argument("--sizes", default="1000,10000", help="container counts")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    start = time.perf_counter()
    get_lark()  # grammar and parse tables: loaded once per process (cached on disk)
    warm = time.perf_counter() - start

    results: list[dict[str, Any]] = []
    for n in sizes:
        value = appliance(n)
        json_bytes = json.dumps(value, indent=2).encode()
        dsl_bytes = to_dsl_text(value).encode()
        doc = load_dsl("bench.appl", dsl_bytes)
        assert doc.value == value and not doc.findings, "the DSL must read back the value"
        times: dict[str, list[float]] = {
            "dsl": [],
            "dsl full road": [],
            "json": [],
            "json.loads": [],
        }
        dsl_text = dsl_bytes.decode()
        for _ in range(args.runs):
            times["dsl"].append(timed(load_dsl, "bench.appl", dsl_bytes))
            times["dsl full road"].append(timed(parse_dsl, dsl_text))
            times["json"].append(timed(load_json, "bench.json", json_bytes))
            times["json.loads"].append(timed(json.loads, json_bytes))
        med = {k: statistics.median(v) for k, v in times.items()}
        results.append(
            {
                "containers": n,
                "dsl_bytes": len(dsl_bytes),
                "json_bytes": len(json_bytes),
                "median_seconds": med,
                "dsl_over_json": med["dsl"] / med["json"],
                "full_road_over_json": med["dsl full road"] / med["json"],
                "dsl_over_json_loads": med["dsl"] / med["json.loads"],
                "dsl_microseconds_per_container": med["dsl"] / n * 1e6,
                "runs": args.runs,
            }
        )

    if args.json:
        print(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "lark_load_seconds": warm,
                    "results": results,
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Python {platform.python_version()}; lark grammar loaded in {warm * 1000:.0f} ms "
        f"(once per process); medians of {args.runs} runs"
    )
    print(
        f"{'containers':>10} {'DSL KiB':>8} {'JSON KiB':>8} {'dsl s':>8} {'full s':>8} "
        f"{'json s':>8} {'json.loads s':>12} {'dsl/json':>9} {'full/json':>9} {'dsl/loads':>9} "
        f"{'µs/container':>12}"
    )
    for r in results:
        m = r["median_seconds"]
        print(
            f"{r['containers']:>10} {r['dsl_bytes'] / 1024:>8.0f} {r['json_bytes'] / 1024:>8.0f} "
            f"{m['dsl']:>8.3f} {m['dsl full road']:>8.3f} {m['json']:>8.3f} "
            f"{m['json.loads']:>12.4f} {r['dsl_over_json']:>9.1f} {r['full_road_over_json']:>9.1f} "
            f"{r['dsl_over_json_loads']:>9.1f} "
            f"{r['dsl_microseconds_per_container']:>12.0f}"
        )
    if len(results) > 1:
        a, b = results[0], results[-1]
        growth = b["median_seconds"]["dsl"] / a["median_seconds"]["dsl"]
        size = b["containers"] / a["containers"]
        print(
            f"DSL time grew {growth:.1f}x for {size:.0f}x the containers "
            f"(linear would be {size:.0f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
