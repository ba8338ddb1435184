"""Stories to briefing order (pure): the weights are documented here and in the README."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace

from ..models import Story

__all__ = ["WEIGHTS", "novelty", "rank_stories", "score_story"]

# score = size * log2(1 + articles) + outlets * log2(1 + distinct outlets) + recency * freshness
#         + novelty * share of the story that is new today
# Outlets count more than raw size: five outlets agreeing matter more than five copies from one.
# Freshness is 1 for a story whose newest article is at the cut-off, halving every 12 hours.
# Novelty is 1 for a new story and, for a developing one, the share of its articles that no
# earlier day had: a developing story with nothing new loses as much as a story half its size
# (one point, like size's log2 going from 3 articles to 1), so it sinks below the news without
# vanishing under one-article stories, which are grouped after all others anyway.
WEIGHTS = {"size": 1.0, "outlets": 1.5, "recency": 1.0, "novelty": 1.0}
HALF_LIFE_HOURS = 12.0


def novelty(story: Story) -> float:
    """How much of the story is news today: 1 for a new story, else the share of its new articles."""
    if story.status != "developing":
        return 1.0
    return len(set(story.new_article_ids) & {a.id for a in story.articles}) / max(1, len(story.articles))


def score_story(story: Story, cutoff: dt.datetime) -> float:
    """The story's rank score at the day's cut-off."""
    times = [a.published for a in story.articles if a.published]
    age_hours = max(0.0, (cutoff - max(times)).total_seconds() / 3600) if times else 24.0
    freshness = 0.5 ** (age_hours / HALF_LIFE_HOURS)
    return (
        WEIGHTS["size"] * math.log2(1 + len(story.articles))
        + WEIGHTS["outlets"] * math.log2(1 + len(story.outlets))
        + WEIGHTS["recency"] * freshness
        + WEIGHTS["novelty"] * novelty(story)
    )


def rank_stories(stories: Sequence[Story], cutoff: dt.datetime) -> list[Story]:
    """Stories by score, best first; one-article stories after all the others; ties by id."""
    scored = [replace(s, score=score_story(s, cutoff)) for s in stories]
    return sorted(scored, key=lambda s: (s.is_single, -round(s.score, 9), s.id))
