"""Inputs to articles: files, folders, page dumps, records, feeds and pages.

``read_inputs(locations, captured)`` is the one entry point; each input kind lives in its own
module. A bad file is skipped and counted (``IngestResult.skipped``), never fatal; a location
that does not exist at all is a usage error (``InputError``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..models import Article, Skip
from .dump import is_page_dump, parse_page_dump
from .feed import is_json_feed, parse_feed, parse_json_feed
from .page import parse_html_page
from .plaintext import parse_text_article
from .records import parse_json_records, parse_jsonl_records

__all__ = ["SUFFIXES", "IngestResult", "read_file", "read_inputs"]

LOGGER = logging.getLogger(__name__)
SUFFIXES = frozenset({".txt", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom"})
MAX_FILE_BYTES = 20 * 1024 * 1024  # no single article file is this big; refuse rather than load it


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Articles read (duplicates by id removed, first kept) and inputs skipped."""

    articles: tuple[Article, ...]
    skipped: tuple[Skip, ...]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_file(path: Path, source: str, captured: dt.datetime) -> Iterator[Article | Skip]:
    """Articles (or skips) from one file, by its suffix and shape."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Skip(
                source,
                f"file is {size // 1_000_000} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skip(source, f"cannot read file: {exc.strerror or exc}")
        return
    suffix = path.suffix.lower()
    try:
        if suffix in {".xml", ".rss", ".atom"}:
            yield from parse_feed(data, source)
            return
        text = _decode(data)
        if suffix == ".jsonl":
            yield from parse_jsonl_records(text, source)
        elif suffix == ".json":
            yield from (parse_json_feed if is_json_feed(text) else parse_json_records)(text, source)
        elif suffix in {".html", ".htm"}:
            yield parse_html_page(text, source)
        elif is_page_dump(text):
            yield from parse_page_dump(text, source, captured)
        else:
            article = parse_text_article(text, source, published=None)
            yield article if article else Skip(source, "file holds no text")
    except InputError as exc:
        yield Skip(source, str(exc))
    except (ValueError, RecursionError, UnicodeError) as exc:  # malformed input deep in a parser
        yield Skip(source, f"cannot parse: {type(exc).__name__}: {exc}")


def _files(location: str) -> Iterator[tuple[Path, str]]:
    path = Path(location)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
            yield child, str(child)
    elif path.is_file():
        yield path, location
    elif location.startswith(("http://", "https://")):
        raise InputError(f"{location}: fetching URLs is not supported yet; save the page and pass the file")
    else:
        raise InputError(f"input {location} does not exist")


def read_inputs(locations: Iterable[str], captured: dt.datetime) -> IngestResult:
    """Read every location (files, folders); page-dump relative times count back from captured.

    Raises InputError for a location that does not exist.
    """
    articles: dict[str, Article] = {}
    skipped: list[Skip] = []
    for location in locations:
        for path, source in _files(location):
            for item in read_file(path, source, captured):
                if isinstance(item, Skip):
                    LOGGER.warning("skipped %s: %s", item.source, item.reason)
                    skipped.append(item)
                elif item.id not in articles:
                    articles[item.id] = item
    return IngestResult(tuple(articles.values()), tuple(skipped))
