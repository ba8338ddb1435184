"""[briefing] base_url: the email's "view in browser" link, the text's, absolute feed links, canonical URL."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import lxml.html

from digest.config import BriefingSettings, Settings
from digest.pipeline import build_day
from tests.conftest import FIXTURES

DAY = dt.date(2026, 11, 22)
BASE = "https://briefing.example.org/"


def _build(tmp_path: Path, base_url: str) -> Path:
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'store.db'}", briefing=BriefingSettings(base_url=base_url))
    build_day(settings, DAY, tmp_path / "out", [str(FIXTURES / "three_days" / f"{DAY}.jsonl")], pdf=False)
    return tmp_path / "out"


def test_with_base_url_the_email_text_feed_and_page_link_the_public_archive(tmp_path: Path) -> None:
    out = _build(tmp_path, BASE)
    url = f"{BASE}{DAY}/briefing.html"
    email = lxml.html.fromstring((out / str(DAY) / "email.html").read_bytes())
    assert url in email.xpath("//a/@href")
    assert f"On the web: {url}" in (out / str(DAY) / "briefing.txt").read_text("utf-8")
    page = lxml.html.fromstring((out / str(DAY) / "briefing.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [url]
    # The page's own day links stay relative: the archive also works from disk.
    assert page.xpath("//nav[@class='days']//a/@href") == ["../index.html", "briefing.pdf"]
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    assert feed.find("a:link[@rel='self']", ns).get("href") == f"{BASE}feed.xml"  # type: ignore[union-attr]
    assert feed.find("a:link[@rel='alternate']", ns).get("href") == f"{BASE}index.html"  # type: ignore[union-attr]
    assert feed.find("a:entry/a:link", ns).get("href") == url  # type: ignore[union-attr]


def test_without_base_url_nothing_links_outside_the_archive(tmp_path: Path) -> None:
    out = _build(tmp_path, "")
    assert "On the web" not in (out / str(DAY) / "briefing.txt").read_text("utf-8")
    email = (out / str(DAY) / "email.html").read_text("utf-8")
    assert "Read this briefing on the web" not in email
    page = lxml.html.fromstring((out / str(DAY) / "briefing.html").read_bytes())
    assert not page.xpath("//link[@rel='canonical']")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    assert feed.find("a:entry/a:link", ns).get("href") == f"{DAY}/briefing.html"  # type: ignore[union-attr]
    assert replace(Settings(), out_dir="x").briefing.day_url(DAY) == ""
