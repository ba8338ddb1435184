"""Plain-text articles: an optional title line and a blank line, then the body."""

from __future__ import annotations

import datetime as dt

from ..models import Article
from .common import TITLE_LINE_MAX_CHARS, clean_body, clean_line, make_article

__all__ = ["parse_text_article"]


def parse_text_article(text: str, source: str, published: dt.datetime | None = None) -> Article | None:
    """One article from a plain-text file (None when the file holds no text); untitled, its first sentence titles it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    title = ""
    first = lines[0].strip()
    if len(lines) > 1 and not lines[1].strip() and len(first) <= TITLE_LINE_MAX_CHARS and first[-1:] not in ".,;":
        title, lines = first, lines[2:]
    body_lines: list[str] = []
    para: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            para.append(line.strip())
        elif para:
            body_lines.append(" ".join(para))
            para = []
    body = clean_body(body_lines)
    if not body:
        return None
    return make_article(title=clean_line(title), text=body, source=source, published=published)
