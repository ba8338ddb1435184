"""Worker processes for the independent parts of a build (parsing input files, writing summaries).

One rule for every stage that fans out: how many workers a ``jobs`` setting means, and a map whose
results come back in the order of its inputs, so that the output is the same for any number of
workers. Standard library only: any stage may import it.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["map_in_order", "worker_count"]

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def worker_count(jobs: int | None, worth_it: bool) -> int:
    """Processes to use: jobs as given (at least 1), or with jobs None every core when worth_it, else 1."""
    if jobs is None:
        return (os.cpu_count() or 1) if worth_it else 1
    return max(1, jobs)


def map_in_order(fn: Callable[[_In], _Out], items: Sequence[_In], jobs: int, chunksize: int = 1) -> Iterator[_Out]:
    """fn over items, in items' order: in this process when jobs is 1 or there is one item, else in jobs workers.

    fn and the items must pickle. Workers start with forkserver: clean processes, with no copy of
    this one's threads or locks, on every Python version.
    """
    if jobs <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    context = multiprocessing.get_context("forkserver")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        yield from pool.map(fn, items, chunksize=chunksize)
