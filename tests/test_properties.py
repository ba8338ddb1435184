"""Property tests (hypothesis): generated hostile values thrown at every reader and at make_briefing.

Each property holds for every input: nothing raises but the documented InputError, every string
that comes out is clean (no surrogates, controls or bidi overrides) and encodable, and dates are
aware UTC inside the accepted years. Runs derandomised (the same examples every time, as CI needs)
and small: a few seconds in all.
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import FORBIDDEN

from digest.config import Settings
from digest.errors import InputError
from digest.ingest.common import MAX_YEAR, MIN_YEAR, parse_datetime, sanitize_text
from digest.ingest.dump import parse_page_dump
from digest.ingest.feed import parse_feed, parse_json_feed
from digest.ingest.files import decode_text
from digest.ingest.plaintext import parse_text_article
from digest.ingest.records import parse_json_records, parse_jsonl_records
from digest.models import Article, Skip
from digest.pipeline import make_briefing

CAPTURED = dt.datetime(2026, 11, 30, 6, 30, tzinfo=dt.UTC)
HOSTILE_CHARS = ["\ud83d", "\udfff", "\x1b", "\x07", "\x00", "\u202e", "\u2066", "\u200f", "\r", "\n", "\ufeff", "\x85"]
# Any character, lone surrogates included, with the hostile ones drawn often.
chars = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE_CHARS))
hostile_text = st.text(chars, max_size=60)
WORDS = ["flood", "river", "council", "bridge", "repair", "town", "rain", "crews"]
words = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25)
FAST = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean(value: str) -> bool:
    value.encode("utf-8")  # raises on a surrogate
    return not any(c in FORBIDDEN for c in value.replace("\n", "").replace("\t", ""))


def _check(items: list[Article | Skip]) -> None:
    for item in items:
        if isinstance(item, Article):
            for value in (item.title, item.text, item.outlet, item.url, item.source, item.author, item.language):
                assert _clean(value), repr(value)
            assert item.published is None or (
                item.published.tzinfo is dt.UTC and MIN_YEAR <= item.published.year <= MAX_YEAR
            )
        else:
            assert item.reason and item.kind


@settings(FAST, max_examples=300)
@given(hostile_text, st.booleans())
def test_sanitize_text_leaves_nothing_unsafe_and_is_idempotent(value: str, multiline: bool) -> None:
    cleaned = sanitize_text(value, multiline=multiline)
    assert _clean(cleaned) and ("\n" not in cleaned or multiline)
    assert sanitize_text(cleaned, multiline=multiline) == cleaned


offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}")


@settings(FAST, max_examples=200)
@given(st.one_of(hostile_text, st.builds(lambda d, o: d.isoformat() + o, st.datetimes(), offsets)))
def test_parse_datetime_never_raises_and_stays_in_range(value: str) -> None:
    parsed = parse_datetime(value)
    assert parsed is None or (parsed.tzinfo is dt.UTC and MIN_YEAR <= parsed.year <= MAX_YEAR)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(hostile_text, json_values),
        "text": st.one_of(words.map(" ".join).map(lambda t: t + " \x1b\u202e\ud83d"), json_values),
        "url": st.one_of(hostile_text.map(lambda t: "https://x.example/" + t), json_values),
        "outlet": hostile_text,
        "published": st.one_of(hostile_text, json_values, st.just("9999-12-31T23:59:59-14:00")),
    },
)


def _dumps(value: object) -> str:
    return json.dumps(value, allow_nan=True)  # lone surrogates go out as \\udxxx escapes, as attackers write them


@settings(FAST, max_examples=150)
@given(st.lists(st.one_of(records.map(_dumps), json_values.map(_dumps), hostile_text), max_size=6))
def test_jsonl_gives_one_item_per_line_and_never_raises(lines: list[str]) -> None:
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    items = list(parse_jsonl_records(text, "gen.jsonl"))
    assert len(items) == len([line for line in text.splitlines() if line.strip()])
    _check(items)


@settings(FAST, max_examples=100)
@given(st.one_of(st.lists(records, max_size=4).map(_dumps), json_values.map(_dumps), hostile_text))
def test_json_documents_raise_only_input_error(text: str) -> None:
    try:
        items = list(parse_json_records(text, "gen.json"))
    except InputError:
        return
    _check(items)


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


rss_items = st.tuples(
    hostile_text, words.map(" ".join), hostile_text, st.one_of(hostile_text, st.just("Fri, 31 Dec 9999 23:59:59 -1400"))
)


@settings(FAST, max_examples=60)
@given(st.lists(rss_items, min_size=1, max_size=4), hostile_text)
def test_rss_feeds_never_raise(items: list[tuple[str, str, str, str]], channel: str) -> None:
    body = "".join(
        f"<item><title>{_xml(t)}</title><link>https://x.example/{_xml(link)}</link><pubDate>{_xml(d)}</pubDate>"
        f"<description>{_xml(text)} {_xml(t)}</description></item>"
        for t, text, link, d in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    doc = f"{head}<channel><title>{_xml(channel)}</title>{body}</channel></rss>"
    _check(list(parse_feed(doc.encode("utf-8", "surrogatepass"), "gen.rss")))


@settings(FAST, max_examples=60)
@given(st.lists(st.one_of(records, json_values), max_size=4), json_values)
def test_json_feeds_never_raise(items: list[object], title: object) -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}
    _check(list(parse_json_feed(_dumps(doc), "gen.json")))


@settings(FAST, max_examples=150)
@given(st.binary(max_size=300))
def test_any_bytes_decode_and_read_as_text(data: bytes) -> None:
    text = decode_text(data)
    text.encode("utf-8")
    article = parse_text_article(text, "gen.txt")
    _check([article] if article else [])


relative = st.sampled_from(["an hour ago", "99999999999 years ago", "yesterday", "4 hours ago", "9999999 days ago"])


@settings(FAST, max_examples=60)
@given(st.lists(st.tuples(hostile_text, relative, words.map(" ".join)), min_size=1, max_size=3), words.map(" ".join))
def test_page_dumps_never_raise(related: list[tuple[str, str, str]], body: str) -> None:
    blocks = "".join(
        f"Outlet {n}\n{when}\n- Outlet {n}\n{title}\n{text} {text}\n" for n, (title, when, text) in enumerate(related)
    )
    text = f"Main title\n{body} {body}.\nShort link :\nRelated Articles\n{blocks}"
    _check(list(parse_page_dump(text, "gen.txt", CAPTURED)))


# make_briefing gets articles as the readers make them. Each text holds Latin-letter words: a day
# whose last article has none is issue 12's case 1, fixed in cluster.py by the lead's change; widen
# `words` to include non-Latin scripts once that lands.
articles = st.lists(
    st.builds(
        lambda title, ws, noise, hour: parse_text_article(
            f"{title}\n\n{' '.join(ws).capitalize()} {noise}. {' '.join(reversed(ws)).capitalize()}.",
            f"gen{hour}.txt",
            published=CAPTURED - dt.timedelta(hours=hour),
        ),
        hostile_text,
        words,
        hostile_text,
        st.integers(1, 23),
    ),
    min_size=1,
    max_size=6,
)


@settings(FAST, max_examples=15)
@given(articles)
def test_make_briefing_takes_any_day_of_read_articles(day: list[Article | None]) -> None:
    present = [a for a in day if a is not None]
    briefing = make_briefing(present, CAPTURED.date(), Settings())
    assert sum(len(s.articles) for s in briefing.stories) <= len(present)
    json.dumps(briefing.to_json(), ensure_ascii=False).encode("utf-8")
    for story in briefing.stories:
        assert _clean(story.label) and _clean(story.headline)
        assert all(_clean(s.text) for s in story.summary)
