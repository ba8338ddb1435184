"""RSS 0.9x/1.0/2.0, Atom and JSON Feed documents to articles."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import feedparser

from ..errors import InputError
from ..models import Article, Skip
from .common import make_article, parse_datetime
from .markup import html_to_paragraphs

__all__ = ["is_json_feed", "parse_feed", "parse_json_feed"]

MIN_ITEM_WORDS = 8  # an item with fewer words of text is a link, not an article


def _entry_time(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
    return None


def _item(
    title: str,
    html: str,
    link: str,
    outlet: str,
    published: dt.datetime | None,
    author: str,
    language: str,
    source: str,
) -> Article | Skip:
    paras = html_to_paragraphs(html)
    text = "\n\n".join(paras)
    if len(text.split()) < MIN_ITEM_WORDS:
        return Skip(source, "feed item has no article text")
    return make_article(
        title=title or paras[0][:120],
        text=text,
        url=link,
        outlet=outlet,
        published=published,
        author=author,
        language=language,
        source=source,
    )


def parse_feed(data: bytes, source: str) -> Iterator[Article | Skip]:
    """Articles from an RSS/Atom document given as bytes (feedparser never sees a str path)."""
    if not isinstance(data, bytes):
        raise TypeError("parse_feed takes bytes")
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        reason = type(parsed.get("bozo_exception", "")).__name__ if parsed.get("bozo") else "no items"
        raise InputError(f"{source} is not a readable feed ({reason}); is it RSS or Atom?")
    outlet = parsed.feed.get("title", "")
    language = (parsed.feed.get("language") or "en")[:2].lower()
    for n, entry in enumerate(parsed.entries, 1):
        content = entry.get("content") or []
        html = max((c.get("value", "") for c in content), key=len, default="") or entry.get("summary", "")
        link = entry.get("link", "")
        yield _item(
            entry.get("title", ""),
            html,
            link if link.startswith(("http://", "https://")) else "",
            outlet,
            _entry_time(entry),
            entry.get("author", ""),
            language,
            f"{source}#{n}",
        )


def is_json_feed(text: str) -> bool:
    """True for a JSON Feed document (version https://jsonfeed.org/version/1 or 1.1)."""
    return '"https://jsonfeed.org/version/' in text[:2000]


def parse_json_feed(text: str, source: str) -> Iterator[Article | Skip]:
    """Articles from a JSON Feed document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise InputError(f"{source} is not a JSON Feed (no items list)")
    outlet = data.get("title", "") if isinstance(data.get("title"), str) else ""
    for n, item in enumerate(data["items"], 1):
        where = f"{source}#{n}"
        if not isinstance(item, dict):
            yield Skip(where, "feed item is not an object")
            continue
        html = item.get("content_html") or item.get("content_text") or item.get("summary") or ""
        link = item.get("url", "") if isinstance(item.get("url"), str) else ""
        author = (item.get("authors") or [{}])[0].get("name", "") if isinstance(item.get("authors"), list) else ""
        yield _item(
            str(item.get("title", "")),
            str(html),
            link if link.startswith(("http://", "https://")) else "",
            outlet,
            parse_datetime(item.get("date_published")),
            str(author),
            "en",
            where,
        )
