"""Growth ratios instead of wall-clock limits.

A shared, noisy machine makes "this takes under N seconds" flaky, and the project
measures speed with benchmarks (``benchmarks/``). What a test can pin reliably is the
*shape* of the cost: time the same operation on an input of size n and of size 4n in
the same process, and bound the ratio. Linear work gives about 4, quadratic about 16.
Each size is timed a few times and the fastest run kept, since noise only ever adds
time, and the time is this process's CPU time, which other processes running on the same
cores do not inflate. A generous alarm guards against a hang; it is not a speed limit.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

#: Linear work gives a ratio near 4 (less when a fixed cost dominates), quadratic 16.
LINEAR = 9.0
#: Only a hang guard: seconds a whole growth measurement may take.
HANG_GUARD = 300


def best_time(op: Callable[[T], object], arg: T, repeat: int = 3) -> float:
    """The fastest of at least `repeat` runs; quick operations run until a quarter of
    a second has passed (at most 50 times), so one scheduler hiccup cannot decide."""
    best = float("inf")
    spent = 0.0
    runs = 0
    while runs < repeat or (spent < 0.25 and runs < 50):
        start = time.process_time()
        op(arg)
        took = time.process_time() - start
        best = min(best, took)
        spent += took
        runs += 1
    return best


def growth_ratio(
    make: Callable[[int], T], op: Callable[[T], object], n: int, repeat: int = 3
) -> float:
    """time(op(make(4n))) / time(op(make(n))), each the fastest of `repeat` runs;
    building the input is not timed."""
    with hang_guard():
        small, big = make(n), make(4 * n)
        op(small)  # warm caches and lazy imports before timing anything
        return best_time(op, big, repeat) / max(best_time(op, small, repeat), 1e-9)


def assert_linear(
    make: Callable[[int], T], op: Callable[[T], object], n: int, bound: float = LINEAR
) -> None:
    ratio = growth_ratio(make, op, n)
    if ratio >= bound:
        # One more measurement before failing: a burst of load on a shared machine
        # can slow one side; a quadratic algorithm fails both.
        ratio = min(ratio, growth_ratio(make, op, n))
    assert ratio < bound, f"4x the input took {ratio:.1f}x the time (linear is about 4)"


class _Hung(Exception):
    pass


class hang_guard:
    """Fail (instead of hanging the suite) when the block runs past `seconds`."""

    def __init__(self, seconds: int = HANG_GUARD) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        if not hasattr(signal, "setitimer"):
            return

        def stop(signum: int, frame: object) -> None:
            raise _Hung

        self.previous = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, kind: type[BaseException] | None, exc: object, tb: object) -> bool:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        if kind is _Hung:
            pytest.fail(f"still running after {self.seconds} s: a hang, not a slow machine")
        return False
