"""Hostile and unlucky inputs (issue 12): each is skipped alone, with a reason, or cleaned; never fatal.

The corpus is tests/hostile/ (written for the project by tests/hostile/generate.py; its README
lists every file). A file name that is not UTF-8 cannot be kept in git portably, so the tests that
need one copy the corpus into a temporary folder and add it there.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from digest.ingest import read_inputs
from digest.ingest.common import parse_datetime, sanitize_text
from digest.ingest.feed import parse_feed, parse_json_feed
from digest.ingest.files import decode_text
from digest.ingest.page import MAX_EXTRACT_CHARS, parse_html_page, trim_page
from digest.ingest.records import parse_json_records, parse_jsonl_records
from digest.models import Article, Skip
from digest.store import open_store

HOSTILE = Path(__file__).parent / "hostile"
CAPTURED = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC)
# Never in any article field, whatever the input: ESC, BEL, NUL, other C0/C1 controls, bidi
# overrides/embeddings/isolates/marks, lone surrogates.
FORBIDDEN = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]} | {
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
}
NON_UTF8_NAME = b"caf\xe9 menu.txt"


def _clean(value: str) -> bool:
    return not any(c in FORBIDDEN or "\ud800" <= c <= "\udfff" for c in value)


def _fields(article: Article) -> list[str]:
    return [article.title, article.text, article.outlet, article.url, article.source, article.author, article.language]


def hostile_copy(folder: Path) -> Path:
    """The corpus copied into folder, plus a file whose name is not UTF-8."""
    target = folder / "hostile"
    shutil.copytree(HOSTILE, target, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    name = NON_UTF8_NAME.decode("utf-8", "surrogateescape")
    (target / name).write_bytes(
        b"Menu after the flood\n\nThe cafe menu of Marlow Bridge changed after the flood on Sunday, its owner said.\n"
    )
    return target


def test_lone_surrogates_in_json_are_dropped_and_the_articles_store(tmp_path: Path) -> None:
    """Case 2: a lone surrogate in a JSON, JSONL or JSON Feed string used to crash add_articles."""
    items = [
        *parse_json_records((HOSTILE / "surrogate.json").read_text(encoding="utf-8"), "surrogate.json"),
        *parse_jsonl_records(
            '{"title": "T \\ud83d", "text": "body \\udc00 of it", "url": "https://x.example/\\ud800"}', "l"
        ),
        *parse_json_feed((HOSTILE / "surrogate_feed.json").read_text(encoding="utf-8"), "feed.json"),
    ]
    articles = [a for a in items if isinstance(a, Article)]
    assert len(articles) == 4
    assert all(_clean(f) for a in articles for f in _fields(a))
    assert articles[1].url == "https://x.example/" and articles[0].title == "Council meets on repairs"
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert store.add_articles(articles) == 4


def test_a_file_name_that_is_not_utf8_is_read_and_stored(tmp_path: Path) -> None:
    """Case 2: the source of a file whose name is not UTF-8 shows the bad byte as \\xNN."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / NON_UTF8_NAME.decode("utf-8", "surrogateescape")).write_bytes(
        b"Title\n\nA sentence long enough to be an article about the menu of a cafe.\n"
    )
    result = read_inputs([str(folder)], CAPTURED)
    assert [a.source.rsplit("/", 1)[-1] for a in result.articles] == ["caf\\xe9 menu.txt"]
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert store.add_articles(result.articles) == 1


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-14:00", "Fri, 31 Dec 9999 23:59:59 -1400", "0001-01-01T00:00:00+14:00", "99999-01-01"],
)
def test_out_of_range_dates_read_as_undated(value: str) -> None:
    """Case 3: OverflowError from parse_datetime used to escape every reader."""
    assert parse_datetime(value) is None


def test_out_of_range_dates_keep_the_article_in_every_reader() -> None:
    """Case 3, through JSON records, an RSS feed and a JSON Feed: the item stays, undated."""
    record = next(parse_json_records((HOSTILE / "overflow_date.json").read_text(encoding="utf-8"), "r.json"))
    feed = next(parse_feed((HOSTILE / "overflow_date.rss").read_bytes(), "f.rss"))
    jfeed = next(parse_json_feed((HOSTILE / "surrogate_feed.json").read_text(encoding="utf-8"), "f.json"))
    for item in (record, feed, jfeed):
        assert isinstance(item, Article) and item.published is None


def test_one_bad_jsonl_line_skips_only_that_line() -> None:
    """Case 6: 100k-deep nesting (RecursionError) and a surrogate in a URL lose nothing else."""
    items = list(parse_jsonl_records((HOSTILE / "mixed.jsonl").read_text(encoding="utf-8"), "m.jsonl"))
    kinds = [(i.source, "article" if isinstance(i, Article) else i.kind) for i in items]
    assert kinds == [
        ("m.jsonl#1", "article"),
        ("m.jsonl#2", "bad-json"),
        ("m.jsonl#3", "article"),
        ("m.jsonl#4", "bad-json"),
        ("m.jsonl#5", "bad-record"),
        ("m.jsonl#6", "article"),
    ]
    assert isinstance(items[1], Skip) and "nested too deeply" in items[1].reason


def test_control_and_bidi_characters_never_reach_an_article() -> None:
    items = [
        *parse_json_records((HOSTILE / "controls.json").read_text(encoding="utf-8"), "c.json"),
        *read_inputs([str(HOSTILE / "controls.txt")], CAPTURED).articles,
    ]
    assert len(items) == 2
    for article in items:
        assert isinstance(article, Article) and all(_clean(f) for f in _fields(article))
    assert "Sandbag stations" in items[0].text and "opened in Marlow Bridge on Sunday" in items[0].text
    assert items[0].outlet == "Control Times"


def test_sanitize_text_keeps_paragraphs_only_when_asked() -> None:
    raw = "one\x1b[0m\r\ntwo\u202e\x00\tthree\ud83d"
    assert sanitize_text(raw, multiline=True) == "one[0m\ntwo\tthree"
    assert sanitize_text(raw) == "one[0m two three"
    assert sanitize_text(None) == ""


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("utf16_bom.txt", "Caf\u00e9 owners count the cost"),
        ("utf16be_nobom.txt", "Shop owners count the cost"),
        ("cp1252.txt", "Bakers count the cost"),
        ("bad_utf8.txt", "Grocers count the cost"),
    ],
)
def test_text_files_in_other_encodings_read_without_mojibake(name: str, title: str) -> None:
    (article,) = read_inputs([str(HOSTILE / name)], CAPTURED).articles
    assert article.title == title
    assert "caf\u00e9s of Marlow Bridge \u2014 \u201cruined\u201d" in article.text


def test_decode_text_follows_the_declared_charset() -> None:
    data = '<?xml version="1.0" encoding="iso-8859-7"?><p>\u0391\u03b8\u03ae\u03bd\u03b1</p>'.encode("iso-8859-7")
    assert "\u0391\u03b8\u03ae\u03bd\u03b1" in decode_text(data)
    assert decode_text("na\u00efve caf\u00e9".encode() + b"\xff") == "na\u00efve caf\u00e9\ufffd"


def test_every_hostile_file_is_read_or_skipped_with_a_reason(tmp_path: Path) -> None:
    result = read_inputs([str(hostile_copy(tmp_path))], CAPTURED)
    names = Counter(a.source.rsplit("/", 1)[-1].split("#")[0] for a in result.articles)
    assert names["good_1.json"] == 1 and names["mixed.jsonl"] == 3 and names["surrogate_feed.json"] == 2
    assert "caf\\xe9 menu.txt" in names
    assert all(_clean(f) for a in result.articles for f in _fields(a))
    skipped = {s.source.rsplit("/", 1)[-1]: s.kind for s in result.skipped}
    assert skipped == {
        "billion_laughs.xml#1": "no-text",
        "deep.json": "unreadable",
        "empty.json": "unreadable",
        "mixed.jsonl#2": "bad-json",
        "mixed.jsonl#4": "bad-json",
        "mixed.jsonl#5": "bad-record",
        "not_a_feed.rss": "not-a-feed",
        "page.html": "too-short",
        "surrogate_feed.json#2": "bad-record",
        "truncated.json": "unreadable",
    }
    assert all(s.reason and _clean(s.reason) and _clean(s.source) for s in result.skipped)
    json.dumps([a.to_json() for a in result.articles], ensure_ascii=False).encode("utf-8")  # encodable


def test_a_page_under_the_size_limit_reaches_trafilatura_capped() -> None:
    """A 4.9 MB page once took 61-99 s and 1.5 GB: trafilatura now gets at most MAX_EXTRACT_CHARS."""

    links = "<html><body>" + '<a href="/x">a link to another page</a> ' * 120_000 + "</body></html>"
    assert len(links) > 4 * MAX_EXTRACT_CHARS
    assert len(trim_page(links)) <= MAX_EXTRACT_CHARS
    # Scripts and styles go before anything is cut, so an article after 2 MB of them survives.
    article = "".join(f"<p>{PARA} Paragraph {n} of the report.</p>" for n, PARA in enumerate([LONG] * 6))
    page = (
        "<html><head><title>Flood report</title><style>" + "p{color:red}" * 100_000 + "</style>"
        "<script>"
        + "var x = 1;" * 100_000
        + "</script></head><body><article><h1>Flood report</h1>"
        + article
        + "</article></body></html>"
    )
    assert len(page) > 2 * MAX_EXTRACT_CHARS and "Paragraph 5 of the report." in trim_page(page)
    result = parse_html_page(page, "report.html")
    assert isinstance(result, Article) and "Paragraph 5 of the report." in result.text


LONG = (
    "The River Aller burst its banks at Marlow Bridge on Sunday evening and flooded the old town, and "
    "emergency crews moved two hundred residents from the riverside streets to the school hall."
)
