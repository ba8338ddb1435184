"""Feeds of every kind to articles; OPML; teasers; hostile items leave no trace in any output."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import lxml.html
import pytest

from digest.config import Settings
from digest.ingest import read_inputs
from digest.ingest.feed import FeedItem, parse_feed, parse_feed_items, parse_json_feed
from digest.ingest.opml import parse_opml
from digest.models import Article, Skip

CAPTURED = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
BODY = (
    "The Tarnwick harbour board voted on Monday to extend the northern quay by ninety metres, "
    "a project it says will let two cargo ships unload at once for the first time. "
    "Work is due to start in March and to take about eighteen months, the board said."
)
BODY_DE = (
    "Der Hafenrat von Tarnwick hat am Montag beschlossen, den nördlichen Kai um neunzig Meter zu "
    "verlängern. Damit sollen erstmals zwei Frachtschiffe gleichzeitig entladen werden können, "
    "teilte der Rat mit. Die Arbeiten sollen im März beginnen und etwa achtzehn Monate dauern."
)

RSS091 = f"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Tarnwick Post</title><link>https://post.example/</link>
<description>d</description><language>en-gb</language>
<item><title>Quay to grow by ninety metres</title><link>https://post.example/quay</link>
<description>{BODY}</description></item></channel></rss>""".encode()

RSS10 = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>Tarnwick RDF</title><link>https://rdf.example/</link>
<description>d</description></channel>
<item rdf:about="https://rdf.example/quay"><title>Quay extension approved</title>
<link>https://rdf.example/quay</link><description>{BODY}</description>
<dc:date>2026-11-23T09:00:00Z</dc:date><dc:creator>Ines Varga</dc:creator></item></rdf:RDF>""".encode()

RSS20 = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Harbour Wire</title><link>https://wire.example/</link><description>d</description>
<item><title>Board backs longer quay</title><link>https://wire.example/quay?utm_source=rss</link>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate><description>Short teaser.</description>
<content:encoded><![CDATA[<p>{BODY}</p><p>Dock workers welcomed the plan.</p>]]></content:encoded></item>
<item><title>Teaser only</title><link>https://wire.example/teaser</link>
<description>The harbour board met again on Monday evening to discuss the quay and other matters …</description></item>
</channel></rss>""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;b&gt;Kai&lt;/b&gt; Nachrichten</title>
<id>urn:x</id><updated>2026-11-23T12:00:00Z</updated>
<entry><title>Kai wird verlängert</title><id>urn:1</id><link rel="alternate" href="https://kai.example/kai"/>
<updated>2026-11-23T12:00:00Z</updated><author><name>Jonas Brandt</name></author>
<content type="html">&lt;p&gt;{BODY_DE}&lt;/p&gt;</content></entry></feed>""".encode()

JSONFEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Quay Daily",
        "items": [
            {
                "id": "1",
                "url": "https://daily.example/quay",
                "title": "Northern quay to be extended",
                "content_html": f"<p>{BODY}</p>",
                "date_published": "2026-11-23T08:00:00Z",
                "authors": [{"name": "Mara Lind"}],
            },
            "not an object",
        ],
    }
)

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="News"><outline text="Post" type="rss" xmlUrl="https://post.example/rss"/>
<outline text="Local" type="rss" xmlUrl="file:///etc/passwd"/>
<outline text="Wire" type="rss" xmlURL="https://wire.example/feed"/></outline></body></opml>"""


def _articles(items: list[Article | Skip]) -> list[Article]:
    return [a for a in items if isinstance(a, Article)]


def test_rss_091() -> None:
    [article] = _articles(list(parse_feed(RSS091, "p.xml")))
    assert article.title == "Quay to grow by ninety metres"
    assert article.outlet == "Tarnwick Post" and article.url == "https://post.example/quay"
    assert article.language == "en" and article.text.startswith("The Tarnwick harbour board")


def test_rss_10_rdf() -> None:
    [article] = _articles(list(parse_feed(RSS10, "r.xml")))
    assert article.published == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert article.author == "Ines Varga" and article.outlet == "Tarnwick RDF"


def test_rss_20_prefers_full_content_and_marks_teasers() -> None:
    items = list(parse_feed_items(RSS20, "w.xml"))
    full, teaser = items
    assert isinstance(full, FeedItem) and isinstance(teaser, FeedItem)
    assert full.full and not full.teaser and "Dock workers" in full.html
    assert teaser.teaser and not teaser.full
    [article, short] = list(parse_feed(RSS20, "w.xml"))
    assert isinstance(article, Article) and "Dock workers welcomed the plan." in article.text
    assert isinstance(short, Article)  # a teaser is still kept when nothing is fetched


def test_atom_html_title_is_plain_text_and_german_is_detected() -> None:
    [article] = _articles(list(parse_feed(ATOM, "a.xml")))
    assert article.outlet == "Kai Nachrichten"
    assert article.language == "de"
    assert article.author == "Jonas Brandt" and article.url == "https://kai.example/kai"


def test_json_feed() -> None:
    items = list(parse_json_feed(JSONFEED, "j.json"))
    article, bad = items
    assert isinstance(article, Article) and article.author == "Mara Lind" and article.outlet == "Quay Daily"
    assert isinstance(bad, Skip) and bad.kind == "bad-record"


def test_feedparser_never_gets_a_str() -> None:
    with pytest.raises(TypeError):
        list(parse_feed_items("/etc/passwd", "x"))  # type: ignore[arg-type]


def test_not_a_feed_is_one_counted_skip() -> None:
    [skip] = list(parse_feed(b"<html><body>hello</body></html>", "x.xml"))
    assert isinstance(skip, Skip) and skip.kind == "not-a-feed"


def test_opml_lists_http_feeds_only() -> None:
    feeds = parse_opml(OPML, "subs.opml")
    assert [f.url for f in feeds] == ["https://post.example/rss", "https://wire.example/feed"]
    assert feeds[0].title == "Post"


def test_folder_of_feeds_counts_every_skip(tmp_path: Path) -> None:
    (tmp_path / "a.rss").write_bytes(RSS20)
    (tmp_path / "b.atom").write_bytes(ATOM)
    (tmp_path / "c.json").write_text(JSONFEED, encoding="utf-8")
    (tmp_path / "d.opml").write_bytes(OPML)
    (tmp_path / "e.xml").write_bytes(b"<rss><channel><item>\x00\xff broken")
    (tmp_path / "f.rdf").write_bytes(RSS10)
    result = read_inputs([str(tmp_path)], CAPTURED)
    assert len(result.articles) == 5
    kinds = sorted(s.kind for s in result.skipped)
    assert kinds == ["bad-record", "no-text", "opml"]  # the broken file parses loosely to an empty item


# --- hostile items: a canary file that no output may mention ---------------------------------

CANARY_TEXT = "CANARY-7f3a9c-SECRET-CONTENT"


def _hostile_feed(canary: Path) -> bytes:
    uri = canary.as_uri()
    html = (
        f'<p>{BODY}</p><p><img src="{uri}"> <a rel="attachment" href="{uri}">attached</a> '
        f'<link rel="attachment" href="{uri}"> <span style="background:url({uri})">styled</span> '
        f'<style>body{{background:url("{uri}")}}</style><iframe src="{uri}"></iframe>'
        f'<object data="{uri}"></object><svg><image href="{uri}" xlink:href="{uri}"/></svg>'
        f'<script>alert("x")</script><a href="javascript:alert(1)" onclick="alert(2)">click</a>'
        f'<b onmouseover="alert(3)">bold</b> The quay will open in 2028.</p>'
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile Herald</title><id>urn:h</id>
<updated>2026-11-23T12:00:00Z</updated>
<link rel="attachment" href="{uri}"/>
<entry><title>Quay plan approved</title><id>urn:h1</id>
<link rel="alternate" href="{uri}"/><link rel="attachment" href="{uri}"/><link rel="enclosure" href="{uri}"/>
<updated>2026-11-23T12:00:00Z</updated>
<content type="html"><![CDATA[{html}]]></content></entry>
<entry><title>Second item</title><id>urn:h2</id><link rel="alternate" href="javascript:alert(1)"/>
<updated>2026-11-23T13:00:00Z</updated>
<content type="html"><![CDATA[<p onload="x()">{BODY_DE}</p>]]></content>
</entry></feed>""".encode()


def test_hostile_feed_leaves_no_trace_in_any_output(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from digest.pipeline import build_day

    canary = tmp_path / "secret" / "canary-file.txt"
    canary.parent.mkdir()
    canary.write_text(CANARY_TEXT, encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "hostile.atom").write_bytes(_hostile_feed(canary))
    out = tmp_path / "out"
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'store.db'}")
    report = build_day(settings, dt.date(2026, 11, 23), out, [str(inbox)], captured=CAPTURED)
    assert report.articles == 2
    stored = json.loads((out / "2026-11-23" / "briefing.json").read_text(encoding="utf-8"))
    texts = {a["title"]: a for s in stored["stories"] for a in s["articles"]}
    assert texts["Quay plan approved"]["url"] == ""  # the file:// link was dropped
    assert texts["Second item"]["url"] == "" and texts["Second item"]["language"] == "de"
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"briefing.html", "email.html", "briefing.txt", "briefing.json", "briefing.pdf"}
    needles = [CANARY_TEXT, str(canary), canary.as_uri(), "canary-file", "file://"]
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle} leaked into {path.name}"
    pdf = PdfReader(io.BytesIO((out / "2026-11-23" / "briefing.pdf").read_bytes()))
    assert not pdf.attachments
    assert "/EmbeddedFiles" not in str(pdf.trailer["/Root"].get("/Names", {}))
    assert "Quay plan approved" in "".join(p.extract_text() for p in pdf.pages)
    for name in ("briefing.html", "email.html"):
        html = (out / "2026-11-23" / name).read_text(encoding="utf-8")
        doc = lxml.html.fromstring(html)
        assert not doc.xpath("//script | //iframe | //object | //embed")
        assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
        assert not re.search(r"javascript:", html, re.IGNORECASE)
        assert "alert(" not in html
