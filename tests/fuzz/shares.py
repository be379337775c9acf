"""How often the fuzzer and the Hypothesis strategies reach each rule family.

    python -m tests.fuzz.shares [--examples N]

A generator that rarely gets past the parser tests the parser only. For each source of
inputs this prints the share of examples that parse, that reach a container with an id
and an image (so the container rules run), and that get a finding of each rule family.
docs/testing.md records a run.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterable

from applc.api import lint_text
from tests.conftest import EXAMPLES

FAMILIES: dict[str, Callable[[str], bool]] = {
    "structure": lambda c: c.startswith("APL1"),
    "references": lambda c: c in ("APL201", "APL202", "APL203", "APL204"),
    "dependencies": lambda c: c in ("APL211", "APL212"),
    "ports": lambda c: c.startswith("APL22"),
    "resources": lambda c: c.startswith("APL23"),
    "security": lambda c: c.startswith("APL3"),
}


def _reaches_a_container(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    cs = value.get("containers") if isinstance(value, dict) else None
    return isinstance(cs, list) and any(
        isinstance(c, dict) and isinstance(c.get("id"), str) and "image" in c for c in cs
    )


def shares(texts: Iterable[str]) -> dict[str, float]:
    counts = dict.fromkeys(["parses", "container", *FAMILIES, "any family"], 0)
    n = 0
    for text in texts:
        n += 1
        codes = {d.code for d in lint_text("x.json", text)[1]}
        counts["parses"] += "APL001" not in codes
        counts["container"] += _reaches_a_container(text)
        for family, member in FAMILIES.items():
            counts[family] += any(member(c) for c in codes)
        counts["any family"] += any(m(c) for m in FAMILIES.values() for c in codes)
    return {k: v / max(n, 1) for k, v in counts.items()}


def fuzzer_texts(n: int, seed: int = 1) -> Iterable[str]:
    """What tests/fuzz/fuzz.py lints: the bundled examples, mutated (small scale)."""
    from tests.fuzz.mutations import mutate

    rng = random.Random(seed)
    files = sorted(EXAMPLES.glob("*.appliance.json"))
    for _ in range(n):
        data, _ = mutate(rng.choice(files).read_bytes(), rng, 0.001)
        yield data.decode("utf-8", "replace")


def strategy_texts(strategy, n: int) -> list[str]:
    from hypothesis import HealthCheck, given, settings

    out: list[str] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(text: str) -> None:
        out.append(text)

    collect()
    return out


def main() -> None:
    from hypothesis import strategies as st

    from tests.test_lint_properties import edited_texts, mutated_appliances, shaped

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=300)
    n = ap.parse_args().examples
    sources = {
        "long fuzzer (mutated examples)": list(fuzzer_texts(n)),
        "arbitrary shapes (before)": strategy_texts(
            st.dictionaries(
                st.sampled_from(["id", "containers"]) | st.text(max_size=6), shaped, max_size=4
            ).map(json.dumps),
            n,
        ),
        "arbitrary text (before)": strategy_texts(st.text(), n),
        "mutated valid appliances": strategy_texts(mutated_appliances().map(json.dumps), n),
        "edited appliance text": strategy_texts(edited_texts(), n),
    }
    cols = ["parses", "container", *FAMILIES, "any family"]
    print("| source | " + " | ".join(cols) + " |")
    print("| --- |" + " --- |" * len(cols))
    for name, texts in sources.items():
        got = shares(texts)
        print(f"| {name} | " + " | ".join(f"{got[c]:.0%}" for c in cols) + " |")


if __name__ == "__main__":
    main()
