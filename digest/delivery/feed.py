"""The archive's Atom feed (OUT/feed.xml): the latest days, each with its stories' headlines."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from ..config import Settings
from ..errors import DeliveryError
from ..models import Briefing
from ..text import format_day
from .archive import archive_days, read_briefing_stories, write_atomic

__all__ = ["write_feed"]

LOGGER = logging.getLogger(__name__)


FEED_ENTRIES = 30  # a month of mornings: enough for a reader that was away, small enough to poll
_XML_BAD_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATOM = "http://www.w3.org/2005/Atom"


def _xml_text(value: str) -> str:
    return _XML_BAD_RE.sub("", value)


def write_feed(out_dir: Path, settings: Settings, latest: Briefing | None = None) -> Path:
    """Write OUT/feed.xml, an Atom feed of the latest briefings in the archive (atomically).

    Entries carry no clock: each is dated at its day's cut-off, so a rebuild gives the same bytes.
    The day just built (latest) is listed from its Briefing; earlier days from their briefing.json.
    Raises DeliveryError when the file cannot be written.
    """
    ET.register_namespace("", _ATOM)
    b = settings.briefing
    base = b.base_url  # with briefing.base_url the links are absolute, as feed readers prefer
    days = archive_days(out_dir)[-FEED_ENTRIES:][::-1]
    feed = ET.Element(f"{{{_ATOM}}}feed")
    ET.SubElement(feed, f"{{{_ATOM}}}title").text = _xml_text(b.title)
    ET.SubElement(feed, f"{{{_ATOM}}}id").text = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest-feed:' + b.title)}"
    ET.SubElement(feed, f"{{{_ATOM}}}link", rel="self", href=f"{base}feed.xml")
    ET.SubElement(feed, f"{{{_ATOM}}}link", rel="alternate", type="text/html", href=f"{base}index.html")
    updated = ET.SubElement(feed, f"{{{_ATOM}}}updated")
    updated.text = b.cutoff(days[0]).isoformat() if days else "1970-01-01T00:00:00+00:00"
    ET.SubElement(ET.SubElement(feed, f"{{{_ATOM}}}author"), f"{{{_ATOM}}}name").text = "digest"
    for day in days:
        if latest is not None and day == latest.day:
            headlines = [story.headline for story in latest.stories]
        else:
            headlines = _day_headlines(out_dir, day)
        entry = ET.SubElement(feed, f"{{{_ATOM}}}entry")
        ET.SubElement(entry, f"{{{_ATOM}}}title").text = _xml_text(f"{b.title}: {format_day(day)}")
        ET.SubElement(
            entry, f"{{{_ATOM}}}id"
        ).text = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest-day:' + day.isoformat())}"
        ET.SubElement(entry, f"{{{_ATOM}}}updated").text = b.cutoff(day).isoformat()
        ET.SubElement(
            entry, f"{{{_ATOM}}}link", rel="alternate", type="text/html", href=f"{base}{day.isoformat()}/briefing.html"
        )
        summary = ET.SubElement(entry, f"{{{_ATOM}}}summary", type="text")
        summary.text = _xml_text("\n".join(headlines) if headlines else "No stories.")
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
    target = out_dir / "feed.xml"
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise DeliveryError(f"cannot write the feed {target}: {exc.strerror or exc}") from exc
    return target


def _day_headlines(out_dir: Path, day: dt.date) -> list[str]:
    try:
        return [str(s.get("headline", "")) for s in read_briefing_stories(out_dir / day.isoformat())]
    except (OSError, ValueError, AttributeError) as exc:
        LOGGER.warning("feed: cannot read %s/briefing.json (%s); listing the day without headlines", day, exc)
        return []
