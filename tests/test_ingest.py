from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from digest.errors import InputError
from digest.ingest import read_file, read_inputs
from digest.ingest.common import split_subheading
from digest.ingest.dump import is_page_dump, parse_page_dump, parse_relative_time
from digest.ingest.plaintext import parse_text_article
from digest.models import Skip
from tests.conftest import CAPTURED, FIXTURES, FURNITURE


def test_plain_text_with_and_without_title() -> None:
    a = parse_text_article("Bridge shut\n\nThe bridge closed today.\nTraffic backed up.\n\nFerries ran.", "a.txt")
    assert a is not None
    assert a.title == "Bridge shut"
    assert a.text == "The bridge closed today. Traffic backed up.\n\nFerries ran."
    b = parse_text_article("The bridge closed today after cracks were found. Ferries ran instead.", "b.txt")
    assert b is not None and b.title == "The bridge closed today after cracks were found."
    assert parse_text_article("\n\n  \n", "c.txt") is None


def test_same_content_same_id_regardless_of_source() -> None:
    a = parse_text_article("T\n\nBody text here.", "one.txt")
    b = parse_text_article("T\n\nBody   text here.", "two.txt")
    assert a is not None and b is not None and a.id == b.id


def test_glued_subheading_is_split_off() -> None:
    line = "The two sides remain far apart. Kyiv's Position on Peace Talks"
    assert split_subheading(line) == ("The two sides remain far apart.", "Kyiv's Position on Peace Talks")
    assert split_subheading("He said it was over. The rest is history.")[1] == ""
    assert split_subheading("Inflation rose to 7.4 percent in October and prices")[1] == ""


@pytest.mark.parametrize(
    ("text", "hours"),
    [("an hour ago", 1), ("4 hours ago", 4), ("35 minutes ago", 35 / 60), ("yesterday", 24), ("3 days ago", 72)],
)
def test_relative_times(text: str, hours: float) -> None:
    assert parse_relative_time(text, CAPTURED) == CAPTURED - dt.timedelta(hours=hours)
    assert parse_relative_time("Arab News", CAPTURED) is None


def test_other_site_dump_parses_generally() -> None:
    text = (FIXTURES / "dump_other_site.txt").read_text("utf-8")
    assert is_page_dump(text)
    articles = list(parse_page_dump(text, "other.txt", CAPTURED))
    assert len(articles) == 5
    assert [a.source for a in articles] == [f"other.txt#{n}" for n in range(1, 6)]
    assert articles[0].outlet == "" and articles[0].published == CAPTURED
    assert all(a.outlet for a in articles[1:])
    assert all(a.published and a.published < CAPTURED for a in articles[1:])
    for a in articles:
        for junk in FURNITURE:
            assert junk not in a.text and junk not in a.title, (junk, a.source)
        assert a.title not in a.text


def test_seed_page_gives_its_four_articles(seed_path: Path) -> None:
    articles = list(parse_page_dump(seed_path.read_text("utf-8"), "seed.txt", CAPTURED))
    assert [a.title[:30] for a in articles] == [
        "Russia Blames Kyiv, West for B",
        "Pakistan calls UN peacekeeping",
        "Pakistan to send two aid cargo",
        "Ukraine says 3 soldiers killed",
    ]
    assert [a.outlet for a in articles] == ["", "Arab News", "Arab News", "Al Arabiya"]
    assert [a.published for a in articles] == [
        CAPTURED,
        CAPTURED - dt.timedelta(hours=1),
        CAPTURED - dt.timedelta(hours=1),
        CAPTURED - dt.timedelta(hours=4),
    ]
    everything = "\n".join(a.title + "\n" + a.text for a in articles)
    for junk in [*FURNITURE, "Comments", "- Arab News", "Kyiv's Position on Peace Talks"]:
        assert junk not in everything
    assert articles[0].text.endswith("diplomatic efforts in the region.")
    assert articles[3].text.endswith("or face new sanctions.")


def test_records_json_and_jsonl(tmp_path: Path) -> None:
    good = {
        "title": "T",
        "text": "Body one.\n\nBody two.",
        "url": "https://x.example/a",
        "outlet": "X",
        "published": "2026-11-24T06:00:00+01:00",
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n{broken\n" + json.dumps({"title": "no text"}) + "\n")
    (tmp_path / "b.json").write_text(json.dumps([good | {"url": "https://x.example/b"}, good | {"url": ""}]))
    result = read_inputs([str(tmp_path)], CAPTURED)
    assert len(result.articles) == 3
    first = result.articles[0]
    assert first.published == dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)
    assert first.source == f"{tmp_path / 'a.jsonl'}#1"
    assert sorted(s.reason for s in result.skipped) == [
        "line is not valid JSON (Expecting property name enclosed in double quotes)",
        "record has no text",
    ]


def test_wire_codes_are_stripped_and_untitled_records_take_their_first_sentence(tmp_path: Path) -> None:
    # Agency wire copy carries typesetting codes (&HT; &QL; &UR; &LR; &QC; &MD;) that are no HTML
    # entity; a title of nothing else must not become a word every such article shares.
    records = [
        {
            "title": "&HT;",
            "text": "&UR; Flood waters rose in Hull on Monday. &LR; &QL;  More rain is due.\n\nAnd more.",
        },
        {"title": "&HT; &HT; ROUTINE &HT; VOTERS", "text": "Polls opened early&MD;very early."},
        {"title": "", "text": "Ministers met in Rome. They agreed little."},
        {"title": "Fish &amp; chips &QC;", "text": "Prices rose."},
    ]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    got = read_inputs([str(tmp_path)], CAPTURED).articles
    assert [a.title for a in got] == [
        "Flood waters rose in Hull on Monday.",
        "ROUTINE VOTERS",
        "Ministers met in Rome.",
        "Fish &amp; chips",
    ]
    assert got[0].text == "Flood waters rose in Hull on Monday. More rain is due.\n\nAnd more."
    assert got[1].text == "Polls opened early \u2014 very early."
    # A record of nothing but codes is no article: skipped and counted, not stored empty.
    (tmp_path / "codes.jsonl").write_text(json.dumps({"title": "&HT;", "text": "&QL; &UR; &LR;"}) + "\n")
    result = read_inputs([str(tmp_path / "codes.jsonl")], CAPTURED)
    assert not result.articles
    assert [s.kind for s in result.skipped] == ["no-text"]


def test_sample_day_reads_every_format(samples_dir: Path) -> None:
    result = read_inputs([str(samples_dir)], CAPTURED)
    assert result.skipped == ()
    assert len(result.articles) == 39
    kinds = {Path(a.source.split("#")[0]).suffix for a in result.articles}
    assert kinds == {".txt", ".json", ".jsonl", ".rss"}
    rss = [a for a in result.articles if a.source.startswith(str(samples_dir / "feed.rss"))]
    assert len(rss) == 5 and all(a.outlet == "Harbour Herald" and a.url.startswith("https://") for a in rss)


def test_bad_files_are_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(b"\x00\x01 not xml at all")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "bad.json").write_text("{")
    result = read_inputs([str(tmp_path)], CAPTURED)
    assert result.articles == ()
    assert len(result.skipped) == 3 and all(isinstance(s, Skip) and s.reason for s in result.skipped)


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_inputs([str(tmp_path / "nope")], CAPTURED)


def test_feed_items_lose_active_content(tmp_path: Path) -> None:
    feed = tmp_path / "f.rss"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><item><title>T</title>'
        b"<link>javascript:alert(1)</link><description><![CDATA[<p>Safe words about the harbour bridge "
        b"closure today.</p><script>alert(1)</script><p onclick='x()'>More words here about the ferries.</p>]]>"
        b"</description></item></channel></rss>"
    )
    (item,) = read_file(feed, str(feed), CAPTURED)
    assert not isinstance(item, Skip)
    assert "alert" not in item.text and item.url == ""
    assert item.text == "Safe words about the harbour bridge closure today.\n\nMore words here about the ferries."
