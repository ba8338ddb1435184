"""The stages in order: ingest -> store -> cluster -> label -> summarize -> rank -> render -> archive.

``make_briefing`` is pure (articles in, Briefing out). ``build_day`` is the I/O edge that
reads inputs or the store, then writes the day's files.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .cluster import cluster_articles, label_story, pick_headline, story_id
from .config import Settings
from .dedup import dedup_articles
from .deliver import archive_days, write_atomic, write_day, write_feed
from .errors import InputError
from .ingest import read_inputs
from .models import Article, Briefing, Skip, Story
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


def _time_key(a: Article) -> tuple[str, str]:
    return (a.published.isoformat() if a.published else "", a.id)


def make_briefing(
    articles: Sequence[Article], day: dt.date, settings: Settings, method: str = DEFAULT_METHOD
) -> Briefing:
    """The day's briefing from its articles: stories labelled, summarised and ranked."""
    # Duplicates (same article at two URLs, wire copies) become one article listing every outlet.
    articles = dedup_articles(articles)
    stories = []
    for group in cluster_articles(articles):
        members = tuple(sorted(group, key=_time_key))
        stories.append(
            Story(
                id=story_id(members),
                label=label_story(members, articles),
                headline=pick_headline(members).title,
                articles=members,
                summary=summarize_story(members, words=settings.briefing.summary_words, method=method),
            )
        )
    ranked = rank_stories(stories, settings.briefing.cutoff(day))
    return Briefing(
        day=day,
        title=settings.briefing.title,
        stories=tuple(ranked),
        timezone=settings.briefing.timezone,
    )


def build_day(
    settings: Settings,
    day: dt.date,
    out_dir: Path,
    inputs: Sequence[str] = (),
    captured: dt.datetime | None = None,
    pdf: bool = True,
) -> BuildReport:
    """Build day's briefing into out_dir, from inputs (stored too) or, without inputs, from the store.

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
                raise InputError(f"nothing stored for {day}; build it first with --input")
    LOGGER.debug("stage build: %s from %d articles", day, len(articles))
    briefing = make_briefing(articles, day, settings)
    outputs = render_outputs(briefing, settings, pdf=pdf)
    LOGGER.debug("stage write: %s", day)
    files = write_day(out_dir, day, outputs)
    write_atomic(out_dir / "index.html", render_index(archive_days(out_dir), settings).encode("utf-8"))
    write_feed(out_dir, settings)
    LOGGER.info("built %s: %d stories from %d articles", day, len(briefing.stories), len(articles))
    return BuildReport(
        day,
        out_dir / day.isoformat(),
        tuple(files),
        len(briefing.stories),
        len(articles),
        new,
        skipped,
    )
