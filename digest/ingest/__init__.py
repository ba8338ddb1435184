"""Inputs to articles: files, folders, URLs, page dumps, records, feeds, OPML lists and pages.

Two entry points:

- ``read_inputs(locations, captured)``: what ``digest build --input`` reads. Files and folders
  are read locally (never a fetch, even for a feed whose items are teasers); ``http(s)://``
  locations are fetched through ``digest.ingest.fetch`` (see ``digest.ingest.sources.read_urls``).
- ``ingest_sources(settings, store, now)``: what ``digest run`` calls for the configured
  ``[[sources]]``; stores the articles and records each source's health (``SourcesResult``).

A bad file, item or URL is skipped and counted (``IngestResult.skipped``), never fatal; a local
location that does not exist at all is a usage error (``InputError``). Each input kind lives in
its own module; ``fetch`` (with ``guard``, the address guard and ``FetchPolicy``) is all network I/O.

May import: ``digest.models``, ``digest.errors``, ``digest.config``, ``digest.text``, ``digest.workers``
and ``digest.store`` (``sources`` records each source's health); never the stages after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Article, Skip
from ..workers import map_in_order, worker_count
from .common import copy_id
from .files import SUFFIXES, iter_files, read_file

if TYPE_CHECKING:
    from .fetch import FetchPolicy
    from .sources import SourceOutcome, SourcesResult, ingest_sources

# The sources side (the store through SQLAlchemy, fetching through httpx: ~0.4 s of imports) is
# loaded on first use, so that reading local files -- `digest summarize`, whose whole-process
# time benchmarks/bench_summarize.py measures -- does not pay for it.
_LAZY = frozenset({"SourceOutcome", "SourcesResult", "ingest_sources"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import sources

        return getattr(sources, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SUFFIXES",
    "IngestResult",
    "SourceOutcome",
    "SourcesResult",
    "ingest_sources",
    "read_file",
    "read_inputs",
]

LOGGER = logging.getLogger(__name__)
# Below this many local files one process reads them: starting workers costs more than it saves (a
# page takes trafilatura ~50 ms, a file of 1,000 records ~0.2 s; workers start in ~0.5 s).
PARALLEL_MIN_FILES = 32


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Articles read (duplicates by id removed, first kept) and inputs skipped."""

    articles: tuple[Article, ...]
    skipped: tuple[Skip, ...]


def _read_listed(work: tuple[Path, str, dt.datetime]) -> list[Article | Skip]:
    """read_file for a worker process: the whole result, to send back."""
    return list(read_file(*work))


def _is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def read_inputs(
    locations: Iterable[str],
    captured: dt.datetime,
    *,
    policy: FetchPolicy | None = None,
    allow: tuple[str, ...] = (),
    jobs: int | None = 1,
) -> IngestResult:
    """Read every location (files, folders, http(s) URLs); page-dump relative times count back from captured.

    URLs are fetched under policy (default: the standard limits), with allow (``[fetch] allow``)
    added to its private addresses that may be fetched. jobs: processes that parse the local files
    (None: every core once there are PARALLEL_MIN_FILES of them); the result is the same for any
    value. Raises InputError for a local location that does not exist.
    """
    articles: dict[str, Article] = {}
    skipped: list[Skip] = []

    def take(items: Iterable[Article | Skip]) -> None:
        for item in items:
            if isinstance(item, Skip):
                LOGGER.warning("skipped %s: %s", item.source, item.reason)
                skipped.append(item)
            elif item.id not in articles:
                articles[item.id] = item
            elif articles[item.id].source != item.source:
                # The same text read from another file (identical wire copies without a URL): kept under its
                # own id so that dedup lists it under its twin and every article read is accounted for.
                copy = dataclasses.replace(item, id=copy_id(item.id, item.source))
                articles.setdefault(copy.id, copy)

    locations = list(locations)
    urls = [loc for loc in locations if _is_url(loc)]
    files = [found for location in locations if not _is_url(location) for found in iter_files(location)]
    # Each file is parsed on its own (feeds, pages, records, language detection), by worker processes on
    # a big input; results are taken in the files' order, so the day is the same for any jobs.
    workers = worker_count(jobs, len(files) >= PARALLEL_MIN_FILES)
    work = [(path, source, captured) for path, source in files]
    for items in map_in_order(_read_listed, work, workers, chunksize=max(1, len(work) // (workers * 8))):
        take(items)
    if urls:
        from .fetch import DEFAULT_POLICY
        from .sources import read_urls

        base = policy or DEFAULT_POLICY
        take(read_urls(urls, captured, replace(base, allow=(*base.allow, *allow))))
    return IngestResult(tuple(articles.values()), tuple(skipped))
