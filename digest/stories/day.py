"""One day's articles into stories (pure): ``StoryDay`` reads the day once for grouping, labels and
headlines; ``cluster_articles``, ``label_story``, ``pick_headline`` and ``story_id`` over Article records.

Pure and deterministic: no clock, no I/O, no randomness, no threads; the same input gives the same output.
The method: features (``features``: tf-idf over stems, entity bigrams, datelines dropped), a candidate
graph and average-link agglomeration (``graph``), labels (``labels``: names and words that cover the story).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from ..models import Article
from ..text import scan_tokens
from .features import Encoded, _body_scans, _Encoder, _local, encode_texts, vectorize_encoded
from .graph import cluster_encoded
from .labels import DayLabels, label_cluster


def pick_headline_index(titles: Sequence[str], texts: Sequence[str]) -> int:
    """Index of the most central article (highest cosine to the story centroid); articles with a title first."""
    if len(texts) <= 1:
        return 0
    return _centrality(encode_texts(titles, texts), titles)[0]


def _centrality(enc: Encoded, titles: Sequence[str]) -> tuple[int, np.ndarray]:
    """(index of the headline article, every article's cosine to the story's centroid)."""
    X, _, _ = vectorize_encoded(enc)
    cen = np.asarray(X.sum(axis=0)).ravel()
    sc = np.asarray(X @ cen).ravel()
    has_title = np.array([bool((t or "").strip()) for t in titles])
    titled = np.where(has_title, sc, sc - 1e9) if has_title.any() else sc
    return int(np.argmax(titled)), sc  # argmax takes the first of ties


def story_id(articles: Sequence[Article]) -> str:
    """A stable id for a story: derived from its earliest article."""
    first = min(articles, key=lambda a: a.time_key)
    return story_hash(first.id)


def story_hash(*parts: str) -> str:
    """The one story-id hash: 12 hex digits of "story:" and the parts (an article id, and a day when
    another story already holds the id that article would give)."""
    return hashlib.sha256(":".join(("story", *parts)).encode()).hexdigest()[:12]


def _times(articles: Sequence[Article]) -> list[float] | None:
    stamps = [a.published.timestamp() if a.published else None for a in articles]
    if all(s is None for s in stamps):
        return None
    # An article without a time is placed at the day's latest, so it may join any story of the day.
    latest = max(s for s in stamps if s is not None)
    return [latest if s is None else s for s in stamps]


_ANY_WORD_RE = re.compile(r"\w+(?:[-'\u2019]\w+)*")
FALLBACK_LABEL_WORDS = 3  # words of the title when no name or word stands out (a story in a non-Latin script)


def _fallback_label(story: Sequence[Article]) -> str:
    """The first words of the story's first title (or text), in its own script: a label is never empty."""
    for a in story:
        words = _ANY_WORD_RE.findall(a.title or "") or _ANY_WORD_RE.findall(a.text or "")
        if words:
            return " ".join(words[:FALLBACK_LABEL_WORDS])
    return "Story"


class StoryDay:
    """One day's articles analysed once for every story-level stage: grouping, labels and headlines.

    Each article is scanned once (twice when it opens with a dateline) and the scans feed both the
    clustering features (``Encoded``) and the labels' day-level statistics (``DayLabels``). Each
    story is then labelled and given a headline from its own members only, so the whole day costs
    time linear in its articles.
    """

    def __init__(self, articles: Sequence[Article], *, labels: bool = True) -> None:
        self.articles = tuple(articles)
        self._position = {a.id: n for n, a in enumerate(self.articles)}
        encoder = _Encoder()
        self._labels = DayLabels() if labels else None
        for a in self.articles:
            title = scan_tokens(a.title or "")
            whole, body = _body_scans(a.text)
            encoder.add(title, body)
            if self._labels is not None:
                self._labels.add(a.text, title, whole, body)
        self._enc = encoder.encoded()

    def groups(self) -> list[list[Article]]:
        """The day's stories; groups and their members keep the input order."""
        if len(self.articles) <= 1:
            return [list(self.articles)] if self.articles else []
        ids = cluster_encoded(self._enc, times=_times(self.articles))
        groups: dict[int, list[Article]] = {}
        for article, cid in zip(self.articles, ids, strict=True):
            groups.setdefault(cid, []).append(article)
        return list(groups.values())

    def label(self, story: Sequence[Article], avoid: frozenset[str] = frozenset()) -> str:
        """A short topic phrase people would write ("Gaza aid", "Hurricane Mitch") for one of the day's stories;
        avoid: case-folded labels other stories of the day have (another phrase is preferred to them)."""
        if self._labels is None:
            raise RuntimeError("StoryDay(labels=False) cannot label")
        return self._labels.label([self._position[a.id] for a in story], avoid) or _fallback_label(story)

    def headline(self, story: Sequence[Article]) -> Article:
        """The story's most central article, whose title becomes the story's headline."""
        return self.headline_and_core(story, len(story))[0]

    def headline_and_core(self, story: Sequence[Article], keep: int) -> tuple[Article, tuple[Article, ...]]:
        """The headline article, and the story's keep most central articles in the story's order (all of
        them when it has no more): what a summary of a story of hundreds of articles is written from."""
        if len(story) <= 1:
            return story[0], tuple(story)
        members = [self._position[a.id] for a in story]
        best, score = _centrality(_local(self._enc, members), [a.title for a in story])
        if len(story) <= keep:
            return story[best], tuple(story)
        chosen = sorted(np.lexsort((np.arange(len(story)), -score))[:keep].tolist())
        return story[best], tuple(story[i] for i in chosen)


def cluster_articles(articles: Sequence[Article]) -> list[list[Article]]:
    """Group articles into stories; groups and their members keep the input order."""
    return StoryDay(articles, labels=False).groups()


def label_story(story: Sequence[Article], day: Sequence[Article]) -> str:
    """A short topic phrase for the story among the day's (for one story; StoryDay.label for a whole day)."""
    members = {a.id for a in story}
    others = [a for a in day if a.id not in members]
    return label_cluster(
        [a.title for a in story], [a.text for a in story], [a.title for a in others], [a.text for a in others]
    )


def pick_headline(story: Sequence[Article]) -> Article:
    """The story's most central article, whose title becomes the story's headline."""
    return story[pick_headline_index([a.title for a in story], [a.text for a in story])]
