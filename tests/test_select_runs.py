"""digest.summaries.coverage's longest shared run of terms, against the plain quadratic definition."""

from __future__ import annotations

import random

from digest.summaries.coverage import _longest_run


def _reference(a: list[int], b: list[int]) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def test_longest_run_matches_the_definition() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        a = [rng.randint(0, 6) for _ in range(rng.randint(0, 15))]
        b = [rng.randint(0, 6) for _ in range(rng.randint(0, 15))]
        assert _longest_run(a, b) == _reference(a, b), (a, b)
    assert _longest_run([1, 2, 3, 9, 4], [0, 1, 2, 3, 4]) == 3
    assert _longest_run([], [1]) == 0
