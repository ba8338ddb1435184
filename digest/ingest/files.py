"""Local files to articles: by suffix and shape. Reading a file never touches the network."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..models import Article, Skip
from .dump import is_page_dump, parse_page_dump
from .plaintext import parse_text_article
from .records import parse_json_records, parse_jsonl_records

__all__ = ["SUFFIXES", "decode_text", "iter_files", "read_file"]

LOGGER = logging.getLogger(__name__)
SUFFIXES = frozenset({".txt", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom", ".rdf", ".opml"})
MAX_FILE_BYTES = 20 * 1024 * 1024  # no single article file is this big; refuse rather than load it


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# The feed, OPML and HTML readers (feedparser, lxml, trafilatura: ~0.5 s of imports together) are
# imported in _parse when a file needs them, so that reading plain-text folders -- what
# `digest summarize --batch` does (benchmarks/bench_summarize.py) -- does not pay for them.


def _opml_skip(data: bytes, source: str) -> Skip:
    from .opml import parse_opml

    try:
        count = len(parse_opml(data, source))
    except InputError as exc:
        return Skip(source, str(exc), "not-a-feed")
    return Skip(
        source,
        f"OPML list of {count} feeds, not articles; add it as a [[sources]] path to fetch them",
        "opml",
    )


def _parse(data: bytes, path: Path, source: str, captured: dt.datetime) -> Iterator[Article | Skip]:
    suffix = path.suffix.lower()
    if suffix in {".opml", ".xml", ".rss", ".atom", ".rdf"}:
        from .feed import parse_feed
        from .opml import is_opml

        if suffix == ".opml" or is_opml(data):
            yield _opml_skip(data, source)
        else:
            yield from parse_feed(data, source)
        return
    text = decode_text(data)
    if suffix == ".jsonl":
        yield from parse_jsonl_records(text, source)
    elif suffix == ".json":
        from .feed import is_json_feed, parse_json_feed

        yield from (parse_json_feed if is_json_feed(text) else parse_json_records)(text, source)
    elif suffix in {".html", ".htm"}:
        from .page import parse_html_page

        yield parse_html_page(text, source)
    elif is_page_dump(text):
        yield from parse_page_dump(text, source, captured)
    else:
        article = parse_text_article(text, source, published=None)
        yield article if article else Skip(source, "file holds no text", "no-text")


def read_file(path: Path, source: str, captured: dt.datetime) -> Iterator[Article | Skip]:
    """Articles (or skips) from one file, by its suffix and shape; never raises for bad content."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Skip(
                source, f"file is {size // 1_000_000} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit", "too-large"
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skip(source, f"cannot read file: {exc.strerror or exc}", "unreadable")
        return
    try:
        yield from _parse(data, path, source, captured)
    except InputError as exc:
        yield Skip(source, str(exc), "unreadable")
    except (ValueError, RecursionError, UnicodeError, LookupError, TypeError, AttributeError) as exc:
        # Malformed input deep in a third-party parser (feedparser, lxml, trafilatura): one bad file
        # is skipped and counted, never the end of a run.
        LOGGER.debug("parser failed on %s", source, exc_info=True)
        yield Skip(source, f"cannot parse: {type(exc).__name__}: {str(exc)[:200]}", "unreadable")


def iter_files(location: str) -> Iterator[tuple[Path, str]]:
    """(path, source) of a file, or of every input file under a folder, in sorted order.

    Raises InputError when the location does not exist.
    """
    path = Path(location)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
            yield child, str(child)
    elif path.is_file():
        yield path, location
    else:
        raise InputError(f"input {location} does not exist")
