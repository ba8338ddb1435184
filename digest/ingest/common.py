"""Helpers shared by the input readers: ids, cleaning, dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from email.utils import parsedate_to_datetime

from ..models import Article, Skip
from ..text import SENTENCE_END_RE, detect_language, normalize_space, paragraphs, sentence_spans

__all__ = [
    "article_id",
    "clean_body",
    "copy_id",
    "lead_title",
    "make_article",
    "parse_datetime",
    "require_text",
    "sanitize_text",
    "split_subheading",
    "strip_wire_codes",
]

# A paragraph line that ends in a short Title Case phrase with no closing punctuation is a
# sub-heading the scraper glued on ("... far apart. Kyiv's Position on Peace Talks").
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "the",
        "to",
        "vs",
        "with",
    ]
)
MAX_SUBHEADING_WORDS = 8  # longer tails are prose that lost its full stop, not headings
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
# What no output may carry, whatever the input: lone surrogates (they cannot be encoded, so they
# crash the store and every writer), C0/C1 controls other than tab and newline (ESC and BEL drive
# terminals, NUL cuts C strings), and the bidi embedding/override/isolate controls and marks
# (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C) that reorder what a reader sees.
_UNSAFE_RE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_BREAKS = frozenset("\r\x0b\x0c")  # line breaks other than \n: a break (or a space), not nothing
# Typesetting codes of news-agency wire copy (ANPA/IPTC 7901, as in the New York Times News
# Service feed): &HT; (tab), &QL; &QC; &QR; (quad left, centre, right: line ends), &UR; &LR;
# (upper and lower rail: font shifts), &MD; (em dash). They are no HTML entity, so they survive
# unescaping and arrive in titles and bodies; left in, a title "&HT;" shares its one word with
# every such article of the day and pulls unrelated stories into one (DUC 2006's wire copy:
# a three-day build's story of 85 articles from 12 topics; without the codes, none above 23).
_WIRE_CODE_RE = re.compile(r"[ \t]*(?:&(?:HT|QL|QC|QR|UR|LR|MD);[ \t]*)+")
# Publication times outside these years are typos or hostile ("9999-12-31T23:59:59-14:00"): the
# article is kept, undated. Far from datetime's limits, so no zone shift can overflow.
MIN_YEAR, MAX_YEAR = 1900, 2200


def article_id(url: str, title: str, text: str) -> str:
    """A stable id: the URL when there is one, else the normalised title and text."""
    key = url.strip() or (normalize_space(title).lower() + "\n" + normalize_space(text).lower())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def copy_id(first_id: str, source: str) -> str:
    """The id of a second copy of article first_id, read from another source."""
    return hashlib.sha256(f"copy:{first_id}:{source}".encode()).hexdigest()[:16]


def _is_heading(phrase: str) -> bool:
    words = phrase.split()
    if not 1 <= len(words) <= MAX_SUBHEADING_WORDS or phrase[-1:] in ".!?:;,\"'”’)":
        return False
    caps = [w for w in words if w.lower() not in _SMALL_WORDS]
    return bool(caps) and all(w[:1].isupper() or w[:1].isdigit() for w in caps)


def split_subheading(line: str) -> tuple[str, str]:
    """Split a glued sub-heading off the end of a paragraph: (paragraph, heading)."""
    line = line.rstrip()
    ends = list(SENTENCE_END_RE.finditer(line))
    if not ends:
        return (line, "") if not _is_heading(line) or len(line.split()) > MAX_SUBHEADING_WORDS else ("", line)
    tail = line[ends[-1].end() :]
    if tail and _is_heading(tail):
        return line[: ends[-1].end()].rstrip(), tail
    return line, ""


def sanitize_text(value: object, *, multiline: bool = False) -> str:
    """Untrusted text made safe for every output: NFC, no surrogates, controls or bidi overrides.

    The one cleaning step every reader's strings pass through (``make_article`` calls it on every
    field, and skip reports and source names use it too). With multiline, newlines and tabs stay.
    """
    if not isinstance(value, str) or not value:
        return ""
    value = value.replace("\r\n", "\n")
    brk = "\n" if multiline else " "
    cleaned = _UNSAFE_RE.sub(lambda m: brk if m.group(0) in _BREAKS else "", value.replace("\r", brk))
    if not multiline:
        cleaned = cleaned.replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", cleaned)


def strip_wire_codes(text: str) -> str:
    """Text without wire-copy typesetting codes (``&HT;``, ``&QL;``...).

    A run of codes becomes one space inside a line, nothing at a line's start or end, and a dash
    when it holds ``&MD;``."""
    if "&" not in text:
        return text

    def swap(m: re.Match[str]) -> str:
        if "&MD;" in m.group(0):
            return " \u2014 "
        at_edge = m.start() == 0 or text[m.start() - 1] == "\n" or m.end() == len(text) or text[m.end()] == "\n"
        return "" if at_edge else " "

    return _WIRE_CODE_RE.sub(swap, text)


def clean_body(lines: list[str]) -> str:
    """Paragraph lines to a body: control characters gone, glued sub-headings dropped."""
    paras = []
    for raw in lines:
        text = normalize_space(_CONTROL_RE.sub(" ", unicodedata.normalize("NFC", raw)))
        if not text:
            continue
        text, _heading = split_subheading(text)
        if text:
            paras.append(text)
    return "\n\n".join(paras)


def clean_line(text: str) -> str:
    """One line of untrusted text: NFC, no control characters or line breaks, trimmed."""
    return normalize_space(_CONTROL_RE.sub(" ", unicodedata.normalize("NFC", text or "")))


def parse_datetime(value: object) -> dt.datetime | None:
    """An aware UTC datetime from ISO 8601 or RFC 822 text (None when it cannot be read or is out of range)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
    else:
        return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    try:
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):  # a zone offset that cannot be applied
        return None


# A longer first line is a paragraph, not a title; a title made from a first sentence is cut here.
# Not feed.MAX_TITLE_CHARS (300), which cuts a title a feed declares as such.
TITLE_LINE_MAX_CHARS = 200


def lead_title(text: str) -> str:
    """A title for an article that came without one: its first sentence, cut at TITLE_LINE_MAX_CHARS."""
    paras = paragraphs(text)
    if not paras:
        return ""
    # Only as far as the first sentence break: splitting the whole body would double the Punkt
    # work of `digest summarize` (benchmarks/bench_summarize.py), which splits it again.
    start, end = next(sentence_spans(paras[0]), (0, len(paras[0])))
    first = paras[0][start:end]
    if len(first) <= TITLE_LINE_MAX_CHARS:
        return first
    return first[:TITLE_LINE_MAX_CHARS].rsplit(" ", 1)[0] + "\u2026"


def require_text(item: Article | Skip) -> Article | Skip:
    """item, or a no-text Skip for an article whose text is empty once make_article cleaned it: every reader
    checks for text before cleaning, and wire codes or control characters alone leave nothing."""
    if isinstance(item, Article) and not item.text.strip():
        return Skip(item.source, "no text once cleaned (only markup or control characters)", "no-text")
    return item


def make_article(
    *,
    title: str,
    text: str,
    source: str,
    url: str = "",
    outlet: str = "",
    published: dt.datetime | None = None,
    language: str = "",
    author: str = "",
) -> Article:
    """An Article with cleaned fields, its stable id and its detected language (declared one as fallback).

    Every reader builds its articles here, so every string passes ``sanitize_text`` once, and an
    article whose title is missing (or was only wire codes) is titled by its first sentence.
    """
    text = strip_wire_codes(sanitize_text(text, multiline=True))
    title = clean_line(strip_wire_codes(sanitize_text(title))) or clean_line(lead_title(text))
    url = clean_line(sanitize_text(url))
    if published is not None and not MIN_YEAR <= published.year <= MAX_YEAR:
        published = None
    return Article(
        id=article_id(url, title, text),
        title=title,
        text=text,
        outlet=clean_line(sanitize_text(outlet)),
        url=url,
        published=published,
        source=sanitize_text(source),
        language=detect_language(text, sanitize_text(language)),
        author=clean_line(sanitize_text(author)),
    )
