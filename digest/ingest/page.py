"""HTML article pages: the article text and metadata (trafilatura), without the page around it.

A page that is not an article is skipped with a counted reason: a block page (bot check,
"access denied"), a paywall stub ("subscribe to continue reading") or near-empty text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from ..models import Article, Skip
from .common import make_article, parse_datetime

__all__ = ["classify_non_article", "parse_html_page"]

LOGGER = logging.getLogger(__name__)
MIN_PAGE_WORDS = 40  # less text than this is a block page, a paywall stub or an index page
# Block pages and paywall stubs put their message in a short text; a long article that merely
# mentions "subscribe to continue reading" in passing is still an article.
STUB_WORDS = 250
MAX_PAGE_CHARS = 5_000_000  # trafilatura on a bigger document takes seconds; no article is that long
# What trafilatura is given at most, after scripts, styles and comments are dropped. Its time grows
# faster than the page: a 4.7 MB page of links took 99 s (0.6 s at 250 KB, 1.7 s at 500 KB, 3.2 s
# at 1 MB; benchmarks/bench_page_cap.py; capped: 3.9 s, 135 MB). A long article is under 150 KB of
# text; 1 MB of markup holds it with room for the page around it.
MAX_EXTRACT_CHARS = 1_000_000
_NOISE_TAGS = ("script", "style", "noscript", "svg", "template", "iframe", "object", "embed")
_BLOCK_RE = re.compile(
    r"access denied|attention required|just a moment\.\.\.|checking (?:if the site connection is secure|your browser)"
    r"|verify (?:that )?you are (?:a )?human|are you a robot|enable javascript and cookies|captcha"
    r"|unusual traffic from your|request (?:blocked|unsuccessful)|403 forbidden|error 1020|bot protection"
    r"|too many requests|temporarily unavailable|page not found|404 not found",
    re.IGNORECASE,
)
_PAYWALL_RE = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|(?:for|available to) (?:paying )?subscribers only"
    r"|already a subscriber|to continue reading,? (?:please )?(?:subscribe|sign in|log in|register)"
    r"|sign (?:in|up) to (?:read|continue)|this (?:article|content|story) is (?:only )?(?:for|available to) subscribers"
    r"|create a free account to (?:continue|read)|you have reached your (?:free )?(?:article )?limit"
    r"|subscribe for full access|unlock this (?:article|story)",
    re.IGNORECASE,
)


def classify_non_article(title: str, text: str) -> tuple[str, str] | None:
    """(kind, reason) when title/text look like a block page, paywall stub or near-empty page; else None."""
    words = len(text.split())
    if words < STUB_WORDS:
        head = f"{title}\n{text[:600]}"
        if m := _BLOCK_RE.search(head):
            return "block-page", f"block page ({m.group(0).lower()!r}), not an article"
        if m := _PAYWALL_RE.search(text):
            return "paywall", f"paywall stub ({m.group(0).lower()!r}), only {words} words of the article"
    if words < MIN_PAGE_WORDS:
        return "too-short", f"near-empty page ({words} words); a teaser or index page?"
    return None


def trim_page(html: str) -> str:
    """The page as trafilatura gets it: at most MAX_EXTRACT_CHARS, scripts, styles and comments gone first."""
    if len(html) <= MAX_EXTRACT_CHARS:
        return html
    try:
        root = lxml.html.document_fromstring(html)
        etree.strip_elements(root, *_NOISE_TAGS, etree.Comment, with_tail=False)
        html = lxml.html.tostring(root, encoding="unicode")
    except (etree.ParserError, ValueError) as exc:
        LOGGER.debug("page markup not trimmed (%s); cut as it is", exc)
    if len(html) > MAX_EXTRACT_CHARS:
        cut = html.rfind("<", 0, MAX_EXTRACT_CHARS)
        html = html[: cut if cut > 0 else MAX_EXTRACT_CHARS]
    return html


def parse_html_page(html: str, source: str, url: str = "") -> Article | Skip:
    """The article of an HTML page (a Skip with the reason when there is none)."""
    if len(html) > MAX_PAGE_CHARS:
        return Skip(source, f"page is over {MAX_PAGE_CHARS // 1_000_000} M characters", "too-large")
    try:
        doc: Any = trafilatura.bare_extraction(
            trim_page(html),
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
        )
    except (ValueError, TypeError, RecursionError) as exc:  # malformed markup deep in lxml
        return Skip(source, f"page cannot be parsed ({type(exc).__name__})", "unreadable")
    title = (doc.title or "") if doc is not None else ""
    paras = [" ".join(p.split()) for p in (doc.text or "").split("\n") if p.strip()] if doc else []
    if paras and title and paras[0].casefold() == " ".join(title.split()).casefold():
        paras = paras[1:]  # the page's <h1> repeats the title
    text = "\n\n".join(paras)
    verdict = classify_non_article(title, text)
    if verdict is None and doc is None:
        verdict = ("no-text", "page has no article text")
    if verdict is not None:
        kind, reason = verdict
        return Skip(source, reason, kind)
    assert doc is not None
    canonical = doc.url or ""
    return make_article(
        title=title,
        text=text,
        # The page's own canonical link names the article best; the fetched URL is the fallback.
        url=canonical if canonical.lower().startswith(("http://", "https://")) else url,
        outlet=doc.sitename or doc.hostname or "",
        published=parse_datetime(doc.date),
        author=doc.author or "",
        language=doc.language or "",
        source=source,
    )
