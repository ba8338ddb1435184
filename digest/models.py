"""The typed, immutable records that pass between the stages.

``Article`` comes out of ingestion, ``Story`` out of clustering and summarising, and
``Briefing`` is what rendering and delivery consume. Nothing else crosses a module boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = [
    "Article",
    "Briefing",
    "Duplicate",
    "PreviousEdition",
    "PriorStory",
    "Skip",
    "SourceHealth",
    "Story",
    "SummarySentence",
    "Told",
]

StoryStatus = Literal["new", "developing"]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An article merged into another as its copy (a wire copy, the same page at another URL)."""

    id: str
    title: str
    outlet: str
    url: str
    source: str
    published: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The duplicate as briefing.json lists it, under the article it duplicates."""
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as read from an input."""

    id: str
    title: str
    text: str  # body; paragraphs separated by a blank line
    outlet: str = ""
    url: str = ""
    published: dt.datetime | None = None  # timezone-aware, UTC
    source: str = ""  # where it was read from, as given (+ "#N" inside a multi-article file)
    language: str = "en"
    author: str = ""
    # The same article elsewhere (wire copies, other URLs), as (outlet, url) pairs; set by dedup.
    also_in: tuple[tuple[str, str], ...] = ()
    # Every article merged into this one by dedup, so that each article read is accounted for.
    duplicates: tuple[Duplicate, ...] = ()

    @property
    def time_key(self) -> tuple[str, str]:
        """Sort key: oldest first (undated first), then id."""
        return (self.published.isoformat() if self.published else "", self.id)

    @property
    def credit(self) -> str:
        """Whom the briefing credits: the outlet, else the URL's host, else the file it was read from."""
        if self.outlet:
            return self.outlet
        try:
            host = urlsplit(self.url).hostname or ""
        except ValueError:
            host = ""
        if host:
            return host.removeprefix("www.")
        name = self.source.split("#", 1)[0].replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        return name or "source"

    def to_json(self) -> dict[str, Any]:
        """The article as briefing.json lists it: the fields a duplicate has, then its own."""
        return {
            **self.as_duplicate().to_json(),
            "language": self.language,
            "also_in": [{"outlet": outlet, "url": url} for outlet, url in self.also_in],
            "duplicates": [d.to_json() for d in self.duplicates],
        }

    def as_duplicate(self) -> Duplicate:
        """This article as listed under the one it duplicates."""
        return Duplicate(self.id, self.title, self.outlet, self.url, self.source, self.published)


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A summary sentence, verbatim from ``article_ids[0]`` (and any copies in the others)."""

    text: str
    article_ids: tuple[str, ...]

    @property
    def article_id(self) -> str:
        """The article the sentence is quoted from."""
        return self.article_ids[0]

    def to_json(self) -> dict[str, Any]:
        """The sentence as briefing.json lists it."""
        return {
            "text": self.text,
            "article_id": self.article_id,
            "article_ids": list(self.article_ids),
        }


@dataclass(frozen=True, slots=True)
class PreviousEdition:
    """An earlier day on which a developing story ran, as its timeline and "Previously" line show it."""

    day: dt.date
    story_id: str
    label: str
    headline: str
    articles: int  # how many articles it had that day
    first_sentence: str = ""  # that day's first summary sentence ("" when it had none)

    def to_json(self) -> dict[str, Any]:
        """The earlier day as briefing.json lists it under ``previous``."""
        return {
            "id": self.story_id,
            "date": self.day.isoformat(),
            "label": self.label,
            "headline": self.headline,
            "articles": self.articles,
        }


@dataclass(frozen=True, slots=True)
class Told:
    """What a developing story's reader was already given: earlier summaries, and earlier days' articles."""

    sentences: tuple[str, ...] = ()  # the earlier editions' summary sentences
    articles: tuple[Article, ...] = ()  # the articles those days had

    def __bool__(self) -> bool:
        return bool(self.sentences or self.articles)


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one event, with a label, a headline and an attributed summary."""

    id: str
    label: str
    headline: str
    articles: tuple[Article, ...]
    summary: tuple[SummarySentence, ...] = ()
    status: StoryStatus = "new"
    score: float = 0.0
    # For a developing story, its articles that no earlier day's version had (marked "new" in
    # the sources); empty for a new story, all of which is new.
    new_article_ids: tuple[str, ...] = ()
    # For a developing story, the earlier days it ran (oldest first); empty for a new story.
    previous: tuple[PreviousEdition, ...] = ()

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets behind the story (with those that ran a duplicate), in first-seen order."""
        names = (name for a in self.articles for name in (a.outlet, *(o for o, _url in a.also_in)))
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def is_single(self) -> bool:
        """True for a story of one article (grouped at the end of the briefing)."""
        return len(self.articles) == 1

    def article(self, article_id: str) -> Article:
        """The story's article with that id (KeyError if absent)."""
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)

    def to_json(self) -> dict[str, Any]:
        """The story as briefing.json lists it."""
        return {
            "id": self.id,
            "label": self.label,
            "headline": self.headline,
            "status": self.status,
            "new_article_ids": list(self.new_article_ids),
            "score": round(self.score, 6),
            "articles": [a.to_json() for a in self.articles],
            "summary": [s.to_json() for s in self.summary],
            "previous": [p.to_json() for p in self.previous],
        }


@dataclass(frozen=True, slots=True)
class PriorStory:
    """A story as recorded for a day: what a later day needs to recognise it as continuing."""

    day: dt.date
    story_id: str
    label: str
    article_ids: tuple[str, ...]
    # The story's distinctive terms and their weights (an L2-normalised sparse vector).
    terms: tuple[tuple[str, float], ...]
    headline: str = ""
    summary: tuple[str, ...] = ()  # the summary sentences that day's edition printed, in order
    # Articles the story had when its label was chosen (0: not recorded, i.e. before schema 8).
    label_articles: int = 0


@dataclass(frozen=True, slots=True)
class Skip:
    """An input that was skipped, and why (counted in the run report)."""

    source: str
    reason: str
    kind: str = "unreadable"  # short stable category for counting: no-text, not-a-feed, block-page, ...


@dataclass(frozen=True, slots=True)
class Briefing:
    """The day's briefing: every story, ranked, ready to render."""

    day: dt.date
    title: str
    stories: tuple[Story, ...]
    timezone: str = "UTC"

    @property
    def main_stories(self) -> tuple[Story, ...]:
        """Stories of two or more articles, in rank order."""
        return tuple(s for s in self.stories if not s.is_single)

    @property
    def single_stories(self) -> tuple[Story, ...]:
        """One-article stories, grouped at the end of the briefing."""
        return tuple(s for s in self.stories if s.is_single)

    @property
    def article_count(self) -> int:
        """Number of articles across all stories."""
        return sum(len(s.articles) for s in self.stories)

    def to_json(self) -> dict[str, Any]:
        """The briefing.json document (its schema: README, "briefing.json")."""
        return {
            "date": self.day.isoformat(),
            "title": self.title,
            "stories": [s.to_json() for s in self.stories],
        }


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """How a configured source has been doing: last success, last error, counts."""

    location: str  # the source's URL or path, as configured
    last_attempt: dt.datetime | None = None
    last_success: dt.datetime | None = None
    last_error: str = ""  # empty when the last attempt succeeded
    last_error_at: dt.datetime | None = None
    fetches: int = 0  # attempts, successful or not
    failures: int = 0
    articles: int = 0  # articles read from it in all, including ones already stored
    last_articles: int = 0  # articles read in the last successful attempt
    last_skipped: int = 0  # items skipped in the last attempt

    @property
    def ok(self) -> bool:
        """True when the last attempt succeeded."""
        return self.last_attempt is not None and not self.last_error
