"""JSON and JSONL article records: title, text, url, outlet, published."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InputError
from ..models import Article, Skip
from .common import make_article, parse_datetime, sanitize_text

__all__ = ["parse_json_records", "parse_jsonl_records"]

# Accepted spellings of each field, the documented one first.
_FIELDS = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content"),
    "url": ("url", "link"),
    "outlet": ("outlet", "site", "publisher"),
    "published": ("published", "date", "published_at"),
    "author": ("author", "byline"),
    "language": ("language", "lang"),
}


def _get(record: Mapping[str, Any], name: str) -> str:
    for key in _FIELDS[name]:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _record_to_article(record: object, source: str) -> Article | Skip:
    """One record's article; anything wrong with the record skips it alone."""
    try:
        return _convert(record, source)
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
        return Skip(source, f"record cannot be read ({type(exc).__name__})", "bad-record")


def _convert(record: object, source: str) -> Article | Skip:
    if not isinstance(record, Mapping):
        return Skip(source, "record is not a JSON object", "bad-record")
    text = _get(record, "text").replace("\r\n", "\n").strip()
    title = _get(record, "title")
    if not text:
        return Skip(source, "record has no text", "no-text")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return make_article(
        title=title,
        text="\n\n".join(p for p in paragraphs if p),
        url=_get(record, "url"),
        outlet=_get(record, "outlet"),
        published=parse_datetime(_get(record, "published")),
        author=_get(record, "author"),
        language=_get(record, "language"),
        source=source,
    )


def parse_json_records(text: str, source: str) -> Iterator[Article | Skip]:
    """Articles from a JSON document: one record, a list of them, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise InputError(f"{source} is nested too deeply to be an article record") from exc
    if isinstance(data, Mapping) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, 1):
        yield _record_to_article(record, f"{source}#{n}" if len(records) > 1 else source)


def parse_jsonl_records(text: str, source: str) -> Iterator[Article | Skip]:
    """Articles from JSON Lines: one record a line; a bad line is skipped, not fatal."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}#{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skip(where, f"line is not valid JSON ({sanitize_text(exc.msg)})", "bad-json")
            continue
        except RecursionError:
            yield Skip(where, "line is nested too deeply to be a record", "bad-json")
            continue
        yield _record_to_article(record, where)
