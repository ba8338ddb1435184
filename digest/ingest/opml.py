"""OPML subscription lists: the feeds they name (a list of sources, not articles)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..errors import InputError

__all__ = ["OpmlFeed", "is_opml", "parse_opml"]

MAX_FEEDS = 500  # a personal reading list has tens of feeds; more is a dump, not a list
# No DTDs, no entities, no network, no huge trees: an OPML file is untrusted XML.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed an OPML list subscribes to."""

    title: str
    url: str


def is_opml(data: bytes) -> bool:
    """True when the document's root element is <opml>."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return b"<opml" in head


def parse_opml(data: bytes, source: str) -> tuple[OpmlFeed, ...]:
    """The http(s) feeds an OPML document lists, in order, without repeats.

    Raises InputError when it is not OPML.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source} is not readable OPML ({exc})") from exc
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise InputError(f"{source} is not an OPML document")
    feeds: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items() if isinstance(k, str)}
        url = (attrs.get("xmlurl") or "").strip()
        if url.lower().startswith(("http://", "https://")) and url not in feeds:
            feeds[url] = OpmlFeed((attrs.get("title") or attrs.get("text") or "").strip(), url)
        if len(feeds) >= MAX_FEEDS:
            break
    return tuple(feeds.values())
