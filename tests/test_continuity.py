"""Stories across days: the pure linking function, and three consecutive days built into one store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import lxml.html
import pypdf
import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import Settings
from digest.models import Article, PriorStory, Story
from digest.pipeline import build_day
from digest.store import SCHEMA_VERSION, open_store
from digest.stories import continuity, story_id
from digest.stories.continuity import (
    ANCHOR_TERMS,
    LINK_THRESHOLD,
    LOOKBACK_DAYS,
    link_stories,
    shared_anchors,
    signature_similarity,
    story_terms,
)
from digest.stories.rank import rank_stories
from tests.conftest import FIXTURES

THREE_DAYS = FIXTURES / "three_days"
DAYS = [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]
TODAY = dt.date(2026, 11, 24)
YESTERDAY = TODAY - dt.timedelta(days=1)

STRIKE = (
    "Dockworkers at the port of Tarnby stayed on strike as the union and the terminal operator "
    "argued over cranes, automation, redundancies and pay. Ships waited offshore for berths."
)
FROG = (
    "Biologists in the cloud forest of Mount Keral described a new species of tree frog, "
    "green with orange eyes, whose call sounds like a dripping tap."
)
COMET = (
    "Astronomers at Kettle Peak Observatory found a faint comet beyond the orbit of Jupiter; "
    "it will be brightest next spring, though still too dim for binoculars."
)


def _article(article_id: str, title: str, text: str, hour: int = 8) -> Article:
    return Article(
        id=article_id,
        title=title,
        text=text,
        outlet="Test Wire",
        published=dt.datetime(2026, 11, 24, hour, tzinfo=dt.UTC),
    )


def _prior(
    group: list[Article], *, sid: str, label: str, day: dt.date = YESTERDAY, ids: tuple[str, ...] = ()
) -> PriorStory:
    return PriorStory(day, sid, label, ids, story_terms([group])[0])


# ---- the pure linking function ------------------------------------------------------------


def test_signatures_are_normalised_and_similar_stories_score_high() -> None:
    strike_a = [_article("a1", "Tarnby dock strike goes on", STRIKE)]
    strike_b = [_article("b1", "Tarnby strike: talks on cranes and pay", STRIKE.replace("stayed", "remained"))]
    frog = [_article("f1", "New frog species on Mount Keral", FROG)]
    sig_a, sig_b, sig_f = story_terms([strike_a, strike_b, frog])
    assert sum(w * w for _t, w in sig_a) == pytest.approx(1.0, abs=1e-5)
    assert signature_similarity(sig_a, sig_b) >= LINK_THRESHOLD
    assert signature_similarity(sig_a, sig_f) < LINK_THRESHOLD
    assert signature_similarity(sig_a, sig_a) == pytest.approx(1.0, abs=1e-5)


def test_no_link_when_dissimilar() -> None:
    yesterday = _prior([_article("f1", "New frog species on Mount Keral", FROG)], sid="frog", label="Keral frog")
    group = [_article("c1", "Kettle Peak finds a comet", COMET)]
    [linked] = link_stories([group], [yesterday], TODAY)
    assert linked.status == "new"
    assert linked.story_id == story_id(group)
    assert linked.label == "" and linked.new_article_ids == ()
    assert linked.similarity == 0.0


def _renormalised(terms: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    norm = sum(w * w for _t, w in terms) ** 0.5
    return tuple((t, w / norm) for t, w in terms)


def test_similarity_without_shared_anchor_terms_is_no_link() -> None:
    group = [_article("s1", "Tarnby dock strike goes on", STRIKE + " " + COMET)]
    [today_sig] = story_terms([group])
    assert len(today_sig) > ANCHOR_TERMS + 10
    # Yesterday's story shared only today's lesser terms: similar enough, but none of its names.
    lesser = _renormalised(today_sig[ANCHOR_TERMS:])
    assert signature_similarity(today_sig, lesser) >= LINK_THRESHOLD
    assert shared_anchors(today_sig, lesser) == 0
    [linked] = link_stories([group], [PriorStory(YESTERDAY, "other", "Other", (), lesser)], TODAY)
    assert linked.status == "new"
    # The same, holding two of today's heaviest terms as well, continues.
    anchored = _renormalised(today_sig[ANCHOR_TERMS - 2 :])
    assert shared_anchors(today_sig, anchored) == 2
    [linked] = link_stories([group], [PriorStory(YESTERDAY, "other", "Other", (), anchored)], TODAY)
    assert (linked.status, linked.story_id) == ("developing", "other")


def test_similar_story_continues_with_its_id_and_label() -> None:
    old = [_article("a1", "Tarnby dock strike goes on", STRIKE)]
    yesterday = _prior(old, sid="strike", label="Tarnby strike", ids=("a1",))
    today = [
        _article("b1", "Tarnby strike: talks on cranes and pay", STRIKE.replace("stayed", "remained"), 7),
        _article("b2", "Ships still wait off Tarnby", STRIKE.replace("argued", "quarrelled"), 9),
    ]
    [linked] = link_stories([today], [yesterday], TODAY)
    assert (linked.story_id, linked.label, linked.status) == ("strike", "Tarnby strike", "developing")
    assert linked.new_article_ids == ("b1", "b2")
    assert linked.similarity >= LINK_THRESHOLD


def test_shared_article_forces_a_link_and_is_not_new() -> None:
    # Yesterday's signature is about a frog, but the story held the article that returns today.
    yesterday = _prior([_article("f1", "frog", FROG)], sid="old", label="Old label", ids=("f1", "c1"))
    group = [_article("c1", "Kettle Peak finds a comet", COMET, 6), _article("c2", "Comet follow-up", COMET, 9)]
    [linked] = link_stories([group], [yesterday], TODAY)
    assert linked.similarity < LINK_THRESHOLD
    assert (linked.story_id, linked.label, linked.status) == ("old", "Old label", "developing")
    assert linked.new_article_ids == ("c2",)


def test_shared_articles_outrank_similarity() -> None:
    # A link weighs its cosine plus the share of today's articles the earlier story had: the story
    # that held today's only article outranks one merely close in text.
    strike = [_article("a1", "Tarnby dock strike goes on", STRIKE)]
    by_terms = _prior(strike, sid="by-terms", label="Similar")
    by_article = _prior([_article("f1", "frog", FROG)], sid="by-article", label="Shared", ids=("b1",))
    today = [_article("b1", "Tarnby strike: talks on cranes and pay", STRIKE.replace("stayed", "remained"))]
    [sig] = story_terms([today])
    assert LINK_THRESHOLD <= signature_similarity(sig, by_terms.terms) < 1.0
    [linked] = link_stories([today], [by_terms, by_article], TODAY)
    assert linked.story_id == "by-article"


def test_tie_breaking_is_deterministic_and_one_to_one() -> None:
    strike = [_article("a1", "Tarnby dock strike goes on", STRIKE)]
    # Two of today's groups identical in text compete for one earlier story: the order they come
    # in does not matter, the smaller fresh id wins, and the other is new.
    g1 = [_article("x1", "Tarnby dock strike goes on", STRIKE)]
    g2 = [_article("x2", "Tarnby dock strike goes on", STRIKE)]
    prior = _prior(strike, sid="strike", label="Tarnby strike")
    forward = link_stories([g1, g2], [prior], TODAY)
    backward = link_stories([g2, g1], [prior], TODAY)
    winner = min([g1, g2], key=story_id)[0].id
    for result in (forward, backward):
        by_article = {lg.articles[0].id: lg for lg in result}
        assert by_article[winner].story_id == "strike"
        loser = by_article["x1" if winner == "x2" else "x2"]
        assert loser.status == "new" and loser.story_id != "strike"
    # Two earlier stories equally similar: the more recent day wins, then the smaller id.
    older = _prior(strike, sid="aaa", label="Older", day=TODAY - dt.timedelta(days=2))
    newer_b = _prior(strike, sid="bbb", label="Newer b")
    newer_c = _prior(strike, sid="ccc", label="Newer c")
    for previous in ([older, newer_c, newer_b], [newer_b, older, newer_c], [newer_c, newer_b, older]):
        [linked] = link_stories([g1], previous, TODAY)
        assert (linked.story_id, linked.label) == ("bbb", "Newer b")


def test_assignment_keeps_both_stories_where_greedy_would_lose_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # Yesterday ran a story on the strike and a comet together (x) and one on the comet (y). Today
    # the strike-and-comet group is closest to x, but the strike group can only continue x: the
    # best assignment gives x to the strike and y to the other, where greedy gave x away first.
    both = [_article("g1", "Tarnby strike and a Kettle Peak comet", STRIKE + " " + COMET)]
    strike = [_article("e1", "Tarnby dock strike goes on", STRIKE)]
    frog = [_article("f1", "New frog species on Mount Keral", FROG)]
    x = _prior([_article("x1", "Tarnby strike and a Kettle Peak comet", STRIKE + " " + COMET)], sid="x", label="X")
    y = _prior([_article("y1", "Kettle Peak finds a comet", COMET)], sid="y", label="Y")
    sig_both, sig_strike = story_terms([both, strike])
    assert signature_similarity(sig_both, x.terms) > signature_similarity(sig_both, y.terms) >= LINK_THRESHOLD
    assert signature_similarity(sig_strike, y.terms) < LINK_THRESHOLD
    for groups, previous in (([both, strike, frog], [x, y]), ([frog, strike, both], [y, x])):
        by_article = {lg.articles[0].id: lg for lg in link_stories(groups, previous, TODAY)}
        assert (by_article["g1"].story_id, by_article["e1"].story_id) == ("y", "x")
        assert by_article["f1"].status == "new"  # an unrelated story is still not linked
    # The same when x also held one of the mixed story's four articles: one shared article adds a
    # quarter to that link, not enough to cost the strike story its only continuation.
    more = [
        _article(f"g{n}", "Tarnby strike and a Kettle Peak comet", STRIKE + " " + COMET, 7 + n) for n in range(2, 5)
    ]
    x_held = PriorStory(YESTERDAY, "x", "X", ("x1", "g4"), x.terms)
    by_article = {lg.articles[0].id: lg for lg in link_stories([both + more, strike], [x_held, y], TODAY)}
    assert (by_article["g1"].story_id, by_article["e1"].story_id) == ("y", "x")
    # A component too large to solve is matched greedily: the closest pair first.
    monkeypatch.setattr(continuity, "MAX_ASSIGN", 1)
    by_article = {lg.articles[0].id: lg for lg in link_stories([both, strike], [x, y], TODAY)}
    assert (by_article["g1"].story_id, by_article["e1"].status) == ("x", "new")


def test_only_the_days_before_within_the_lookback_count() -> None:
    strike = [_article("a1", "Tarnby dock strike goes on", STRIKE)]
    today = [_article("b1", "Tarnby dock strike goes on", STRIKE)]
    too_old = _prior(strike, sid="old", label="x", day=TODAY - dt.timedelta(days=LOOKBACK_DAYS + 1))
    same_day = _prior(strike, sid="same", label="x", day=TODAY, ids=("b1",))
    later = _prior(strike, sid="later", label="x", day=TODAY + dt.timedelta(days=1), ids=("b1",))
    [linked] = link_stories([today], [too_old, same_day, later], TODAY)
    assert linked.status == "new"
    oldest_kept = _prior(strike, sid="kept", label="Kept", day=TODAY - dt.timedelta(days=LOOKBACK_DAYS))
    [linked] = link_stories([today], [too_old, oldest_kept, later], TODAY)
    assert linked.story_id == "kept"


def test_a_new_story_never_takes_an_id_continued_today() -> None:
    # Yesterday's story began with article a1. Today a1 is in a group that loses the story to a
    # group sharing more of its articles; the loser's own id (from a1) would clash, so it changes.
    a1 = _article("a1", "Tarnby dock strike goes on", STRIKE, 5)
    a2 = _article("a2", "Tarnby strike day two", STRIKE, 6)
    a3 = _article("a3", "Tarnby strike day two again", STRIKE, 7)
    prior = PriorStory(YESTERDAY, story_id([a1]), "Tarnby strike", ("a1", "a2", "a3"), story_terms([[a1]])[0])
    keeper = [a2, a3]
    other = [a1, _article("f1", "frog", FROG, 8)]
    linked = link_stories([other, keeper], [prior], TODAY)
    assert linked[1].story_id == prior.story_id and linked[1].new_article_ids == ()
    assert linked[0].status == "new" and linked[0].story_id != prior.story_id
    assert linked[0].story_id == link_stories([other, keeper], [prior], TODAY)[0].story_id


def test_novelty_ranks_news_above_a_developing_story_with_nothing_new() -> None:
    def story(sid: str, status: str, new: tuple[str, ...]) -> Story:
        arts = tuple(_article(f"{sid}{n}", "t", STRIKE) for n in range(3))
        new_ids = tuple(f"{sid}{n}" for n in new)
        return Story(id=sid, label=sid, headline="h", articles=arts, status=status, new_article_ids=new_ids)  # type: ignore[arg-type]

    cutoff = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
    stale = story("a", "developing", ())
    some = story("b", "developing", ("0",))
    most = story("c", "developing", ("0", "1", "2"))
    fresh = story("d", "new", ())
    ranked = rank_stories([stale, some, most, fresh], cutoff)
    assert [s.id for s in ranked] == ["c", "d", "b", "a"]  # c and d tie on score; ties go by id
    assert ranked[0].score == ranked[1].score > ranked[2].score > ranked[3].score


# ---- three consecutive days through the command line -----------------------------------------


def _load(out: Path, day: dt.date) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / day.isoformat() / "briefing.json").read_text("utf-8"))
    return data


def _story(data: dict[str, Any], word: str) -> dict[str, Any] | None:
    hits = [s for s in data["stories"] if all(word in a["title"] for a in s["articles"])]
    assert len(hits) <= 1, f"{word} split across stories"
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[CliRunner, Path, dict[str, str | None]]:
    """The three fixture days built in order, each with `digest build --input`, into one store."""
    tmp = tmp_path_factory.mktemp("three_days")
    env: dict[str, str | None] = {"DIGEST_STORE_URL": f"sqlite:///{tmp / 'store.db'}", "DIGEST_CONFIG": None}
    runner = CliRunner(env=env)
    for day in DAYS:
        args = ["build", "--input", str(THREE_DAYS / f"{day}.jsonl"), "--date", str(day), "--out", str(tmp / "out")]
        result = runner.invoke(cli, [*args, "--no-pdf"])
        assert result.exit_code == 0, result.output
    return runner, tmp, env


def test_three_days_strike_continues_storm_runs_two_days(three_days: tuple[CliRunner, Path, Any]) -> None:
    _runner, tmp, _env = three_days
    days = [_load(tmp / "out", d) for d in DAYS]
    strikes = [_story(d, "Tarnby") for d in days]
    storms = [_story(d, "Maren") for d in days[:2]]
    assert all(strikes) and all(storms)
    assert _story(days[2], "Maren") is None
    # One story id and one label for the strike all three days, for the storm two.
    for thread in (strikes, storms):
        assert len({s["id"] for s in thread}) == 1 and len({s["label"] for s in thread}) == 1  # type: ignore[index]
        assert [s["status"] for s in thread] == ["new"] + ["developing"] * (len(thread) - 1)  # type: ignore[index]
        assert thread[0]["new_article_ids"] == []  # type: ignore[index]
        for later in thread[1:]:
            # Every article of a later day is new (the days do not overlap), and only those.
            assert later["new_article_ids"] == [a["id"] for a in later["articles"]]  # type: ignore[index]
    storm_id = storms[0]["id"]  # type: ignore[index]
    assert storm_id not in {s["id"] for s in days[2]["stories"]}
    # Everything else is a one-off: new, and its id seen on one day only.
    threads = {strikes[0]["id"], storm_id}  # type: ignore[index]
    seen: list[str] = []
    for d in days:
        ids = [s["id"] for s in d["stories"]]
        assert len(ids) == len(set(ids))
        for s in d["stories"]:
            if s["id"] not in threads:
                assert s["status"] == "new" and s["new_article_ids"] == []
                seen.append(s["id"])
    assert len(seen) == len(set(seen)) == sum(len(d["stories"]) for d in days) - 5


def test_three_days_web_page_marks_developing_and_new_sources(three_days: tuple[CliRunner, Path, Any]) -> None:
    _runner, tmp, _env = three_days
    data = _load(tmp / "out", DAYS[1])
    strike = _story(data, "Tarnby")
    assert strike is not None
    doc = lxml.html.fromstring((tmp / "out" / str(DAYS[1]) / "briefing.html").read_bytes())
    [card] = doc.xpath(f"//article[@id='s-{strike['id']}']")
    assert card.xpath(".//span[contains(@class, 'dev')]")
    assert len(card.xpath(".//span[@class='fresh']")) == len(strike["new_article_ids"]) == 3
    text = (tmp / "out" / str(DAYS[1]) / "briefing.txt").read_text("utf-8")
    assert f"{strike['label'].upper()} [developing]" in text
    assert text.count(" [new]\n") == 3 + len(_story(data, "Maren")["new_article_ids"])  # type: ignore[index]


def test_rebuilding_a_day_from_the_store_is_byte_identical(three_days: tuple[CliRunner, Path, Any]) -> None:
    runner, tmp, env = three_days
    for day in (DAYS[1], DAYS[2]):
        result = runner.invoke(cli, ["build", "--date", str(day), "--out", str(tmp / "again"), "--no-pdf"])
        assert result.exit_code == 0, result.output
        for name in ("briefing.json", "briefing.html", "briefing.txt", "email.html"):
            before = (tmp / "out" / str(day) / name).read_bytes()
            assert (tmp / "again" / str(day) / name).read_bytes() == before, (day, name)
    assert env["DIGEST_STORE_URL"]
    with open_store(str(env["DIGEST_STORE_URL"])) as store:
        assert store.version() == SCHEMA_VERSION
        recorded = store.stories_between(DAYS[0], DAYS[2])
    assert [p.day for p in recorded].count(DAYS[1]) == len(_load(tmp / "out", DAYS[1])["stories"])
    assert len({(p.day, p.story_id) for p in recorded}) == len(recorded)


def test_overlapping_inputs_mark_only_the_new_articles(tmp_path: Path) -> None:
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'store.db'}")
    build_day(settings, DAYS[0], tmp_path / "out", [str(THREE_DAYS / f"{DAYS[0]}.jsonl")], pdf=False)
    # Day two's input repeats one of day one's strike articles.
    lines = (THREE_DAYS / f"{DAYS[0]}.jsonl").read_text("utf-8").splitlines(keepends=True)
    first_strike = next(line for line in lines if "Tarnby" in line)
    mixed = tmp_path / "day2.jsonl"
    mixed.write_text((THREE_DAYS / f"{DAYS[1]}.jsonl").read_text("utf-8") + first_strike, "utf-8")
    build_day(settings, DAYS[1], tmp_path / "out", [str(mixed)])
    day1, day2 = _load(tmp_path / "out", DAYS[0]), _load(tmp_path / "out", DAYS[1])
    old, new = _story(day1, "Tarnby"), _story(day2, "Tarnby")
    assert old and new and new["id"] == old["id"] and new["status"] == "developing"
    repeated = {a["id"] for a in new["articles"]} & {a["id"] for a in old["articles"]}
    assert len(repeated) == 1
    assert set(new["new_article_ids"]) == {a["id"] for a in new["articles"]} - repeated
    assert len(new["new_article_ids"]) == 3
    # The PDF marks the same three sources (and the storm's two) as new; the repeated one is not.
    pdf = pypdf.PdfReader(tmp_path / "out" / str(DAYS[1]) / "briefing.pdf")
    lines = [line.strip() for page in pdf.pages for line in page.extract_text().splitlines()]
    assert sum(" · " in line and line.endswith(" new") for line in lines) == 3 + 2, lines


def test_rebuilding_an_earlier_day_leaves_later_days_alone(tmp_path: Path) -> None:
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'store.db'}")
    for day in DAYS:
        build_day(settings, day, tmp_path / "out", [str(THREE_DAYS / f"{day}.jsonl")], pdf=False)
    with open_store(settings.store_url) as store:
        before = store.stories_between(DAYS[1], DAYS[2])
    # Day one rebuilt from fewer inputs: its stories change, the later days' stored ones do not.
    only_strike = tmp_path / "strike.jsonl"
    lines = (THREE_DAYS / f"{DAYS[0]}.jsonl").read_text("utf-8").splitlines(keepends=True)
    only_strike.write_text("".join(line for line in lines if "Tarnby" in line), "utf-8")
    build_day(settings, DAYS[0], tmp_path / "out", [str(only_strike)], pdf=False)
    with open_store(settings.store_url) as store:
        assert store.stories_between(DAYS[1], DAYS[2]) == before
        assert len(store.stories_between(DAYS[0], DAYS[0])) == 1
    # Rebuilding day two now: the storm has no day-one story to continue, so it is new there.
    build_day(settings, DAYS[1], tmp_path / "again", pdf=False)
    storm = _story(_load(tmp_path / "again", DAYS[1]), "Maren")
    assert storm and storm["status"] == "new"
    strike = _story(_load(tmp_path / "again", DAYS[1]), "Tarnby")
    assert strike and strike["status"] == "developing"
