"""The stages in order: ingest -> store -> cluster -> link -> label -> summarize -> rank -> render -> archive.

``make_briefing`` is pure (articles and earlier days' stories in, Briefing out). ``build_day``
is the I/O edge that reads inputs or the store, records the day's stories for the days after
it, then writes the day's files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .config import Settings
from .delivery import archive_days, patch_day_nav, write_atomic, write_day, write_feed
from .errors import InputError
from .ingest import read_inputs
from .models import Article, Briefing, PriorStory, Skip, Story, SummarySentence, Told
from .outputs import NAV_END, NAV_START, DayNav, render_day_nav, render_index, render_outputs, render_pdf
from .store import open_store
from .stories import (
    LOOKBACK_DAYS,
    LinkedGroup,
    StoryDay,
    dedup_articles,
    label_basis,
    link_stories,
    outgrew_label,
    previous_editions,
    rank_stories,
    told_before,
)
from .summaries import DEFAULT_METHOD, summarize_story
from .workers import map_in_order, worker_count

__all__ = ["BuildReport", "Progress", "StageTime", "build_day", "make_briefing"]

LOGGER = logging.getLogger(__name__)

# Below this many articles the summaries of a day are written in this process even when more
# jobs are allowed: starting worker processes costs more than it saves (the sample day, the seed).
PARALLEL_MIN_ARTICLES = 400
# A story of more articles is summarised from its this many most central ones (cosine to the story's
# centroid): a 100-word summary needs no more, and a big day's largest stories have thousands. No
# story of DUC 2004 as one day or of the sample day comes near it, so their summaries are unchanged.
SUMMARY_MAX_ARTICLES = 50
# Stories per task handed to a worker: big enough to keep the pickling overhead small, small
# enough that both cores stay busy until the end of a day whose stories differ in size.
CHUNK_STORIES = 64


class Progress(Protocol):
    """What a build tells its caller while it runs (the CLI shows it on a terminal)."""

    def start(self, stage: str, total: int) -> None:
        """A stage begins; total is its number of steps (0 when it has none to count)."""

    def advance(self, steps: int) -> None:
        """steps more of the current stage are done."""

    def finish(self, stage: str, seconds: float, detail: str) -> None:
        """The stage ended after seconds; detail gives its counts."""


class StoryArchive(Protocol):
    """Where a build finds a developing story's whole record (the store is one)."""

    def story_versions(self, story_ids: Sequence[str], before: dt.date) -> list[PriorStory]:
        """Every recorded day of these stories before the given day."""

    def articles_by_id(self, article_ids: Sequence[str]) -> list[Article]:
        """The stored articles with these ids."""


@dataclass(frozen=True, slots=True)
class StageTime:
    """How long one stage of a build took, with its counts."""

    name: str
    seconds: float
    detail: str


class _Stages:
    """Times each stage, logs it (-v shows every stage) and tells the Progress listener."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.times: list[StageTime] = []

    @contextlib.contextmanager
    def stage(self, name: str, total: int = 0) -> Iterator[list[str]]:
        detail: list[str] = []
        if self.progress:
            self.progress.start(name, total)
        began = time.perf_counter()
        yield detail
        seconds = time.perf_counter() - began
        text = "; ".join(detail)
        LOGGER.info("stage %s: %.2f s (%s)", name, seconds, text)
        self.times.append(StageTime(name, seconds, text))
        if self.progress:
            self.progress.finish(name, seconds, text)

    def advance(self, steps: int = 1) -> None:
        if self.progress:
            self.progress.advance(steps)


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: the files written, the inputs it skipped and how long each stage took."""

    day: dt.date
    folder: Path
    files: tuple[Path, ...]
    stories: int
    articles: int
    new_articles: int
    skipped: tuple[Skip, ...]
    duplicates: int = 0  # articles merged into another as copies (listed under it in briefing.json)
    in_brief: int = 0  # stories the rendered briefing lists by headline only
    stages: tuple[StageTime, ...] = ()
    shown: int = 0  # articles in the briefing once duplicates are merged (what the page counts)


def make_briefing(
    articles: Sequence[Article],
    day: dt.date,
    settings: Settings,
    method: str = DEFAULT_METHOD,
    previous: Sequence[PriorStory] = (),
    jobs: int | None = 1,
) -> Briefing:
    """The day's briefing from its articles: stories linked to previous days', labelled, summarised, ranked.

    jobs: processes that write summaries, None for every core once the day is big enough (the briefing is
    the same for every value)."""
    return _make_briefing(articles, day, settings, method, previous, _Stages(None), jobs)[0]


def _history(
    linked: Sequence[LinkedGroup], day: dt.date, archive: StoryArchive | None
) -> tuple[dict[str, list[PriorStory]], dict[str, Article]]:
    """Developing stories' recorded days (by story id) and the earlier days' articles they had (by id)."""
    developing = [s for s in linked if s.status == "developing"]
    if archive is None or not developing:
        return {s.story_id: list(s.continued) for s in developing}, {}
    versions: dict[str, list[PriorStory]] = {}
    for p in archive.story_versions([s.story_id for s in developing], day):
        versions.setdefault(p.story_id, []).append(p)
    ids = [a for s in developing for p in s.continued for a in p.article_ids]
    return versions, {a.id: a for a in archive.articles_by_id(ids)}


_Work = tuple[tuple[Article, ...], Told]  # a story's articles and what its reader was already told


def _summarize_chunk(work: tuple[list[_Work], int, str]) -> list[tuple[SummarySentence, ...]]:
    groups, words, method = work
    return [summarize_story(g, words=words, method=method, told=told) for g, told in groups]


def _summaries(
    groups: Sequence[_Work], words: int, method: str, jobs: int, stages: _Stages
) -> list[tuple[SummarySentence, ...]]:
    """Each story's summary (an update summary where Told is not empty), in order; jobs > 1: same result."""
    chunks = [list(groups[k : k + CHUNK_STORIES]) for k in range(0, len(groups), CHUNK_STORIES)]
    out: list[tuple[SummarySentence, ...]] = []
    done = map_in_order(_summarize_chunk, [(c, words, method) for c in chunks], jobs)
    for chunk, summaries in zip(chunks, done, strict=True):
        out += summaries
        stages.advance(len(chunk))
    return out


def _make_briefing(
    articles: Sequence[Article],
    day: dt.date,
    settings: Settings,
    method: str,
    previous: Sequence[PriorStory],
    stages: _Stages,
    jobs: int | None,
    archive: StoryArchive | None = None,
) -> tuple[Briefing, tuple[PriorStory, ...]]:
    """make_briefing, plus the day's stories as later days will see them (in rank order)."""
    with stages.stage("dedup") as note:
        # Duplicates (same article at two URLs, wire copies) become one article listing every copy.
        read = len(articles)
        articles = dedup_articles(articles)
        note.append(f"{read} articles -> {len(articles)}, {_plural(read - len(articles), 'duplicate')} merged")
    with stages.stage("cluster") as note:
        story_day = StoryDay(articles)
        groups = [tuple(sorted(group, key=lambda a: a.time_key)) for group in story_day.groups()]
        note.append(f"{len(articles)} articles -> {_plural(len(groups), 'story', 'stories')}")
    with stages.stage("link") as note:
        linked = link_stories(groups, previous, day)
        note.append(f"{sum(1 for s in linked if s.status == 'developing')} developing, {len(previous)} earlier stories")
    with stages.stage("label", len(linked)) as note:
        # A developing story keeps the label readers already know it by, unless it outgrew it.
        labels, label_bases = [], []
        taken: set[str] = set()
        for s in linked:
            relabel = outgrew_label(s)
            label = story_day.label(s.articles) if relabel or not s.label else s.label
            if label.casefold() in taken:
                # Two of the day's stories under one name (a story that split continues under both, or two
                # stories of one subject): the second is named afresh, by the best phrase still free.
                relabel, label = True, story_day.label(s.articles, frozenset(taken))
            taken.add(label.casefold())
            labels.append(label)
            label_bases.append(label_basis(s, relabel))
            stages.advance()
        note.append(_plural(len(linked), "label"))
    with stages.stage("headline", len(linked)) as note:
        headlines, cores = [], []
        for s in linked:
            head, core = story_day.headline_and_core(s.articles, SUMMARY_MAX_ARTICLES)
            headlines.append(head.title)
            cores.append(core)
            stages.advance()
        note.append(_plural(len(linked), "headline"))
    del story_day  # its token arrays and matrix are a big day's largest holding: free them for the summaries
    multi = sum(len(s.articles) for s in linked if len(s.articles) > 1)
    workers = worker_count(jobs, multi >= PARALLEL_MIN_ARTICLES)
    with stages.stage("summarize", len(linked)) as note:
        # A developing story's summary tells first what the earlier editions did not.
        versions, earlier_articles = _history(linked, day, archive)
        work = [(core, told_before(s, earlier_articles)) for s, core in zip(linked, cores, strict=True)]
        summaries = _summaries(work, settings.briefing.summary_words, method, workers, stages)
        note.append(f"{_plural(len(linked), 'summary', 'summaries')}, {_plural(workers, 'job')}")
    with stages.stage("rank") as note:
        stories = [
            Story(
                id=s.story_id,
                label=label,
                headline=headline,
                articles=s.articles,
                summary=summary,
                status=s.status,
                new_article_ids=s.new_article_ids,
                previous=previous_editions(versions.get(s.story_id, ())),
            )
            for s, label, headline, summary in zip(linked, labels, headlines, summaries, strict=True)
        ]
        ranked = rank_stories(stories, settings.briefing.cutoff(day))
        note.append(_plural(len(ranked), "story", "stories"))
    briefing = Briefing(
        day=day,
        title=settings.briefing.title,
        stories=tuple(ranked),
        timezone=settings.briefing.timezone,
    )
    terms = {s.story_id: s.terms for s in linked}
    bases = {s.story_id: n for s, n in zip(linked, label_bases, strict=True)}
    records = tuple(
        PriorStory(
            day,
            s.id,
            s.label,
            tuple(a.id for a in s.articles),
            terms[s.id],
            s.headline,
            tuple(x.text for x in s.summary),
            bases[s.id],
        )
        for s in briefing.stories
    )
    return briefing, records


def _day_navs(days: Sequence[dt.date]) -> dict[dt.date, DayNav]:
    """Each of the (sorted) days with the one before and after it."""
    return {
        d: DayNav(days[i - 1] if i > 0 else None, days[i + 1] if i + 1 < len(days) else None)
        for i, d in enumerate(days)
    }


def build_day(
    settings: Settings,
    day: dt.date,
    out_dir: Path,
    inputs: Sequence[str] = (),
    captured: dt.datetime | None = None,
    pdf: bool = True,
    replace: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build day's briefing into out_dir, from inputs (stored too) or, without inputs, from the store.

    With inputs, a day whose edition the daily job made is replaced only when replace is true.
    From the store: the day's edition when one was fixed (by an earlier build or `digest run`),
    else the stored articles published in the day's window, which then become its edition.
    jobs: worker processes for the summaries (None: every core on a big day); the files are the same for any
    value. progress hears of each stage as it starts, advances and ends.
    Raises InputError (no such input, nothing stored for the day, or the daily job's day without
    replace), StoreError, RenderError or DeliveryError.
    """
    captured = captured or settings.briefing.cutoff(day)
    stages = _Stages(progress)
    skipped: tuple[Skip, ...] = ()
    new = 0
    with open_store(settings.store_url) as store:
        if inputs:
            with stages.stage("read") as note:
                result = read_inputs(inputs, captured, allow=settings.fetch.allow, jobs=jobs)
                skipped = result.skipped
                articles = list(result.articles)
                note.append(f"{_plural(len(articles), 'article')}, {_plural(len(skipped), 'input')} skipped")
            if not articles:
                raise InputError("no articles could be read from the inputs; see the skipped files above")
            if not replace and store.edition_origin(day) == "run":
                raise InputError(
                    f"{day} already has the daily job's edition (digest run); "
                    "add --replace to make these inputs the day instead"
                )
            with stages.stage("store") as note:
                new = store.add_articles(articles)
                store.set_edition(day, [a.id for a in articles], origin="build")
                note.append(f"{new} new of {len(articles)}")
        else:
            with stages.stage("read") as note:
                articles = store.edition(day)
                note.append(f"{_plural(len(articles), 'article')} stored for {day}")
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
        briefing, records = _make_briefing(
            articles, day, settings, DEFAULT_METHOD, previous, stages, jobs, archive=store
        )
        with stages.stage("record") as note:
            store.record_stories(day, records)
            note.append(_plural(len(records), "story", "stories"))
            # The page links the days before and after it in the store (not the folder), so a
            # rebuild into another folder gives the same bytes.
            stored_days = sorted({*store.days(), *(r.day for r in store.day_records()), day})
    navs = _day_navs(stored_days)
    with stages.stage("render") as note:
        outputs = render_outputs(briefing, settings, pdf=False, nav=navs[day])
        note.append(", ".join(f"{name} {len(data) // 1024} KB" for name, data in outputs.items()))
    if pdf:
        with stages.stage("pdf") as note:
            outputs["briefing.pdf"] = render_pdf(briefing, settings)
            note.append(f"{len(outputs['briefing.pdf']) // 1024} KB")
    LOGGER.debug("stage write: %s", day)
    with stages.stage("write") as note:
        files = write_day(out_dir, day, outputs)
        # The neighbours' pages gain their link to this day (as rebuilding them would give).
        for other in (navs[day].prev, navs[day].next):
            if other is not None:
                patch_day_nav(out_dir, other, render_day_nav(other, navs[other], settings), NAV_START, NAV_END)
        days = archive_days(out_dir)
        pdf_days = [d for d in days if (out_dir / d.isoformat() / "briefing.pdf").is_file()]
        write_atomic(out_dir / "index.html", render_index(days, settings, pdf_days=pdf_days).encode("utf-8"))
        write_feed(out_dir, settings, briefing)
        note.append(f"{_plural(len(files), 'file')} in {out_dir / day.isoformat()}")
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
        shown=briefing.article_count,
        duplicates=len(articles) - sum(len(s.articles) for s in briefing.stories),
        in_brief=len(briefing.stories) - min(len(briefing.main_stories), settings.briefing.max_stories),
        stages=tuple(stages.times),
    )
