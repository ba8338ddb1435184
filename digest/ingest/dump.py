"""Scraped page dumps: a main article, page furniture, then a "Related Articles" block.

The shape (see tests/fixtures/*dump*.txt)::

    Title of the main article
    paragraph lines ...
    Short link :               <- page furniture from here on
    Post Views: 7
    ...
    Related Articles
    Arab News                  <- outlet
    an hour ago                <- time relative to when the page was captured
    - Arab News                <- the outlet again
    Title of a related article
    body line(s)

Nothing here knows a particular site: furniture is recognised by generic patterns (share/view
counters, comment prompts, promos) and by position (the short lines trailing the body), and a
related article is recognised by an outlet line followed by a relative-time line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..models import Article
from .common import clean_body, clean_line, make_article

__all__ = ["is_page_dump", "parse_page_dump", "parse_relative_time"]

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Keyed by the unit's first letters; a month is taken as 30 days and a year as 365.
_UNIT_SECONDS = {
    "sec": 1,
    "min": 60,
    "h": 3600,
    "day": 86400,
    "wee": 7 * 86400,
    "mon": 30 * 86400,
    "yea": 365 * 86400,
}
_RELATIVE_RE = re.compile(
    r"^(?:(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?P<unit>sec(?:ond)?|min(?:ute)?|h(?:ou)?r|day|week|month|year)s?\s+ago"
    r"|(?P<word>just now|now|today|yesterday))\.?$",
    re.IGNORECASE,
)
_RELATED_RE = re.compile(
    r"^(?:related|recommended|more|similar|you may also like|read (?:more|also|next)|"
    r"trending|latest|more from)(?: (?:articles?|stories|posts|news|reads?|on this topic))?:?$",
    re.IGNORECASE,
)
# Lines that are page furniture wherever they appear. Generic, not tied to one site.
_FURNITURE_RE = re.compile(
    r"^(?:short ?link\s*:?.*|(?:post |page )?views?\s*:?\s*[\d,.]+[kKmM]?|[\d,.]+[kKmM]?\s+views?"
    r"|shares?\s*:?\s*[\d,.]*|share(?: this)?(?: (?:article|story|post|page))?\s*:?"
    r"|try our .*features?|explore what .* can do(?: for you)?\s*:?"
    r"|comments?(?:\s*\(\d+\))?\s*:?|\d+ comments?|no comments yet\.*|be the first to comment.*"
    r"|leave a (?:comment|reply).*|add a comment.*|post a comment.*|log ?in to comment.*"
    r"|advertisement|sponsored(?: content)?|ads? by .*|loading\.*"
    r"|(?:tags?|topics?|categories|filed under)\s*:.*|read (?:more|also|next)\s*:.*"
    r"|follow us.*|subscribe.*|sign up.*|newsletter.*|download (?:our|the) app.*"
    r"|(?:click|tap) here.*|print|email|facebook|twitter|x|whatsapp|linkedin|telegram|reddit|copy link"
    r"|copyright.*|©.*|all rights reserved.*|skip to (?:main )?content|back to top|menu|search"
    r"|previous (?:article|post)|next (?:article|post)|(?:updated|published)\s*:?\s*.{0,40}\d{4}.*)$",
    re.IGNORECASE,
)
_LEADING_OUTLET_RE = re.compile(r"^[-–—•·|]\s*(.+)$")
MAX_OUTLET_WORDS = 6  # outlet names are short; a longer line is a headline or prose
MIN_BODY_WORDS = 12  # a "related article" with less text than this is a teaser, not an article


def parse_relative_time(text: str, captured: dt.datetime) -> dt.datetime | None:
    """The moment "an hour ago" / "4 hours ago" / "yesterday" means, counted back from captured."""
    m = _RELATIVE_RE.match(text.strip())
    if not m:
        return None
    if m["word"]:
        return captured - dt.timedelta(days=1) if m["word"].lower() == "yesterday" else captured
    n = m["n"].lower()
    count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
    unit = m["unit"].lower()
    seconds = _UNIT_SECONDS["h" if unit.startswith("h") else unit[:3]]
    try:
        return captured - dt.timedelta(seconds=count * seconds)
    except OverflowError:  # "99999999 years ago": no such date; the article stays, undated
        return None


def _is_furniture(line: str) -> bool:
    return bool(_FURNITURE_RE.match(line.strip()))


def _is_short_label(line: str) -> bool:
    text = line.strip()
    return 0 < len(text.split()) <= MAX_OUTLET_WORDS and text[-1:] not in ".!?"


def _related_starts(lines: list[str]) -> list[int]:
    """Indices of outlet lines that open a related-article block (outlet, then relative time)."""
    starts = []
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    for k, i in enumerate(nonblank[:-1]):
        nxt = lines[nonblank[k + 1]]
        if _is_short_label(lines[i]) and _RELATIVE_RE.match(nxt.strip()) and not _RELATIVE_RE.match(lines[i].strip()):
            starts.append(i)
    return starts


def is_page_dump(text: str) -> bool:
    """True when the text has the related-articles shape of a scraped page dump."""
    lines = text.splitlines()
    return bool(_related_starts(lines)) and any(_RELATED_RE.match(x.strip()) or _is_furniture(x) for x in lines)


def _main_article(lines: list[str]) -> tuple[str, list[str]]:
    """Title and body lines of the main article; furniture after the body is dropped."""
    content = [x.strip() for x in lines if x.strip()]
    if not content:
        return "", []
    title, rest = content[0], content[1:]
    body: list[str] = []
    for line in rest:
        if _is_furniture(line) or _RELATED_RE.match(line):
            break  # everything after the first furniture line is page chrome
        body.append(line)
    # Short label-like lines trailing the body (promos, widget titles) are chrome too.
    while body and _is_short_label(body[-1]) and len(body[-1].split()) < MAX_OUTLET_WORDS:
        body.pop()
    return title, body


def _related_article(block: list[str]) -> tuple[str, str, list[str]]:
    """(outlet, title, body lines) of one related block (its first two lines are outlet + time)."""
    outlet = block[0].strip()
    rest = [x.strip() for x in block[2:] if x.strip()]
    # Drop the repeated outlet line ("- Arab News") and any bare repeats of it.
    rest = [x for x in rest if x != outlet and (_LEADING_OUTLET_RE.match(x) or [None, ""])[1] != outlet]
    rest = [x for x in rest if not _is_furniture(x)]
    if not rest:
        return outlet, "", []
    return outlet, rest[0], rest[1:]


def parse_page_dump(text: str, source: str, captured: dt.datetime) -> Iterator[Article]:
    """The articles of a page dump: the main one first, then each related article.

    Relative times are resolved against ``captured`` (the moment the page was saved); the
    main article, which carries no time of its own, is dated at the capture time.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = _related_starts(lines)
    marker = next((i for i, x in enumerate(lines) if _RELATED_RE.match(x.strip())), None)
    main_end = min([i for i in [marker, *starts[:1]] if i is not None], default=len(lines))
    n = 0
    title, body = _main_article(lines[:main_end])
    if title and body:
        n += 1
        yield make_article(title=title, text=clean_body(body), source=f"{source}#{n}", published=captured)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        outlet, rel_title, rel_body = _related_article(lines[start:end])
        body_text = clean_body(rel_body)
        if not rel_title or len(body_text.split()) < MIN_BODY_WORDS:
            continue
        time_line = next(x for x in lines[start + 1 : end] if x.strip())
        n += 1
        yield make_article(
            title=clean_line(rel_title),
            text=body_text,
            outlet=outlet,
            published=parse_relative_time(time_line, captured),
            source=f"{source}#{n}",
        )
