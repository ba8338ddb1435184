"""Helpers shared by the render tests: a small day with hostile text, HTML and PDF inspection."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

from digest.models import Article, Briefing, Story, SummarySentence

FIXTURES = Path(__file__).parent / "fixtures"
DAY = dt.date(2026, 11, 24)


def hostile_articles() -> list[Article]:
    """The three articles of tests/fixtures/hostile.jsonl as records (ingestion is not under test)."""
    out = []
    for i, line in enumerate((FIXTURES / "hostile.jsonl").read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        out.append(
            Article(
                id=f"h{i}",
                title=raw["title"],
                text=raw["text"],
                outlet=raw["outlet"],
                url=raw["url"],
                published=dt.datetime.fromisoformat(raw["published"]),
            )
        )
    return out


def _sentences(article: Article, count: int) -> tuple[SummarySentence, ...]:
    return tuple(SummarySentence(p, (article.id,)) for p in article.text.split("\n\n")[:count])


def small_day(extra_references: str = "") -> Briefing:
    """Two multi-article stories (one made of hostile articles) and two one-article stories."""
    hostile = hostile_articles()
    evil = Article(
        id="h9",
        title='Evil <img src=x onerror="alert(1)"> title' + extra_references,
        text=(
            'A sentence with <script>alert("x")</script> and <a href="javascript:alert(2)">a link</a> in it. '
            "Another line with url(file:///etc/passwd) and <style>body{background:url(file:///etc/passwd)}</style>."
            + extra_references
        ),
        outlet='Outlet" onmouseover="alert(3)',
        url="file:///etc/passwd",
    )
    calm = [
        Article(
            id=f"c{i}",
            title=f"Tollmere rail operator adds {i + 1}0 trains",
            text=f"Midland Rail will run {i + 1}0 more trains a day from December, the operator said.\n\nFares stay.",
            outlet=outlet,
            url=f"https://{outlet.split()[0].lower()}.example/rail-{i}",
            published=dt.datetime(2026, 11, 23, 9 + i, tzinfo=dt.UTC),
        )
        for i, outlet in enumerate(("Capital Dispatch", "Meridian Wire", "Harbour Herald"))
    ]
    lone = Article(
        id="l1",
        title="Lindenhall Museum reopens after renovation",
        text="The Lindenhall Museum reopened on Monday after three years.\n\nEntry is free in December.",
        outlet="Coastline Post",
        url="mailto:desk@coastline.example",
    )
    stories = (
        Story(
            id="glenmoor",
            label='Glenmoor <b>budget</b> & "council"',
            headline=hostile[0].title,
            articles=(*hostile, evil),
            summary=(*_sentences(hostile[0], 2), *_sentences(hostile[1], 2), *_sentences(evil, 1)),
            status="developing",
        ),
        Story(
            id="rail",
            label="Tollmere · Midland Rail",
            headline=calm[0].title,
            articles=tuple(calm),
            summary=tuple(s for a in calm for s in _sentences(a, 1)),
        ),
        Story(
            id="museum", label="Lindenhall Museum", headline=lone.title, articles=(lone,), summary=_sentences(lone, 1)
        ),
        Story(id="evil-single", label="<script>x</script>", headline=evil.title, articles=(evil,), summary=()),
    )
    return Briefing(day=DAY, title="Morning briefing", stories=stories)


class ParsedHTML(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in a.get("class", "").split())]


def assert_inert(html: str) -> ParsedHTML:
    """Fail if the HTML has anything active or local: scripts, handlers, bad hrefs, file:// anywhere."""
    doc = ParsedHTML(html)
    for tag, attrs in doc.tags:
        assert tag not in {"script", "iframe", "object", "embed", "form", "base", "link", "meta"} or (
            tag == "meta" and "http-equiv" not in attrs
        ), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            low = value.strip().lower()
            if name in {"href", "src", "action", "xlink:href", "data"}:
                assert low.startswith(("http://", "https://", "mailto:", "#", "data:image/")) or (
                    tag == "a" and low.endswith((".html", ".pdf"))
                ), (tag, name, value)
            if name == "style":
                assert "url(" not in low and "expression" not in low, value
    assert "file:" not in "".join(v for _, a in doc.tags for v in a.values()).lower()
    return doc


def pdf_objects(data: bytes) -> Iterator[bytes]:
    """Every object of a PDF as bytes (streams decoded), for searching what a PDF really holds."""
    import io

    reader = PdfReader(io.BytesIO(data))
    for num in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(num)
        except Exception:  # free entries and the xref stream itself
            continue
        if obj is None:
            continue
        if isinstance(obj, StreamObject):
            yield obj.get_data()
            yield repr({k: v for k, v in obj.items()}).encode()
        else:
            yield repr(obj).encode()


def outline_titles(reader: PdfReader) -> list[str]:
    """The titles of every bookmark, depth first."""
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def resolve(obj: object) -> object:
    """Follow an indirect reference."""
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def embedded_fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """Every font on every page, with whether its program is embedded in the file."""
    fonts = []
    for page in reader.pages:
        resources = resolve(page.get("/Resources")) or DictionaryObject()
        for font in (resolve(resources.get("/Font")) or {}).values():  # type: ignore[union-attr]
            font = resolve(font)
            descendants = font.get("/DescendantFonts")
            target = resolve(resolve(descendants)[0]) if descendants else font
            descriptor = resolve(target.get("/FontDescriptor")) or {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font.get("/BaseFont")), embedded))
    return fonts


# What WeasyPrint logs for every font on a machine without libharfbuzz-subset0 (it subsets with
# fontTools instead): a system library's notice, not a problem of our PDF (scripts/setup-system.sh
# installs the library where it can).
FONTTOOLS_NOTICE = "Using fontTools instead of HarfBuzz-Subset"


class RecordWeasyLogs(logging.Handler):
    """Collect what WeasyPrint logs at WARNING or above (but its fontTools fallback notice)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not str(record.msg).startswith(FONTTOOLS_NOTICE):
            self.records.append(record)


@contextlib.contextmanager
def weasy_logs() -> Iterator[list[logging.LogRecord]]:
    """The WARNING+ records WeasyPrint logs inside the block."""
    handler = RecordWeasyLogs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
