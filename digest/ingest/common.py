"""Helpers shared by the input readers: ids, cleaning, dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from email.utils import parsedate_to_datetime

from ..language import detect_language
from ..models import Article
from ..text import normalize_space

__all__ = ["article_id", "clean_body", "copy_id", "make_article", "parse_datetime", "split_subheading"]

# A paragraph line that ends in a short Title Case phrase with no closing punctuation is a
# sub-heading the scraper glued on ("... far apart. Kyiv's Position on Peace Talks").
_SENTENCE_END = re.compile(r"""[.!?]['"”’)\]]*\s+""")
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
    ends = list(_SENTENCE_END.finditer(line))
    if not ends:
        return (line, "") if not _is_heading(line) or len(line.split()) > MAX_SUBHEADING_WORDS else ("", line)
    tail = line[ends[-1].end() :]
    if tail and _is_heading(tail):
        return line[: ends[-1].end()].rstrip(), tail
    return line, ""


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
    """An aware UTC datetime from ISO 8601 or RFC 822 text (None when it cannot be read)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


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
    """An Article with cleaned fields, its stable id and its detected language (declared one as fallback)."""
    title = clean_line(title)
    url = clean_line(url)
    return Article(
        id=article_id(url, title, text),
        title=title,
        text=text,
        outlet=clean_line(outlet),
        url=url,
        published=published,
        source=source,
        language=detect_language(text, language),
        author=clean_line(author),
    )
