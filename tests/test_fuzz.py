"""Bounded fuzzing: mutated examples never crash lint or build, and positions agree.

A short, deterministic slice of what `tests/fuzz/fuzz.py` does for ten minutes: the
bundled examples, mutated (byte flips, truncation, deleted and duplicated keys, wrong
types, nesting 100,000 levels deep, numbers like 1e999 and -0, invalid UTF-8, a big
string, NaN), linted and built through the CLI in this process. Every run must end with
exit 0 or 1, readable diagnostics inside the file, and an output folder that holds the
old files or complete new ones. A slice of the hostile file systems too: ids that try to
leave the output folder, and output and searched folders full of links, fifos and
devices.
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applc.cli import main
from applc.frontends.json_scanner import JsonIndex, scan
from tests.conftest import EXAMPLES, Run
from tests.fuzz.checks import check_build, check_edited, check_lint, snapshot
from tests.fuzz.hostile import CASES as HOSTILE_CASES
from tests.fuzz.mutations import MUTATIONS, mutate
from tests.support.growth import hang_guard

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.appliance.json"))
CLEAN_EXAMPLES = [
    p for p in EXAMPLE_FILES if p.stem.split(".")[0] in ("workflow", "spark", "jupyter")
]
SCALE = 0.02  # a 1 MB string instead of 50 MB; nesting stays 100,000 levels deep
HANG_GUARD = 120  # seconds: a hang, not a speed limit (speed is benchmarks/' business)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def run_cli(args: list[str]) -> Run:
    """`applc ARGS` in this process, through `main` as the console script runs it (with
    its stream set-up and its last line of defence), so an internal error shows up as
    exit 2 and its message rather than as an exception."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["applc", *args], out, err
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    texts = [s.buffer.getvalue().decode("utf-8", "replace") for s in (out, err)]  # type: ignore[attr-defined]
    return Run(code, texts[0], texts[1])


def lint_bytes(tmp_path: Path, data: bytes, name: str = "fuzz.appliance.json") -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with hang_guard(HANG_GUARD):
        run = run_cli(["lint", "-f", "json", str(path)])
    check_lint(data, run.code, run.stdout, run.stderr)


@FUZZ
@given(
    example=st.sampled_from(EXAMPLE_FILES),
    seed=st.integers(0, 2**32 - 1),
    name=st.sampled_from(sorted(MUTATIONS)) | st.none(),
)
def test_lint_survives_mutated_examples(tmp_path_factory, example, seed, name):
    rng = random.Random(seed)
    data, _ = mutate(example.read_bytes(), rng, SCALE, [name] if name else None)
    lint_bytes(tmp_path_factory.mktemp("lint"), data)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_each_mutation_at_full_scale_once(tmp_path, name):
    """The real sizes once each: a 50 MB string, 100,000 levels of nesting."""
    rng = random.Random(name)
    data = MUTATIONS[name](EXAMPLES.joinpath("workflow.appliance.json").read_bytes(), rng, 1.0)
    lint_bytes(tmp_path, data)


@FUZZ
@given(
    example=st.sampled_from(CLEAN_EXAMPLES),
    seed=st.integers(0, 2**32 - 1),
    target=st.sampled_from(["marathon", "compose", "kubernetes"]),
)
def test_build_survives_mutated_examples(tmp_path_factory, example, seed, target):
    tmp = tmp_path_factory.mktemp("build")
    out = tmp / "out"
    first = run_cli(["build", "--target", target, str(example), "-o", str(out), "-q"])
    assert first.code == 0, first.stderr
    before = snapshot(out)
    rng = random.Random(seed)
    data, _ = mutate(example.read_bytes(), rng, SCALE)
    src = tmp / example.name
    src.write_bytes(data)
    run = run_cli(["build", "--target", target, str(src), "-o", str(out), "-q"])
    check_build(before, out, run.code, run.stderr)


@settings(FUZZ, max_examples=60)
@given(
    example=st.sampled_from(EXAMPLE_FILES),
    seed=st.integers(0, 2**32 - 1),
    how=st.sampled_from([["--fix"], ["--fix", "--unsafe-fixes"], ["--add-ignore"]]),
)
def test_fix_and_add_ignore_survive_mutated_examples(tmp_path_factory, example, seed, how):
    """A fixed file that parsed still parses; added ignores bring no new finding."""
    rng = random.Random(seed)
    data, _ = mutate(example.read_bytes(), rng, SCALE)
    path = tmp_path_factory.mktemp("edit") / example.name
    path.write_bytes(data)
    before = run_cli(["lint", "-f", "json", str(path)])
    edited = run_cli(["lint", "-q", *how, str(path)])
    after = run_cli(["lint", "-f", "json", str(path)])
    check_lint(path.read_bytes(), after.code, after.stdout, after.stderr)
    kind = "add-ignore" if how == ["--add-ignore"] else "fix"
    check_edited(
        kind, json.loads(before.stdout), json.loads(after.stdout), edited.code, edited.stderr
    )


# --- the position index agrees with the full scanner --------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet='ab/~\\"é', max_size=3), children, max_size=4)
    ),
    max_leaves=25,
)
spaces = st.sampled_from(["", " ", "\n", "\t ", "\r\n  "])


@st.composite
def json_texts(draw):
    """JSON text with arbitrary whitespace and, sometimes, duplicate keys."""

    def emit(v):
        ws = draw(spaces)
        if isinstance(v, dict):
            items = [
                (json.dumps(k, ensure_ascii=draw(st.booleans())), emit(x)) for k, x in v.items()
            ]
            if items and draw(st.booleans()):
                items.append((items[0][0], emit(draw(scalars))))
            return (
                "{"
                + ws
                + ("," + ws).join(f"{k}{ws}:{draw(spaces)}{x}" for k, x in items)
                + ws
                + "}"
            )
        if isinstance(v, list):
            return "[" + ws + ("," + draw(spaces)).join(emit(x) for x in v) + ws + "]"
        return json.dumps(v, ensure_ascii=draw(st.booleans()))

    return draw(spaces) + emit(draw(values)) + draw(spaces)


def _replaced(full, pointer: str) -> bool:
    """Whether the scanner's `pointer` lies in a value a later duplicate key replaced:
    some node on the way down is not inside the (final) value of its parent."""
    p = pointer
    while p:
        parent = p[: p.rfind("/")]
        start, end = full.values[parent]
        node = full.keys.get(p) or full.values[p]
        if not start <= node[0] < end:
            return True
        p = parent
    return False


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=json_texts(), data=st.data())
def test_position_index_agrees_with_the_scanner(text, data):
    full = scan(text)
    index = JsonIndex(text, duplicates=bool(full.duplicates))
    pointers = data.draw(st.permutations(sorted(full.values)))
    if full.duplicates:
        # The scanner also keeps nodes inside a value that a later duplicate replaced;
        # compare what both must agree on: where each duplicated key is, both times.
        for p in full.duplicates:
            if _replaced(full, p):
                continue  # inside a value that a later duplicate replaced
            assert index.key_range(p) == full.keys[p], p
            assert index.first_key_range(p) == full.first_keys[p], p
        return
    for p in pointers:
        assert index.value_range(p) == full.values[p], p
        assert index.key_range(p) == full.keys.get(p), p
        if text[full.values[p][0]] == '"':
            n = len(json.loads(text[slice(*full.values[p])]))
            for i in {0, n // 2, n}:
                assert index.string_offset(p, i) == full.string_offset(p, i), (p, i)
    assert index.value_range("/no/such/pointer") is None


def _subprocess_runner(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """The real command in a child process, stopped (exit -9) if it hangs: a fifo in the
    scene must not hang the test-suite even when applc regresses."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(EXAMPLES.parent), "GIT_CEILING_DIRECTORIES": "/"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "applc", *argv],
            cwd=cwd,
            capture_output=True,
            timeout=60,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -9, "", "killed after 60 s"
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@settings(FUZZ, max_examples=24)
@given(
    example=st.sampled_from(CLEAN_EXAMPLES),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(sorted(HOSTILE_CASES)),
)
def test_hostile_ids_output_folders_and_searched_folders(tmp_path_factory, example, seed, kind):
    """Ids that try to name files outside the output folder; output folders holding
    links out, fifos, devices, read-only and hard-linked files and forged manifests;
    folders to search holding the same (tests/fuzz/hostile.py)."""
    work = tmp_path_factory.mktemp("hostile")
    value = json.loads(example.read_text(encoding="utf-8"))
    HOSTILE_CASES[kind](value, work, random.Random(seed), _subprocess_runner)
