"""Developing stories over three days: update summaries, "Previously", the timeline, relabelling, schema 8."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import lxml.html
import pypdf
import pytest
import sqlalchemy as sa

from digest.config import Settings
from digest.models import Article, PriorStory
from digest.pipeline import build_day
from digest.store import MIGRATIONS, SCHEMA_VERSION, open_store
from digest.stories.continuity import LinkedGroup, label_basis, outgrew_label, told_before
from digest.summaries.select import CoverageSettings, select_sentences
from digest.text import stemmer, stop_words, word_tokens
from tests.conftest import FIXTURES

THREE_DAYS = FIXTURES / "three_days"
DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]


def _load(out: Path, day: dt.date) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / day.isoformat() / "briefing.json").read_text("utf-8"))
    return data


def _strike(data: dict[str, Any]) -> dict[str, Any]:
    [story] = [s for s in data["stories"] if any("Tarnby" in a["title"] for a in s["articles"])]
    return story


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three fixture days built in order into one store; day three with its PDF."""
    tmp = tmp_path_factory.mktemp("developing")
    settings = Settings(store_url=f"sqlite:///{tmp / 'store.db'}")
    for day in DAYS:
        build_day(settings, day, tmp / "out", [str(THREE_DAYS / f"{day}.jsonl")], pdf=day == DAYS[2])
    return tmp / "out"


def test_developing_story_carries_its_previous_days(built: Path) -> None:
    days = [_strike(_load(built, d)) for d in DAYS]
    assert days[0]["previous"] == []
    assert [p["date"] for p in days[2]["previous"]] == [DAYS[0].isoformat(), DAYS[1].isoformat()]
    assert {p["id"] for p in days[2]["previous"]} == {days[0]["id"]} == {days[2]["id"]}
    assert [p["articles"] for p in days[2]["previous"]] == [len(days[0]["articles"]), len(days[1]["articles"])]
    assert days[2]["previous"][1]["headline"] == days[1]["headline"]


def test_update_summary_repeats_no_sentence_the_reader_was_told(built: Path) -> None:
    days = [_strike(_load(built, d)) for d in DAYS]
    told = {s["text"] for d in days[:2] for s in d["summary"]}
    for later in days[1:]:
        assert later["status"] == "developing"
        assert later["summary"]
        assert not told & {s["text"] for s in later["summary"]} - {s["text"] for s in days[0]["summary"]} - told
    assert not {s["text"] for s in days[1]["summary"]} & {s["text"] for s in days[0]["summary"]}
    assert not {s["text"] for s in days[2]["summary"]} & told


def test_new_stories_summaries_are_as_without_history(built: Path, tmp_path: Path) -> None:
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'alone.db'}")
    build_day(settings, DAYS[2], tmp_path / "out", [str(THREE_DAYS / f"{DAYS[2]}.jsonl")], pdf=False)
    alone_day = _load(tmp_path / "out", DAYS[2])
    alone = {s["id"]: s for s in alone_day["stories"]}
    with_history = [s for s in _load(built, DAYS[2])["stories"] if s["status"] == "new"]
    assert with_history
    for story in with_history:
        assert story["summary"] == alone[story["id"]]["summary"]
        assert story["previous"] == []
    # The developing strike is summarised differently once it has a past.
    strike = _strike(_load(built, DAYS[2]))
    assert strike["summary"] != _strike(alone_day)["summary"]


def test_page_email_text_and_pdf_show_previously_and_timeline(built: Path) -> None:
    day2, day3 = _strike(_load(built, DAYS[1])), _strike(_load(built, DAYS[2]))
    first = day2["summary"][0]["text"]
    folder = built / DAYS[2].isoformat()
    doc = lxml.html.fromstring((folder / "briefing.html").read_bytes())
    [card] = doc.xpath(f"//article[@id='s-{day3['id']}']")
    [previously] = card.xpath(".//p[@class='previously']")
    assert first in previously.text_content()
    assert previously.xpath(".//time/@datetime") == [DAYS[1].isoformat()]
    items = card.xpath(".//ol[@class='timeline']/li")
    assert [li.xpath(".//time/@datetime")[0] for li in items] == [d.isoformat() for d in DAYS]
    assert "3 articles" in items[0].text_content() and day2["headline"] in items[1].text_content()
    new_cards = [s for s in _load(built, DAYS[2])["stories"] if s["status"] == "new" and len(s["articles"]) > 1]
    for s in new_cards:
        assert not doc.xpath(f"//article[@id='s-{s['id']}']//div[@class='history']")
    email = lxml.html.fromstring((folder / "email.html").read_bytes())
    [prev] = email.xpath("//p[contains(@class, 'prev')]")
    assert first in prev.text_content()
    assert "Sun 22 Nov" in email.xpath("string(//p[contains(@class, 'timeline')])")
    text = (folder / "briefing.txt").read_text("utf-8")
    assert f"Previously (Monday 23 November 2026): {first}" in text
    assert "Timeline:" in text and f"Mon 23 Nov: {day2['headline']}" in text
    pdf = " ".join(page.extract_text() for page in pypdf.PdfReader(folder / "briefing.pdf").pages)
    flat = " ".join(pdf.split())
    assert f"Previously (Monday 23 November 2026): {first[:40]}" in flat
    assert "TIMELINE Sun 22 Nov" in flat  # the heading is set in capitals


def _article(n: int, text: str) -> Article:
    return Article(id=f"a{n}", title=f"Report {n}", text=text)


def test_select_update_leaves_out_what_was_told_and_tells_the_new_first() -> None:
    old = "The strike by 1,900 dockworkers at the port of Tarnby entered its third day on Monday."
    new = "Negotiators for the dockworkers reached a deal on Tuesday after nineteen hours of talks."
    docs = [[old, new], [old, new], [old + " Talks resumed."]]
    helpers = {"tokenize": word_tokens, "stem": stemmer("english"), "stop_words": stop_words("english")}
    plain = select_sentences(docs, words=20, **helpers)  # type: ignore[arg-type]
    assert old in [p.text for p in plain]
    update = select_sentences(docs, words=20, told=[old], known=[[old]], **helpers)  # type: ignore[arg-type]
    assert [p.text for p in update] == [new]
    assert not update[0].context


def test_select_update_leaves_out_a_told_fact_in_other_words() -> None:
    told = "The rebels are a coalition of ethnic Tutsis and army deserters who accuse Kabila of corruption."
    again = "Tutsi rebels and army deserters took up arms in August, accusing President Kabila of graft and corruption."
    new = "Rebel fighters captured the airport at Kindu on Friday after a week of shelling."
    docs = [[again, new], [again, new], [again]]
    helpers = {"tokenize": word_tokens, "stem": stemmer("english"), "stop_words": stop_words("english")}
    update = select_sentences(docs, words=40, told=[told], known=[[told]], **helpers)  # type: ignore[arg-type]
    assert [p.text for p in update] == [new]
    off = CoverageSettings(told_share=0.0)
    looser = select_sentences(docs, words=40, told=[told], known=[[told]], settings=off, **helpers)  # type: ignore[arg-type]
    assert again in [p.text for p in looser]  # only the told_share rule keeps it out


def _prior(n_articles: int, label_articles: int) -> PriorStory:
    ids = tuple(f"p{k}" for k in range(n_articles))
    return PriorStory(DAYS[0], "s1", "Swiss accounts", ids, (("swiss", 1.0),), "h", ("Told.",), label_articles)


def _linked(n: int, prior: PriorStory) -> LinkedGroup:
    arts = tuple(_article(k, "x") for k in range(n))
    return LinkedGroup(arts, "s1", prior.label, "developing", (), (), 0.5, (prior,))


def test_label_is_rechosen_only_when_the_story_outgrew_it() -> None:
    one = _prior(1, 1)
    assert outgrew_label(_linked(3, one)) and label_basis(_linked(3, one), True) == 3
    assert not outgrew_label(_linked(2, one)) and label_basis(_linked(2, one), False) == 1
    # A label chosen from 2 articles holds until 6; before schema 8 the day's own count stands in.
    assert not outgrew_label(_linked(5, _prior(5, 2))) and outgrew_label(_linked(6, _prior(6, 2)))
    assert not outgrew_label(_linked(8, _prior(3, 0))) and outgrew_label(_linked(9, _prior(3, 0)))
    assert told_before(_linked(2, one), {"p0": _article(0, "Earlier.")}).articles[0].id == "a0"


def test_a_grown_story_keeps_a_label_that_still_names_its_heaviest_terms() -> None:
    arts = tuple(_article(k, "x") for k in range(9))
    one = _prior(1, 1)
    detail = LinkedGroup(
        arts, "s1", "Swiss accounts", "developing", (), (("pinochet", 0.8), ("arrest", 0.6)), 0.5, (one,)
    )
    assert outgrew_label(detail)
    # "Swiss" (stemmed) is still among today's heaviest terms: the label still says what the story is.
    named = LinkedGroup(
        arts, "s1", "Swiss accounts", "developing", (), (("pinochet", 0.8), ("swiss", 0.6)), 0.5, (one,)
    )
    assert not outgrew_label(named)


def test_a_schema_7_store_upgrades_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for step in MIGRATIONS[:7]:
            step(conn)
        for column in ("headline", "summary", "label_articles"):  # the stories table as schema 7 had it
            conn.execute(sa.text(f"ALTER TABLE stories DROP COLUMN {column}"))
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('schema_version', '7')"))
        conn.execute(
            sa.text(
                "INSERT INTO stories (day, story_id, position, label, article_ids, terms) "
                "VALUES ('2026-11-22', 's1', 0, 'Tarnby strike', '[\"a1\"]', '[[\"tarnbi\", 1.0]]')"
            )
        )
    engine.dispose()
    with open_store(url) as store:
        assert store.version() == SCHEMA_VERSION == 8
        [old] = store.stories_between(DAYS[0], DAYS[0])
        assert (old.label, old.headline, old.summary, old.label_articles) == ("Tarnby strike", "", (), 0)
        store.record_stories(DAYS[1], [PriorStory(DAYS[1], "s1", "L", ("a2",), (("x", 1.0),), "H", ("One.",), 1)])
        assert [p.summary for p in store.story_versions(["s1"], DAYS[2])] == [(), ("One.",)]
