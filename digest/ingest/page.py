"""HTML article pages: the article text and metadata, without the page around it."""

from __future__ import annotations

import trafilatura

from ..models import Article, Skip
from .common import make_article, parse_datetime

__all__ = ["parse_html_page"]

MIN_PAGE_WORDS = 40  # less text than this is a block page, a paywall stub or an index page


def parse_html_page(html: str, source: str, url: str = "") -> Article | Skip:
    """The article of an HTML page (a Skip with the reason when there is none)."""
    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
    )
    if doc is None or not (doc.text or "").strip():
        return Skip(source, "page has no article text")
    text = "\n\n".join(" ".join(p.split()) for p in doc.text.split("\n") if p.strip())
    if len(text.split()) < MIN_PAGE_WORDS:
        return Skip(source, f"page text too short ({len(text.split())} words): block page or teaser?")
    return make_article(
        title=doc.title or "",
        text=text,
        url=url or (doc.url or ""),
        outlet=doc.sitename or "",
        published=parse_datetime(doc.date),
        author=doc.author or "",
        language=(doc.language or "en")[:2],
        source=source,
    )
