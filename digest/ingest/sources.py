"""Fetched inputs: URLs given on the command line, and the configured sources of ``digest run``.

``ingest_sources(settings, store, now)`` is the daily job's ingestion step. For every configured
source it fetches (URLs, a few at a time, with the ETag/Last-Modified remembered from last time)
or reads (paths), expands OPML lists into their feeds, fetches the linked page of teaser-only
feed items when the source says ``fetch_full = true``, stores the articles and records each
source's health (last success, last error, counts) in the store. One failing source is recorded
and counted; it never stops the others.

What is fetched for a URL given as ``digest build --input URL``: the URL itself, the feeds of an
OPML list it points to, and the linked page of every teaser-only feed item (the user asked for
that URL, so reading what it links to is expected). A local file never causes a fetch.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..config import Settings, SourceSettings
from ..errors import FetchError, InputError
from ..models import Article, Skip
from ..store import Store
from .common import require_text
from .feed import FeedItem, is_json_feed, item_to_article, parse_feed_items, parse_json_feed_items
from .fetch import DEFAULT_POLICY, FetchPolicy, FetchResult, Validators, fetch_many, policy_for
from .files import decode_text, iter_files, read_file
from .opml import OpmlFeed, is_opml, parse_opml
from .page import parse_html_page

__all__ = ["SourceOutcome", "SourcesResult", "ingest_sources", "read_urls"]

LOGGER = logging.getLogger(__name__)
_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_FAILURE_KINDS = frozenset({"not-a-feed", "unreadable", "fetch-failed", "too-large"})


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source gave in one ingestion: article and skip counts, or the error."""

    location: str
    articles: int = 0
    skipped: int = 0
    error: str = ""
    not_modified: bool = False  # 304: the remembered copy was read again
    pages_fetched: int = 0  # linked pages fetched for teaser-only items


@dataclass(frozen=True, slots=True)
class SourcesResult:
    """Articles read from every source (duplicates by id removed), skips, and one outcome per source."""

    articles: tuple[Article, ...]
    skipped: tuple[Skip, ...]
    outcomes: tuple[SourceOutcome, ...]
    new_articles: int = 0  # of articles, how many the store did not have yet

    @property
    def failed(self) -> tuple[SourceOutcome, ...]:
        """Sources that could not be read this time."""
        return tuple(o for o in self.outcomes if o.error)


@dataclass(frozen=True, slots=True)
class _Document:
    """One fetched or read source document, parsed."""

    location: str
    items: tuple[FeedItem | Article | Skip, ...] = ()
    feeds: tuple[OpmlFeed, ...] = ()  # an OPML list: the feeds it names
    error: str = ""
    not_modified: bool = False


def _kind(data: bytes, content_type: str) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if is_opml(data):
        return "opml"
    if head.startswith(b"{"):
        return "json"
    if head.startswith((b"<!doctype html", b"<html")) or (b"<html" in head and b"<rss" not in head):
        return "html"
    if any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf", b"<channel")):
        return "feed"
    ctype = content_type.lower()
    if "html" in ctype and "xml" not in ctype:
        return "html"
    if "json" in ctype:
        return "json"
    return "feed"


def _decode(data: bytes, content_type: str) -> str:
    m = _CHARSET_RE.search(content_type)
    if m:
        try:
            return data.decode(m.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _parse_document(location: str, data: bytes, content_type: str, url: str) -> _Document:
    """A fetched body, by what it turns out to be: a feed, a JSON Feed, an OPML list or a page."""
    kind = _kind(data, content_type)
    try:
        if kind == "opml":
            return _Document(location, feeds=parse_opml(data, location))
        if kind == "json":
            text = _decode(data, content_type)
            if not is_json_feed(text):
                return _Document(location, error=f"{location} is JSON but not a JSON Feed")
            return _Document(location, tuple(parse_json_feed_items(text, location)))
        if kind == "html":
            return _Document(location, (parse_html_page(_decode(data, content_type), location, url=url),))
        return _Document(location, tuple(parse_feed_items(data, location)))
    except InputError as exc:
        return _Document(location, error=str(exc))
    except (ValueError, RecursionError, UnicodeError, LookupError, TypeError, AttributeError) as exc:
        # Malformed input deep in a parser: this source fails, the run goes on.
        LOGGER.debug("parser failed on %s", location, exc_info=True)
        return _Document(location, error=f"{location}: cannot parse: {type(exc).__name__}")


def _fetched_document(location: str, outcome: FetchResult | FetchError, cached: bytes | None) -> _Document:
    if isinstance(outcome, FetchError):
        return _Document(location, error=str(outcome))
    if outcome.not_modified:
        if cached is None:
            return _Document(location, not_modified=True)
        doc = _parse_document(location, cached, "", outcome.final_url)
        return replace(doc, not_modified=True)
    return _parse_document(location, outcome.content, outcome.content_type, outcome.final_url)


def _merge_page(item: FeedItem, page: Article) -> Article:
    """The fetched page's article: the page's title and outlet (the feed's where it has none) and
    the feed item's publication time (the page's where the item has none), which decides its day."""
    return replace(
        page,
        title=page.title or item.title,
        outlet=page.outlet or item.outlet,
        published=item.published or page.published,
        url=item.link or page.url,
        source=item.source,
    )


def _complete_items(
    docs: Sequence[_Document], full: Sequence[bool], policy: FetchPolicy
) -> tuple[list[list[Article | Skip]], list[int]]:
    """Each document's items as articles; teaser items of full-text sources replaced by their pages.

    At most ``policy.max_pages_per_feed`` pages per document; the items past it keep their teaser.
    """
    wanted: dict[str, None] = {}
    for doc, want in zip(docs, full, strict=True):
        links = [i.link for i in doc.items if want and isinstance(i, FeedItem) and i.link and i.teaser]
        links = list(dict.fromkeys(links))
        if len(links) > policy.max_pages_per_feed:
            LOGGER.info(
                "%s: %d teaser items; fetching the pages of the first %d only",
                doc.location,
                len(links),
                policy.max_pages_per_feed,
            )
        for link in links[: policy.max_pages_per_feed]:
            wanted.setdefault(link)
    links = list(wanted)
    pages = dict(zip(links, fetch_many([(link, Validators()) for link in links], policy), strict=True))
    results: list[list[Article | Skip]] = []
    fetched: list[int] = []
    for doc, want in zip(docs, full, strict=True):
        out: list[Article | Skip] = []
        count = 0
        for item in doc.items:
            if not isinstance(item, FeedItem):
                out.append(require_text(item))
                continue
            page = pages.get(item.link) if want and item.link and item.link in wanted and item.teaser else None
            if isinstance(page, FetchResult) and page.content:
                count += 1
                parsed = parse_html_page(_decode(page.content, page.content_type), item.source, url=page.final_url)
                if isinstance(parsed, Article):
                    out.append(require_text(_merge_page(item, parsed)))
                    continue
                LOGGER.info("linked page of %s: %s; keeping the teaser", item.source, parsed.reason)
            elif isinstance(page, FetchError):
                LOGGER.info("linked page of %s: %s; keeping the teaser", item.source, page)
            out.append(require_text(item_to_article(item)))
        results.append(out)
        fetched.append(count)
    return results, fetched


def _read_path(location: str, captured: dt.datetime) -> tuple[_Document, tuple[OpmlFeed, ...]]:
    """A local source: its files read (an OPML file expanded into the feeds it lists)."""
    items: list[Article | Skip] = []
    try:
        files = list(iter_files(location))
    except InputError as exc:
        return _Document(location, error=str(exc)), ()
    if len(files) == 1 and files[0][0].suffix.lower() in {".opml", ".xml"}:
        try:
            data = files[0][0].read_bytes()
        except OSError as exc:
            return _Document(location, error=f"cannot read {location}: {exc.strerror or exc}"), ()
        if is_opml(data):
            try:
                return _Document(location), parse_opml(data, location)
            except InputError as exc:
                return _Document(location, error=str(exc)), ()
    for path, source in files:
        items.extend(read_file(path, source, captured))
    return _Document(location, tuple(items)), ()


def _outcome(doc: _Document, results: Sequence[Article | Skip], pages: int) -> SourceOutcome:
    articles = sum(isinstance(r, Article) for r in results)
    skips = [r for r in results if isinstance(r, Skip)]
    error = doc.error
    if not error and not articles and skips and all(s.kind in _FAILURE_KINDS for s in skips) and not doc.feeds:
        error = skips[0].reason
    return SourceOutcome(doc.location, articles, len(skips), error, doc.not_modified, pages)


def read_urls(urls: Sequence[str], captured: dt.datetime, policy: FetchPolicy = DEFAULT_POLICY) -> list[Article | Skip]:
    """Articles from URLs given on the command line (feeds, OPML lists, pages); failures become Skips."""
    del captured  # fetched documents carry their own dates
    jobs = [(url, Validators()) for url in urls]
    docs = [_fetched_document(url, res, None) for url, res in zip(urls, fetch_many(jobs, policy), strict=True)]
    feeds = [f.url for d in docs for f in d.feeds]
    if feeds:
        more = fetch_many([(u, Validators()) for u in feeds], policy)
        docs += [_fetched_document(u, res, None) for u, res in zip(feeds, more, strict=True)]
    results, _pages = _complete_items(docs, [True] * len(docs), policy)
    out: list[Article | Skip] = []
    for doc, items in zip(docs, results, strict=True):
        if doc.error:
            out.append(Skip(doc.location, doc.error, "fetch-failed"))
        out.extend(items)
    return out


def ingest_sources(
    settings: Settings, store: Store, now: dt.datetime, policy: FetchPolicy | None = None
) -> SourcesResult:
    """Fetch or read every configured source, store the articles, record each source's health.

    ``now`` dates the health records and resolves page dumps' relative times; the policy defaults
    to the settings' (``[fetch] allow``). Raises StoreError only (a source that fails is recorded
    and counted, not raised).
    """
    policy = policy_for(settings, policy or DEFAULT_POLICY)
    locals_: list[tuple[SourceSettings, _Document]] = []
    expanded: list[SourceSettings] = []
    for source in settings.sources:
        if source.path:
            doc, feeds = _read_path(source.path, now)
            locals_.append((source, replace(doc, feeds=feeds)))
            expanded += [SourceSettings(url=f.url, name=f.title, fetch_full=source.fetch_full) for f in feeds]
    remote = [s for s in settings.sources if s.url]
    docs: list[tuple[SourceSettings, _Document]] = []
    caches: dict[str, tuple[str, str, bytes | None]] = {}
    fetched: dict[str, FetchResult | FetchError] = {}
    for round_sources in (remote, expanded):
        todo = [s for s in round_sources if s.url not in fetched]
        todo = list({s.url: s for s in todo}.values())
        for s in todo:
            caches[s.url] = store.source_cache(s.url)
        jobs = [(s.url, Validators(caches[s.url][0], caches[s.url][1])) for s in todo]
        for s, res in zip(todo, fetch_many(jobs, policy), strict=True):
            fetched[s.url] = res
            doc = _fetched_document(s.url, res, caches[s.url][2])
            docs.append((s, doc))
            expanded += [SourceSettings(url=f.url, name=f.title, fetch_full=s.fetch_full) for f in doc.feeds]
    everything = locals_ + docs
    results, pages = _complete_items([d for _s, d in everything], [s.fetch_full for s, _d in everything], policy)
    articles: dict[str, Article] = {}
    skipped: list[Skip] = []
    outcomes: list[SourceOutcome] = []
    for (_source, doc), items, page_count in zip(everything, results, pages, strict=True):
        for item in items:
            if isinstance(item, Skip):
                skipped.append(item)
            elif item.id not in articles:
                articles[item.id] = item
        outcome = _outcome(doc, items, page_count)
        outcomes.append(outcome)
        if outcome.error:
            LOGGER.warning("source %s failed: %s", doc.location, outcome.error)
            skipped.append(Skip(doc.location, outcome.error, "fetch-failed"))
    new = store.add_articles(articles.values(), stored_at=now)
    for outcome in outcomes:
        answer = fetched.get(outcome.location)
        cache = None
        if isinstance(answer, FetchResult) and not answer.not_modified and not outcome.error:
            v = answer.validators
            cache = (v.etag, v.last_modified, answer.content if (v.etag or v.last_modified) else b"")
        store.record_source(
            outcome.location, now, error=outcome.error, articles=outcome.articles, skipped=outcome.skipped, cache=cache
        )
    LOGGER.info(
        "ingested %d sources: %d articles (%d new), %d failed",
        len(outcomes),
        len(articles),
        new,
        sum(1 for o in outcomes if o.error),
    )
    return SourcesResult(tuple(articles.values()), tuple(skipped), tuple(outcomes), new)
