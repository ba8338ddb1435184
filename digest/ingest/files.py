"""Local files to articles: by suffix and shape. Reading a file never touches the network."""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..models import Article, Skip
from .common import require_text, sanitize_text
from .dump import is_page_dump, parse_page_dump
from .plaintext import parse_text_article
from .records import parse_json_records, parse_jsonl_records

__all__ = ["SUFFIXES", "decode_text", "display_path", "iter_files", "read_file"]

LOGGER = logging.getLogger(__name__)
SUFFIXES = frozenset({".txt", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom", ".rdf", ".opml"})
MAX_FILE_BYTES = 20 * 1024 * 1024  # no single article file is this big; refuse rather than load it


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_RE = re.compile(rb"""(?:encoding|charset)\s*=\s*["']?([A-Za-z0-9._:-]{2,40})""", re.IGNORECASE)
# Text with NUL in this share of its odd (or even) bytes and few elsewhere is UTF-16 without a BOM:
# ASCII-range text in UTF-16 has a NUL in every other byte; no 8-bit encoding has many NULs.
UTF16_NUL_SHARE = 0.3


def _utf16_without_bom(head: bytes) -> str:
    even, odd = head[0::2], head[1::2]
    if len(head) < 8:
        return ""
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul >= UTF16_NUL_SHARE and even_nul < UTF16_NUL_SHARE / 3:
        return "utf-16-le"
    if even_nul >= UTF16_NUL_SHARE and odd_nul < UTF16_NUL_SHARE / 3:
        return "utf-16-be"
    return ""


def decode_text(data: bytes) -> str:
    """Text of a file, whatever its encoding; never raises.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32), UTF-16 without one, strict UTF-8, the
    charset the document declares (XML ``encoding=``, HTML ``charset=``), mostly-UTF-8 text with a
    few bad bytes (kept as UTF-8, the bad bytes replaced), then Windows-1252, then Latin-1.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    wide = _utf16_without_bom(data[:4096])
    if wide:
        return data.decode(wide, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_RE.search(data[:2048])
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
            if name not in {"utf-8", "utf-16", "utf-32"} and not name.startswith("utf"):
                return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    # Mostly well-formed multi-byte UTF-8 (twice as many good characters as bad bytes) is UTF-8 with
    # a few damaged bytes; Windows-1252 text, whose accented letters are all bad bytes, is not.
    if bad and 2 * bad <= sum(1 for c in lenient if c > "\x7f") - bad:
        return lenient
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def display_path(path: Path) -> str:
    """A path as text for reports and the store: bytes that are not UTF-8 shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


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
        for item in _parse(data, path, source, captured):
            yield require_text(item)
    except InputError as exc:
        yield Skip(source, str(exc), "unreadable")
    except (ValueError, RecursionError, UnicodeError, LookupError, TypeError, AttributeError, OverflowError) as exc:
        # Malformed input deep in a third-party parser (feedparser, lxml, trafilatura): one bad file
        # is skipped and counted, never the end of a run.
        LOGGER.debug("parser failed on %s", source, exc_info=True)
        yield Skip(source, f"cannot parse: {type(exc).__name__}: {sanitize_text(str(exc))[:200]}", "unreadable")


def iter_files(location: str) -> Iterator[tuple[Path, str]]:
    """(path, source) of a file, or of every input file under a folder, in sorted order.

    Raises InputError when the location does not exist.
    """
    path = Path(location)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
            yield child, display_path(child)
    elif path.is_file():
        yield path, display_path(path)
    else:
        raise InputError(f"input {location} does not exist")
