"""HTML fragments (feed content) to plain paragraphs, without ever following a reference."""

from __future__ import annotations

import lxml.html
from lxml import etree

__all__ = ["html_to_paragraphs"]

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
}
_DROP = {
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "template",
    "figure",
    "figcaption",
    "form",
    "button",
    "nav",
    "aside",
    "footer",
    "header",
    "head",
    "title",
}


def html_to_paragraphs(fragment: str) -> list[str]:
    """The text of an HTML fragment, one string per block; active and embedded content dropped."""
    if not fragment or not fragment.strip():
        return []
    if "<" not in fragment:
        return [" ".join(fragment.split())]
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return [" ".join(fragment.split())]
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(current).split())
        if text:
            parts.append(text)
        current.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP:
            if el.tail:
                current.append(el.tail)
            return
        if tag in _BLOCKS:
            flush()
        if el.text and tag:
            current.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return parts
