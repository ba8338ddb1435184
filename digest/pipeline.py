"""The stages in order: ingest -> store -> cluster -> link -> label -> summarize -> rank -> render -> archive.

``make_briefing`` is pure (articles and earlier days' stories in, Briefing out). ``build_day``
is the I/O edge that reads inputs or the store, records the day's stories for the days after
it, then writes the day's files.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .cluster import cluster_articles, label_story, pick_headline
from .config import Settings
from .continuity import LOOKBACK_DAYS, link_stories
from .dedup import dedup_articles
from .deliver import archive_days, write_atomic, write_day, write_feed
from .errors import InputError
from .ingest import read_inputs
from .models import Article, Briefing, PriorStory, Skip, Story
from .rank import rank_stories
from .render import render_index, render_outputs
from .store import open_store
from .summarize import DEFAULT_METHOD, summarize_story

__all__ = ["BuildReport", "build_day", "make_briefing"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: the files written and the inputs it skipped."""

    day: dt.date
    folder: Path
    files: tuple[Path, ...]
    stories: int
    articles: int
    new_articles: int
    skipped: tuple[Skip, ...]
    shown: int = 0  # articles in the briefing once duplicates are merged (what the page counts)


def make_briefing(
    articles: Sequence[Article],
    day: dt.date,
    settings: Settings,
    method: str = DEFAULT_METHOD,
    previous: Sequence[PriorStory] = (),
) -> Briefing:
    """The day's briefing from its articles: stories linked to previous days', labelled, summarised, ranked."""
    return _make_briefing(articles, day, settings, method, previous)[0]


def _make_briefing(
    articles: Sequence[Article],
    day: dt.date,
    settings: Settings,
    method: str,
    previous: Sequence[PriorStory],
) -> tuple[Briefing, tuple[PriorStory, ...]]:
    """make_briefing, plus the day's stories as later days will see them (in rank order)."""
    # Duplicates (same article at two URLs, wire copies) become one article listing every outlet.
    articles = dedup_articles(articles)
    groups = [tuple(sorted(group, key=lambda a: a.time_key)) for group in cluster_articles(articles)]
    stories = []
    terms = {}
    for linked in link_stories(groups, previous, day):
        members = linked.articles
        terms[linked.story_id] = linked.terms
        stories.append(
            Story(
                id=linked.story_id,
                # A developing story keeps the label readers already know it by.
                label=linked.label or label_story(members, articles),
                headline=pick_headline(members).title,
                articles=members,
                summary=summarize_story(members, words=settings.briefing.summary_words, method=method),
                status=linked.status,
                new_article_ids=linked.new_article_ids,
            )
        )
    ranked = rank_stories(stories, settings.briefing.cutoff(day))
    briefing = Briefing(
        day=day,
        title=settings.briefing.title,
        stories=tuple(ranked),
        timezone=settings.briefing.timezone,
    )
    records = tuple(
        PriorStory(day, s.id, s.label, tuple(a.id for a in s.articles), terms[s.id]) for s in briefing.stories
    )
    return briefing, records


def build_day(
    settings: Settings,
    day: dt.date,
    out_dir: Path,
    inputs: Sequence[str] = (),
    captured: dt.datetime | None = None,
    pdf: bool = True,
) -> BuildReport:
    """Build day's briefing into out_dir, from inputs (stored too) or, without inputs, from the store.

    From the store: the day's edition when one was fixed (by an earlier build or `digest run`),
    else the stored articles published in the day's window, which then become its edition.
    Raises InputError (no such input, or nothing stored for the day), StoreError, RenderError
    or DeliveryError.
    """
    captured = captured or settings.briefing.cutoff(day)
    skipped: tuple[Skip, ...] = ()
    new = 0
    with open_store(settings.store_url) as store:
        if inputs:
            result = read_inputs(inputs, captured)
            skipped = result.skipped
            articles = list(result.articles)
            if not articles:
                raise InputError("no articles could be read from the inputs; see the skipped files above")
            new = store.add_articles(articles)
            store.set_edition(day, [a.id for a in articles])
        else:
            articles = store.edition(day)
            # A day `digest run` recorded may rightly be empty (no stories: no email, still archived).
            if not articles and store.day_record(day) is None:
                start, end = settings.briefing.window(day)
                articles = store.articles_for_window(start, end)
                if not articles:
                    raise InputError(
                        f"no articles stored for {day} (published after {start:%Y-%m-%d %H:%M} and up to "
                        f"{end:%Y-%m-%d %H:%M %Z}); read them with `digest build --input PATH --date {day}` "
                        "or fetch the configured sources with `digest run`"
                    )
                store.set_edition(day, [a.id for a in articles])
        # Only days before this one: rebuilding day from the store must give the same briefing.
        previous = store.stories_between(day - dt.timedelta(days=LOOKBACK_DAYS), day - dt.timedelta(days=1))
        LOGGER.debug("stage build: %s from %d articles, %d earlier stories", day, len(articles), len(previous))
        briefing, records = _make_briefing(articles, day, settings, DEFAULT_METHOD, previous)
        store.record_stories(day, records)
    outputs = render_outputs(briefing, settings, pdf=pdf)
    LOGGER.debug("stage write: %s", day)
    files = write_day(out_dir, day, outputs)
    days = archive_days(out_dir)
    pdf_days = [d for d in days if (out_dir / d.isoformat() / "briefing.pdf").is_file()]
    write_atomic(out_dir / "index.html", render_index(days, settings, pdf_days=pdf_days).encode("utf-8"))
    write_feed(out_dir, settings)
    LOGGER.info(
        "built %s: %d stories from %d articles (%d read)",
        day,
        len(briefing.stories),
        briefing.article_count,
        len(articles),
    )
    return BuildReport(
        day,
        out_dir / day.isoformat(),
        tuple(files),
        len(briefing.stories),
        len(articles),
        new,
        skipped,
        briefing.article_count,
    )
