"""RSS 0.9x/1.0/2.0, Atom and JSON Feed documents to feed items, and items to articles.

feedparser is only ever given bytes: handed a str it would treat it as a path or a URL and read
it. Item HTML goes through ``html_to_paragraphs``, which keeps text only, so no image, frame,
object, stylesheet, script or link of an item survives into an article. Only http(s) links are
kept as an article's URL.

An item whose feed carries only a teaser (no full content and a short description) is marked
``teaser``; ``digest.ingest.sources`` fetches the linked page for it when the source asks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import feedparser

from ..models import Article, Skip
from .common import make_article, parse_datetime, sanitize_text
from .markup import html_to_paragraphs

__all__ = ["FeedItem", "is_json_feed", "item_to_article", "parse_feed", "parse_feed_items", "parse_json_feed"]

MIN_ITEM_WORDS = 8  # an item with fewer words of text is a link, not an article
# A description shorter than this is a teaser: measured on our sample feeds, decks and summaries
# run 20-80 words and full articles 130+.
TEASER_WORDS = 120
_TEASER_END_RE = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|more »)\W*$", re.IGNORECASE)
MAX_TITLE_CHARS = 300  # a longer "title" is a paragraph that lost its markup


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed, before it becomes an article."""

    title: str
    html: str  # the fullest content the feed carries, sanitised by feedparser
    link: str  # http(s) only, else ''
    outlet: str
    published: dt.datetime | None
    author: str
    language: str  # as the feed declares it ('' when it does not)
    source: str
    full: bool  # the feed carried full content (content:encoded, atom:content, content_html)

    @property
    def teaser(self) -> bool:
        """True when the item holds only a teaser of the linked article."""
        if self.full:
            return False
        text = " ".join(html_to_paragraphs(self.html))
        return len(text.split()) < TEASER_WORDS or bool(_TEASER_END_RE.search(text))


def _entry_time(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # The plain dict lookup: feedparser's own maps a missing key to another with a warning.
        value = dict.get(entry, key)
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _http(link: object) -> str:
    link = sanitize_text(link).strip()
    return link if link.lower().startswith(("http://", "https://")) else ""


_ITEM_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, RecursionError, UnicodeError, LookupError)


def _bad_item(source: str, exc: Exception) -> Skip:
    return Skip(source, f"feed item cannot be read ({type(exc).__name__})", "bad-record")


def _plain(value: object, detail: Any = None) -> str:
    """Text of a title or name; markup stripped when the feed says it is HTML."""
    text = value if isinstance(value, str) else ""
    kind = (detail or {}).get("type", "") if isinstance(detail, dict) else ""
    if "html" in kind and "<" in text:
        text = " ".join(html_to_paragraphs(text))
    return text[:MAX_TITLE_CHARS]


def item_to_article(item: FeedItem) -> Article | Skip:
    """The article an item carries (a Skip when it has no text to speak of, or cannot be read)."""
    try:
        return _item_article(item)
    except _ITEM_ERRORS as exc:
        return _bad_item(item.source, exc)


def _item_article(item: FeedItem) -> Article | Skip:
    paras = html_to_paragraphs(item.html)
    text = "\n\n".join(paras)
    if len(text.split()) < MIN_ITEM_WORDS:
        return Skip(item.source, "feed item has no article text", "no-text")
    return make_article(
        title=item.title,
        text=text,
        url=item.link,
        outlet=item.outlet,
        published=item.published,
        author=item.author,
        language=item.language,
        source=item.source,
    )


def parse_feed_items(data: bytes, source: str) -> Iterator[FeedItem | Skip]:
    """Items of an RSS/Atom document given as bytes (a single Skip when it is not a feed)."""
    if not isinstance(data, bytes):
        raise TypeError("parse_feed_items takes bytes: feedparser reads a str as a path or URL")
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        reason = type(parsed.get("bozo_exception", "")).__name__ if parsed.get("bozo") else "no items"
        yield Skip(source, f"not a readable feed ({reason}); is it RSS or Atom?", "not-a-feed")
        return
    feed = parsed.feed
    outlet = _plain(feed.get("title", ""), feed.get("title_detail"))
    language = str(feed.get("language") or "")
    for n, entry in enumerate(parsed.entries, 1):
        try:
            yield _entry_item(entry, f"{source}#{n}", outlet, language)
        except _ITEM_ERRORS as exc:
            yield _bad_item(f"{source}#{n}", exc)


def _entry_item(entry: Any, where: str, outlet: str, language: str) -> FeedItem:
    content = [c.get("value", "") for c in entry.get("content") or [] if isinstance(c, dict)]
    full_html = max(content, key=len, default="")
    summary = entry.get("summary", "") or ""
    return FeedItem(
        title=_plain(entry.get("title", ""), entry.get("title_detail")),
        html=full_html or summary,
        link=_http(entry.get("link", "")),
        outlet=outlet,
        published=_entry_time(entry),
        author=_plain(entry.get("author", ""), entry.get("author_detail")),
        language=str(entry.get("language") or language),
        source=where,
        full=bool(full_html.strip()) and len(full_html) >= len(summary),
    )


def parse_feed(data: bytes, source: str) -> Iterator[Article | Skip]:
    """Articles from an RSS/Atom document given as bytes (feedparser never sees a str path)."""
    for item in parse_feed_items(data, source):
        yield item if isinstance(item, Skip) else item_to_article(item)


def is_json_feed(text: str) -> bool:
    """True for a JSON Feed document (version https://jsonfeed.org/version/1 or 1.1)."""
    return '"https://jsonfeed.org/version/' in text[:2000].replace("\\/", "/")


def parse_json_feed_items(text: str, source: str) -> Iterator[FeedItem | Skip]:
    """Items of a JSON Feed document (a single Skip when it is not one)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        yield Skip(source, f"not valid JSON ({type(exc).__name__})", "not-a-feed")
        return
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        yield Skip(source, "not a JSON Feed (no items list)", "not-a-feed")
        return
    outlet = data.get("title", "") if isinstance(data.get("title"), str) else ""
    language = data.get("language", "") if isinstance(data.get("language"), str) else ""
    for n, item in enumerate(data["items"], 1):
        where = f"{source}#{n}"
        if not isinstance(item, dict):
            yield Skip(where, "feed item is not an object", "bad-record")
            continue
        try:
            yield _json_item(item, where, outlet, language)
        except _ITEM_ERRORS as exc:
            yield _bad_item(where, exc)


def _json_item(item: dict[str, Any], where: str, outlet: str, language: str) -> FeedItem:
    full = item.get("content_html") or item.get("content_text") or ""
    summary = item.get("summary") or ""
    authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    return FeedItem(
        title=sanitize_text(str(item.get("title", "") or ""))[:MAX_TITLE_CHARS],
        html=sanitize_text(str(full or summary), multiline=True),
        link=_http(item.get("url", "")),
        outlet=sanitize_text(outlet),
        published=parse_datetime(item.get("date_published")),
        author=sanitize_text(str(first.get("name", "") or "")),
        language=sanitize_text(str(item.get("language") or language)),
        source=where,
        full=bool(str(full).strip()),
    )


def parse_json_feed(text: str, source: str) -> Iterator[Article | Skip]:
    """Articles from a JSON Feed document."""
    for item in parse_json_feed_items(text, source):
        yield item if isinstance(item, Skip) else item_to_article(item)
